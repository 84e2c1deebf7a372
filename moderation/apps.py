from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderering")

    def ready(self) -> None:
        from archive.signals import csam_marked, records_culled
        from channels.signals import item_version_stored, outbox_action_finished
        from registry.signals import public_channel_notes

        from .receivers import (
            csam_marked_receiver,
            item_version_stored_receiver,
            outbox_action_finished_receiver,
            public_channel_notes_receiver,
            records_culled_receiver,
        )

        item_version_stored.connect(item_version_stored_receiver, dispatch_uid="moderation-screen-version")
        outbox_action_finished.connect(outbox_action_finished_receiver, dispatch_uid="moderation-complete-decision")
        csam_marked.connect(csam_marked_receiver, dispatch_uid="moderation-close-csam")
        records_culled.connect(records_culled_receiver, dispatch_uid="moderation-purge-culled")
        public_channel_notes.connect(public_channel_notes_receiver, dispatch_uid="moderation-public-additions")
