from django.urls import path

from .views import public, staff

urlpatterns = [
    # Public pages, no login (linked from the municipality's website).
    path("kanaler/", public.channel_list, name="public-channels"),
    path("kanaler.json", public.channel_list_json, name="public-channels-json"),
    path("kanaler/embed/", public.channel_list_embed, name="public-channels-embed"),
    path("kommentarspolicy/", public.comment_policy, name="comment-policy"),
    path("tillganglighet/", public.accessibility, name="accessibility"),
    # Staff pages (registry/views/staff.py).
    path("personal/kanaler/", staff.channel_list, name="registry-channel-list"),
    path("personal/kanaler/<int:pk>/", staff.channel_detail, name="registry-channel-detail"),
    path("personal/partier/", staff.party_list, name="registry-party-list"),
    path("personal/forvaltningar/", staff.department_list, name="registry-department-list"),
]
