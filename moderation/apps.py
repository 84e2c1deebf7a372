from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderering")

    def ready(self) -> None:
        from channels.signals import item_version_stored

        from .receivers import item_version_stored_receiver

        item_version_stored.connect(item_version_stored_receiver, dispatch_uid="moderation-screen-version")
