"""Downloading attachment copies: streamed, size-limited, content-type checked, hashed (SHA-256).

Runs in its own task after the page that found the attachment has committed, so a slow or huge
file never holds up storing items. A stored file is also copied into the archive's content-addressed
store with an "attachment" archive record (archive.services.attachments.capture_attachment), in the
same transaction as the download's bookkeeping."""

from __future__ import annotations

import hashlib
import tempfile

import requests
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from archive.services.attachments import (
    SAFE_TYPES,
    capture_attachment,
    file_suffix,
    is_scriptable,
    media_type_in,
)

from ..models import Attachment, AttachmentState
from .common import scrub

# The default is the archive's safe types (raster images by name, video, audio, PDF); types that can
# carry script (HTML, SVG, XML, JavaScript) are never kept, whatever CHANNELS_ATTACHMENT_TYPES allows.
DEFAULT_TYPES = SAFE_TYPES


class DownloadTransient(Exception):
    """A retryable failure (connection error, timeout, 5xx, 429)."""


def _max_bytes() -> int:
    return int(getattr(settings, "CHANNELS_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024))


def _allowed(content_type: str) -> bool:
    if is_scriptable(content_type):
        return False
    return media_type_in(content_type, tuple(getattr(settings, "CHANNELS_ATTACHMENT_TYPES", DEFAULT_TYPES)))


def attachment_download(*, attachment_id: int, session: requests.Session | None = None) -> Attachment:
    """Fetch one attachment's file. Rejected (kept as a URL only) when it is too large or of a type
    we do not keep; transient failures raise DownloadTransient for the task to retry."""
    attachment = Attachment.objects.get(pk=attachment_id)
    if attachment.state in (AttachmentState.STORED, AttachmentState.REJECTED, AttachmentState.PURGED):
        return attachment
    Attachment.objects.filter(pk=attachment_id).update(attempts=attachment.attempts + 1)
    session = session or requests.Session()
    limit = _max_bytes()
    timeout = float(getattr(settings, "CHANNELS_HTTP_TIMEOUT_SECONDS", 20))
    try:
        with session.get(attachment.url, stream=True, timeout=timeout) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise DownloadTransient(f"HTTP {response.status_code}")
            if response.status_code != 200:
                return _finish(attachment, AttachmentState.FAILED, error=f"HTTP {response.status_code}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not _allowed(content_type):
                return _finish(attachment, AttachmentState.REJECTED, error=f"content type {content_type or '?'}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                return _finish(attachment, AttachmentState.REJECTED, error=f"too large ({declared} bytes)")
            digest = hashlib.sha256()
            size = 0
            with tempfile.TemporaryFile() as tmp:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        return _finish(attachment, AttachmentState.REJECTED, error=f"too large (> {limit} bytes)")
                    digest.update(chunk)
                    tmp.write(chunk)
                tmp.seek(0)
                name = f"{digest.hexdigest()}{file_suffix(content_type)}"
                with transaction.atomic():
                    # A suspected-CSAM marking may have purged the item while we downloaded: the
                    # row lock orders us after it, and then nothing is written, not even to disk.
                    current = Attachment.objects.select_for_update().only("state").get(pk=attachment.pk)
                    if current.state == AttachmentState.PURGED:
                        return Attachment.objects.get(pk=attachment.pk)
                    attachment.file.save(name, File(tmp), save=False)
                    attachment = _finish(
                        attachment, AttachmentState.STORED, sha256=digest.hexdigest(), size=size,
                        content_type=content_type, file=attachment.file.name,
                    )
                    # The archive's own copy and its record, in the same transaction as the bookkeeping.
                    tmp.seek(0)
                    capture_attachment(attachment=attachment, source=tmp)
                    return attachment
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise DownloadTransient(scrub(exc)) from None
    except requests.RequestException as exc:
        return _finish(attachment, AttachmentState.FAILED, error=scrub(exc))


def attachment_give_up(*, attachment_id: int, error: str) -> None:
    Attachment.objects.filter(pk=attachment_id, state=AttachmentState.PENDING).update(
        state=AttachmentState.FAILED, error=scrub(error, limit=500)
    )





def _finish(attachment: Attachment, state: str, *, error: str = "", **fields) -> Attachment:
    Attachment.objects.filter(pk=attachment.pk).update(
        state=state, error=scrub(error, limit=500), downloaded_at=timezone.now(), **fields
    )
    attachment.refresh_from_db()
    return attachment
