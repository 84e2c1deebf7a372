from django.urls import path

from .views import imports, policy, public, staff

urlpatterns = [
    # Public pages, no login (linked from the municipality's website).
    path("kanaler/", public.channel_list, name="public-channels"),
    path("kanaler.json", public.channel_list_json, name="public-channels-json"),
    path("kanaler/embed/", public.channel_list_embed, name="public-channels-embed"),
    path("kommentarspolicy/", public.comment_policy, name="comment-policy"),
    path("kommentarspolicy/<str:version>/", public.comment_policy_version, name="comment-policy-version"),
    path("tillganglighet/", public.accessibility, name="accessibility"),
    # Staff pages (registry/views/staff.py).
    path("personal/kanaler/", staff.channel_list, name="registry-channel-list"),
    path("personal/kanaler/ny/", staff.channel_create, name="registry-channel-create"),
    path("personal/kanaler/importera/", imports.channel_import, name="registry-channel-import"),
    path("personal/kanaler/<int:pk>/", staff.channel_detail, name="registry-channel-detail"),
    path("personal/kanaler/<int:pk>/andra/", staff.channel_edit, name="registry-channel-edit"),
    path("personal/kanaler/<int:pk>/godkann/", staff.channel_approve, name="registry-channel-approve"),
    path("personal/kanaler/<int:pk>/avsla/", staff.channel_reject, name="registry-channel-reject"),
    path("personal/kanaler/<int:pk>/anmal-avslut/", staff.channel_request_closure,
         name="registry-channel-request-closure"),
    path("personal/kanaler/<int:pk>/avsluta/", staff.channel_close, name="registry-channel-close"),
    path("personal/kanaler/<int:pk>/forordnanden/nytt/", staff.appointment_create,
         name="registry-appointment-create"),
    path("personal/forordnanden/<int:pk>/avsluta/", staff.appointment_end, name="registry-appointment-end"),
    path("personal/forvaltningar/", staff.department_list, name="registry-department-list"),
    path("personal/forvaltningar/ny/", staff.department_create, name="registry-department-create"),
    path("personal/forvaltningar/<int:pk>/", staff.department_detail, name="registry-department-detail"),
    path("personal/forvaltningar/<int:pk>/andra/", staff.department_edit, name="registry-department-edit"),
    path("personal/forvaltningar/<int:pk>/beslut/nytt/", staff.decision_create, name="registry-decision-create"),
    path("personal/beslut/<int:pk>/andra/", staff.decision_edit, name="registry-decision-edit"),
    path("personal/namnder/", staff.board_list, name="registry-board-list"),
    path("personal/namnder/ny/", staff.board_create, name="registry-board-create"),
    path("personal/namnder/<int:pk>/andra/", staff.board_edit, name="registry-board-edit"),
    path("personal/partier/", staff.party_list, name="registry-party-list"),
    path("personal/kommentarspolicy/", policy.policy_list, name="registry-policy-list"),
    path("personal/partier/nytt/", staff.party_create, name="registry-party-create"),
    path("personal/partier/<int:pk>/andra/", staff.party_edit, name="registry-party-edit"),
    path("personal/konton/", staff.user_list, name="registry-user-list"),
    path("personal/konton/nytt/", staff.user_create, name="registry-user-create"),
    path("personal/konton/<int:pk>/", staff.user_detail, name="registry-user-detail"),
    path("personal/konton/<int:pk>/aktiv/", staff.user_set_active, name="registry-user-set-active"),
    path("personal/konton/<int:pk>/skicka-lank/", staff.user_send_link, name="registry-user-send-link"),
    path("personal/konton/<int:pk>/losenord/", staff.user_password, name="registry-user-password"),
    # The link in the set-password e-mail (Django's password reset token); no login.
    path("konto/valj-losenord/<uidb64>/<token>/", staff.set_password, name="registry-set-password"),
]
