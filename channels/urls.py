from django.urls import path

from . import views

urlpatterns = [
    path("personal/drift/", views.health_overview, name="channels-health"),
    path("personal/drift/kanal/<int:pk>/", views.channel_health, name="channels-channel-health"),
    path("personal/drift/kanal/<int:pk>/inloggning/", views.channel_credentials, name="channels-channel-credentials"),
    path("personal/drift/kanal/<int:pk>/installningar/", views.channel_settings, name="channels-channel-settings"),
    path("personal/drift/larm/<int:pk>/kvittera/", views.alert_acknowledge, name="channels-alert-acknowledge"),
    path("webhooks/meta/", views.meta_webhook, name="channels-meta-webhook"),
    path("personal/drift/atgard/<int:pk>/forsok-igen/", views.outbox_retry, name="channels-outbox-retry"),
]
