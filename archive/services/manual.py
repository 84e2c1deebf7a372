"""Manual capture: a record made by staff for a channel without an API, or during an outage.

A staff member types what was published (text, sender, when, where) and may add a screenshot or a
PDF print of it; the record (``manual_capture``) goes into the hash chain like any captured item,
and the file into the archive's content-addressed file store, its SHA-256 in the record. The record
names who captured it, why, and when.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.models import ArchiveRecord, ItemKind, RecordType
from archive.services.attachments import archive_file_store
from archive.services.capture import FORMAT, _append, _columns, _search_text, _user_ref, channel_snapshot

MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_MAX = 20000
# What a capture's file may be, recognised by its first bytes (never by its name or declared type).
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
REASONS = {
    "no_api": gettext_lazy("Kanalen saknar API-koppling"),
    "outage": gettext_lazy("Driftstörning: plattformen kunde inte läsas"),
    "missed": gettext_lazy("Kom inte med vid inläsningen"),
    "other": gettext_lazy("Annat skäl (se anteckningen)"),
}


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, media_type, suffix in MAGIC:
        if head.startswith(magic):
            return media_type, suffix
    return None


def _file(upload) -> dict:
    """Check the upload and copy it into the archive's file store; its description for the record."""
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("Filen är för stor: högst %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    upload.seek(0)
    kind = _sniff(upload.read(16))
    if kind is None:
        raise ValidationError(_("Filen måste vara en skärmbild (PNG eller JPEG) eller en PDF."))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    upload.seek(0)
    stored = archive_file_store(source=upload, sha256=sha256)
    return {"media_type": kind[0], "sha256": sha256, "size": upload.size, "stored_path": stored,
            "file_name": f"{sha256}{kind[1]}"}


def capture_manual(
    *, user, channel, kind: str, text: str, created_at: datetime.datetime, reason: str, author_name: str = "",
    author_platform_id: str = "", permalink: str = "", note: str = "", upload=None,
) -> ArchiveRecord:
    """Append a manually captured item (and its file). Bad input: a Swedish ValidationError, nothing stored."""
    text = (text or "").strip()
    if kind not in ItemKind.values:
        raise ValidationError(_("Välj vad som registreras."))
    if reason not in REASONS:
        raise ValidationError(_("Välj varför posten registreras manuellt."))
    if not text and upload is None:
        raise ValidationError(_("Skriv av texten eller bifoga en skärmbild."))
    if len(text) > TEXT_MAX:
        raise ValidationError(_("Texten får vara högst %(n)s tecken.") % {"n": TEXT_MAX})
    if created_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("Publiceringstiden kan inte ligga i framtiden."))
    permalink = (permalink or "").strip()
    if permalink and not permalink.lower().startswith(("https://", "http://")):
        raise ValidationError(_("Adressen måste börja med https:// eller http://."))
    now = timezone.now()
    with transaction.atomic():
        snapshot = {
            "channel": channel_snapshot(channel),
            "platform": channel.platform,
            "platform_id": "",
            "kind": kind,
            "version": 1,
            "thread": {},
            "author": {"platform_id": (author_platform_id or "").strip()[:300], "name": (author_name or "").strip()[:300],
                       "profile_url": ""},
            "text": text,
            "attachments": [],
            "created_at": created_at.isoformat(),
            "edited_at": None,
            "received_at": now.isoformat(),
            "visibility": "visible",
            "raw": {},
            "manual": {"captured_by": _user_ref(user), "reason": reason, "reason_label": str(REASONS[reason]),
                       "note": (note or "").strip()[:2000], "permalink": permalink[:1000]},
        }
        if upload is not None:
            snapshot["attachment"] = _file(upload)
        content = {"format": FORMAT, "record_type": RecordType.MANUAL_CAPTURE.value, "snapshot": snapshot}
        return _append([(RecordType.MANUAL_CAPTURE.value, content, _columns(snapshot), _search_text(snapshot))])[0]
