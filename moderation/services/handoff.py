"""Direct messages are inkomna handlingar: each gets exactly one hand-off to the records process.

Methods: e-mail to the myndighetsbrevlåda (MODERATION_OFFICIAL_MAILBOX) with the message and its
metadata as an .eml attachment; the synpunktshantering (MODERATION_FEEDBACK_EMAIL, same e-mail); or
the case system, where the registrator imports the .eml (downloaded from the item page) and the
diarienummer is recorded. The receipt (Message-ID, the .eml's SHA-256, the reference) is kept.
The Handoff row is unique per entry; it is written before the e-mail is sent, in one transaction,
so a second hand-off is refused and a failed send leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .. import conf
from ..models import AuditEvent, Handoff, HandoffMethod, QueueEntry
from .workspace import _audit, _check_may_act, _state

# Unicode categories that must never reach a header: controls (CR, LF, NUL...), format characters
# (right-to-left overrides, zero-width), surrogates, private use, and the line and paragraph
# separators U+2028/U+2029, which Python's e-mail package treats as line breaks.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# In a display name these would start another address or a quoted part.
_ADDRESS_SEPARATORS = frozenset(',;<>"\\')


def header_text(value, *, address_part: bool = False) -> str:
    """Platform text made safe for one header line: unsafe characters become spaces, runs of
    whitespace one space. ``address_part`` also removes what separates addresses (for display names)."""
    unsafe = _UNSAFE_CATEGORIES
    chars = [" " if unicodedata.category(ch) in unsafe or ch.isspace() or (address_part and ch in _ADDRESS_SEPARATORS)
             else ch for ch in str(value or "")]
    return " ".join("".join(chars).split())


def _sender(item, channel) -> Address:
    """The platform author as the From address: one address, whatever the display name holds."""
    name = header_text(item.author_name or item.author_platform_id, address_part=True)
    return Address(display_name=name, username="noreply", domain=f"{channel.platform}.invalid")


def dm_eml(*, entry: QueueEntry) -> str:
    """The direct message as an RFC 5322 message: the text as body, the metadata as headers. Every
    header value from the platform or the registry goes through header_text(), and the addresses
    are built with email.headerregistry.Address, so no name can add a header or a recipient."""
    item = entry.item
    channel = entry.channel
    message = MimeMessage()
    message["Subject"] = header_text(_("Direktmeddelande via %(channel)s") % {"channel": channel.name})
    message["From"] = _sender(item, channel)
    message["To"] = Address(display_name=header_text(channel.name, address_part=True),
                            username=f"kanal-{channel.pk}", domain="ludvika-social.invalid")
    message["Date"] = format_datetime(item.created_at)
    message["Message-ID"] = make_msgid(domain="ludvika-social.invalid")
    headers = {
        "X-Channel": f"{channel.name} ({channel.get_platform_display()}) {channel.public_url}",
        "X-Department": channel.department.name,
        "X-Platform-Item-Id": item.platform_id,
        "X-Thread-Id": item.thread_platform_id or "",
        "X-Author-Id": item.author_platform_id,
        "X-Author-Name": item.author_name,
        "X-Author-Profile": item.author_profile_url,
        "X-Received-At": item.received_at.isoformat(),
    }
    for name, value in headers.items():
        message[name] = header_text(value)
    attachments = list(item.attachments.values_list("url", flat=True))
    body = item.text or ""
    if attachments:
        body += "\n\n" + _("Bilagor:") + "\n" + "\n".join(attachments)
    message.set_content(body, cte="quoted-printable")
    return message.as_string()


def dm_handoff(*, user, entry: QueueEntry, method: str, reference: str = "", request_id: str = "") -> Handoff:
    _check_may_act(user, entry)
    if not entry.is_dm:
        raise ValidationError(_("Bara direktmeddelanden lämnas över som inkomna handlingar."))
    if method not in HandoffMethod.values:
        raise ValidationError(_("Välj hur meddelandet lämnas över."))
    reference = (reference or "").strip()[:100]
    recipient = ""
    if method == HandoffMethod.MAILBOX:
        recipient = conf.get("MODERATION_OFFICIAL_MAILBOX")
    elif method == HandoffMethod.FEEDBACK:
        recipient = conf.get("MODERATION_FEEDBACK_EMAIL")
        if not recipient:
            raise ValidationError(_("Synpunktshanteringens adress är inte inställd (MODERATION_FEEDBACK_EMAIL)."))
    elif not reference:
        raise ValidationError(_("Ange diarienumret som ärendesystemet gav meddelandet."))
    eml = dm_eml(entry=entry)
    sha = hashlib.sha256(eml.encode("utf-8")).hexdigest()
    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(entry=entry, method=method, recipient=recipient, reference=reference,
                                             eml=eml, eml_sha256=sha, created_by=user)
            if recipient:
                handoff.message_id = _send(entry=entry, recipient=recipient, eml=eml, sha=sha)
                handoff.save(update_fields=["message_id"])
            _audit(entry=entry, action=AuditEvent.Action.HANDOFF, actor=user, before=_state(entry),
                   request_id=request_id, extra={"method": method, "reference": reference, "eml_sha256": sha,
                                                 "recipient": recipient, "message_id": handoff.message_id})
    except IntegrityError:
        raise ValidationError(_("Meddelandet är redan överlämnat.")) from None
    return handoff


def _send(*, entry: QueueEntry, recipient: str, eml: str, sha: str) -> str:
    item = entry.item
    message_id = make_msgid(domain="ludvika-social.invalid")
    body = _(
        "Inkommen handling: ett direktmeddelande till %(channel)s (%(department)s).\n"
        "Avsändare: %(author)s (%(profile)s)\nMottaget: %(received)s\n"
        "Meddelandet och dess metadata finns i den bifogade filen (SHA-256 %(sha)s).\n"
    ) % {"channel": entry.channel.name, "department": entry.channel.department.name,
         "author": header_text(item.author_name or item.author_platform_id),
         "profile": header_text(item.author_profile_url) or "-", "received": item.received_at.isoformat(), "sha": sha}
    subject = header_text(_("Inkommen handling via sociala medier: %(channel)s") % {"channel": entry.channel.name})
    mail = EmailMessage(subject=subject, body=body, to=[recipient], headers={"Message-ID": message_id})
    mail.attach(f"direktmeddelande-{item.pk}.eml", eml, "message/rfc822")
    mail.send()
    return message_id


def workspace_purge_culled(*, items: list[dict]) -> dict[str, int]:
    """Gallring culled these items' records (archive.signals.records_culled): the workspace's copies of
    their content go too, in the run's transaction: the explanations of the culled versions' flags
    (they quote the matched words) and, where the item's current version or all of it is culled, a
    direct message's hand-off copy (.eml; its SHA-256 stays as the receipt)."""
    from channels.models import Item, ItemVersion

    from ..models import Flag

    counts = {"moderation.flags": 0, "moderation.handoff_eml": 0}
    version_ids = [v for entry in items for v in entry["version_ids"]]
    for start in range(0, len(version_ids), 2000):
        counts["moderation.flags"] += Flag.objects.filter(version_id__in=version_ids[start:start + 2000]).exclude(
            explanation="").update(explanation="")
    by_channel: dict = {}
    for entry in items:
        by_channel.setdefault(entry["channel_id"], []).append(entry)
    for channel_id, entries in by_channel.items():
        whole = {e["platform_id"] for e in entries if e["whole"]}
        culled = set(version_ids)
        platform_ids = [e["platform_id"] for e in entries]
        for start in range(0, len(platform_ids), 1000):
            chunk = platform_ids[start:start + 1000]
            current = dict(ItemVersion.objects.filter(
                item__channel_id=channel_id, item__platform_id__in=chunk, number=models.F("item__version_count"),
            ).values_list("item_id", "pk"))
            item_ids = [pk for pk, platform_id in Item.objects.filter(channel_id=channel_id, platform_id__in=chunk)
                        .values_list("pk", "platform_id") if platform_id in whole or current.get(pk) in culled]
            counts["moderation.handoff_eml"] += Handoff.objects.filter(entry__item_id__in=item_ids).exclude(
                eml="").update(eml="")
    return counts
