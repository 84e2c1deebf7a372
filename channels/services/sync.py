"""Per-channel connection state: creation, credentials, connection settings, re-authorisation."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Channel

from ..crypto import credentials_decrypt, credentials_encrypt
from ..models import ChannelSync


def channel_sync_get_or_create(*, channel: Channel) -> ChannelSync:
    """The channel's sync row, created with defaults on first use."""
    sync, _created = ChannelSync.objects.get_or_create(channel=channel)
    return sync


@transaction.atomic
def channel_credentials_set(*, channel: Channel, credentials: dict) -> ChannelSync:
    """Store new credentials (encrypted) for a channel, replacing any earlier ones. A channel that
    needed re-authorisation is polled again at once."""
    sync = channel_sync_get_or_create(channel=channel)
    sync = ChannelSync.objects.select_for_update().get(pk=sync.pk)
    sync.credentials_encrypted = credentials_encrypt(credentials={k: v for k, v in credentials.items() if v})
    sync.credentials_stored_at = timezone.now()
    sync.needs_reauth = False
    sync.reauth_notified_at = None
    sync.consecutive_failures = 0
    sync.next_poll_at = None
    sync.save(
        update_fields=[
            "credentials_encrypted", "credentials_stored_at", "needs_reauth", "reauth_notified_at",
            "consecutive_failures", "next_poll_at", "updated_at",
        ]
    )
    return sync


def channel_credentials_get(*, sync: ChannelSync) -> dict:
    """Decrypted credentials, for handing to a connector only."""
    return credentials_decrypt(token=sync.credentials_encrypted)


@transaction.atomic
def channel_sync_settings_update(
    *, channel: Channel, api_base_url: str, poll_interval_seconds: int, polling_enabled: bool
) -> ChannelSync:
    """Change where and how often a channel is polled."""
    sync = channel_sync_get_or_create(channel=channel)
    sync = ChannelSync.objects.select_for_update().get(pk=sync.pk)
    sync.api_base_url = api_base_url
    sync.poll_interval_seconds = poll_interval_seconds
    sync.polling_enabled = polling_enabled
    sync.next_poll_at = None
    sync.full_clean(exclude=["channel"])
    sync.save(update_fields=["api_base_url", "poll_interval_seconds", "polling_enabled", "next_poll_at", "updated_at"])
    return sync


def channel_mark_needs_reauth(*, sync: ChannelSync, error: str) -> bool:
    """Mark the channel as needing re-authorisation. The responsible person and the informatör are
    e-mailed once per incident: only the call that flips the flag sends mail. Returns True then."""
    now = timezone.now()
    flipped = ChannelSync.objects.filter(pk=sync.pk, needs_reauth=False).update(
        needs_reauth=True, reauth_notified_at=now, last_error=error, last_error_at=now
    )
    if flipped != 1:
        ChannelSync.objects.filter(pk=sync.pk).update(last_error=error, last_error_at=now)
        return False
    channel = Channel.objects.select_related("responsible").get(pk=sync.channel_id)
    transaction.on_commit(lambda: _send_reauth_mail(channel=channel))
    return True


def _send_reauth_mail(*, channel: Channel) -> None:
    recipients = [settings.INFORMATOR_EMAIL]
    if channel.responsible and channel.responsible.email:
        recipients.insert(0, channel.responsible.email)
    path = reverse("channels-channel-health", kwargs={"pk": channel.pk})
    subject = _("Kanalen %(name)s behöver loggas in på nytt") % {"name": channel.name}
    body = _(
        "Plattformen har avvisat kanalens inloggning (utgången eller återkallad behörighet). "
        "Inga nya kommentarer eller meddelanden hämtas från %(name)s förrän någon loggar in på nytt.\n\n"
        "Ange nya inloggningsuppgifter här: %(path)s\n"
    ) % {"name": channel.name, "path": path}
    send_mail(subject, body, None, recipients)


def outside_removal_acknowledge(*, alert_id: int, user) -> bool:
    """The informatör has looked at a removal made outside the tool. Acknowledged once."""
    from ..models import OutsideRemovalAlert

    return (
        OutsideRemovalAlert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
        == 1
    )
