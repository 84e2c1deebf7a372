from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    # The label is prefixed so it can never collide with the third-party "channels" package.
    name = "channels"
    label = "platform_channels"
    verbose_name = _("Plattformar och inkorg")

    def ready(self) -> None:
        from archive.signals import csam_marked, records_culled

        from .receivers import csam_marked_receiver, records_culled_receiver

        csam_marked.connect(csam_marked_receiver, dispatch_uid="channels-purge-csam")
        records_culled.connect(records_culled_receiver, dispatch_uid="channels-purge-culled")
