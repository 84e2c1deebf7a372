"""Attachment files in the archive: a content-addressed file store and "attachment" records.

When a channel attachment has been downloaded, ``capture_attachment`` (called by
channels.services.attachments inside the download's transaction) copies the file into the archive's
own store and appends an ``attachment`` record to the hash chain. The store is content-addressed:
``<ARCHIVE_FILES_ROOT>/<sha[0:2]>/<sha[2:4]>/<sha>``; a file is written once (os.link onto the final
name, which never replaces an existing file) and identical files are stored once.

An attachment record carries the same index columns as the item it belongs to (channel, platform
id, kind, author, received_at and so the information class), so holds, requests and gallring treat
it as part of the item. Gallring and CSAM marking remove the file (``archive_files_remove``); the
hash stays in the gallring protocol or in the marking.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import FILE_RECORD_TYPES, ArchiveRecord, RecordType
from archive.services.capture import FORMAT, _append, _columns, channel_snapshot, csam_mark_captured

CHUNK = 1 << 20
# Raster images by name (not "image/", which would let in image/svg+xml), video, audio and PDF: what
# the channels keep by default, and the only types the archive serves a file under.
SAFE_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/heic", "image/heif",
    "video/", "audio/", "application/pdf",
)
# Types a browser may run script from: never kept, whatever a setting allows.
SCRIPTABLE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                    "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript")


def media_type_base(media_type: str) -> str:
    return (media_type or "").split(";")[0].strip().lower()


def media_type_in(media_type: str, types) -> bool:
    """Whether a type is one of ``types`` (entries ending in "/" are prefixes)."""
    base = media_type_base(media_type)
    return bool(base) and any(base == t or (t.endswith("/") and base.startswith(t)) for t in types)


def is_scriptable(media_type: str) -> bool:
    base = media_type_base(media_type)
    return base in SCRIPTABLE_TYPES or base.endswith("+xml")


def download_media_type(media_type: str) -> str:
    """The type an archived file is served with: its own when it is a safe type, else plain bytes."""
    if media_type_in(media_type, SAFE_TYPES) and not is_scriptable(media_type):
        return media_type_base(media_type)
    return "application/octet-stream"


SUFFIXES = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "video/mp4": ".mp4", "application/pdf": ".pdf",
}


def archive_files_root() -> Path:
    root = getattr(settings, "ARCHIVE_FILES_ROOT", None) or (Path(settings.MEDIA_ROOT) / "archive")
    return Path(root)


def stored_path_for(sha256: str) -> str:
    """The store-relative path of a file with this SHA-256."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"{sha256[0:2]}/{sha256[2:4]}/{sha256}"


def archive_file_path(stored_path: str) -> Path:
    return archive_files_root() / stored_path


def file_suffix(media_type: str) -> str:
    return SUFFIXES.get((media_type or "").lower(), "")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def archive_file_store(*, source: BinaryIO, sha256: str) -> str:
    """Copy ``source`` into the store under its SHA-256 and return the store-relative path.

    The copy is hashed as it is written and refused when it does not match ``sha256``. An existing
    file with that name is never replaced (identical content is stored once); one whose content no
    longer matches is reported, not overwritten.
    """
    relative = stored_path_for(sha256)
    target = archive_file_path(relative)
    if target.exists():
        if _sha256_of(target) != sha256:
            raise ValidationError(_("Arkivets fil %(path)s stämmer inte med sin SHA-256.") % {"path": relative})
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise ValidationError(_("Filen ändrades under kopieringen till arkivet."))
        os.chmod(tmp_name, 0o444)
        with contextlib.suppress(FileExistsError):  # a concurrent download stored the same file
            os.link(tmp_name, target)  # fails instead of replacing an existing file
    finally:
        os.unlink(tmp_name)
    return relative


def _item_records(channel_id: int, platform_id: str) -> list[ArchiveRecord]:
    return list(
        ArchiveRecord.objects.filter(channel_id=channel_id, platform_id=platform_id)
        .only("pk", "sequence", "record_type", "content", "culled_at", "information_class", "received_at")
        .order_by("-sequence")
    )


def _item_record_for(records: list[ArchiveRecord], url: str) -> tuple[ArchiveRecord | None, dict]:
    """The newest item-version record of the item that lists ``url`` (else the newest one)."""
    versions = [r for r in records if r.record_type == RecordType.ITEM_VERSION]
    for record in versions:
        if record.culled_at is not None:
            continue
        snapshot = json.loads(record.content).get("snapshot") or {}
        if any(a.get("url") == url for a in snapshot.get("attachments") or []):
            return record, snapshot
    for record in versions:
        if record.culled_at is None:
            return record, json.loads(record.content).get("snapshot") or {}
    return (versions[0] if versions else None), {}


def capture_attachment(*, attachment, source: BinaryIO) -> ArchiveRecord | None:
    """Store a downloaded attachment's file in the archive and append its ``attachment`` record.

    ``attachment`` is a stored channels.models.Attachment (sha256, size and content_type set) and
    ``source`` its bytes. Runs in the caller's transaction. Returns None, storing nothing, when the
    item is marked as suspected CSAM or its archive records were culled.
    """

    if not attachment.sha256:
        raise ValidationError(_("Bilagan är inte hämtad."))
    item = attachment.item
    channel = item.channel
    with transaction.atomic():
        records = _item_records(channel.pk, item.platform_id)
        if any(r.record_type == RecordType.CSAM_MARKING for r in records):
            return None
        if any(
            r.record_type == RecordType.ATTACHMENT and r.culled_at is None
            and (json.loads(r.content).get("snapshot") or {}).get("source", {}).get("attachment_id") == attachment.pk
            for r in records
        ):
            return None  # already archived (a repeated download)
        item_record, item_snapshot = _item_record_for(records, attachment.url)
        if item_record is not None and item_record.culled_at is not None:
            return None
        latest_version = item.versions.order_by("-number").only("pk", "number").first()
        source_ref = dict(item_snapshot.get("source") or {}) or {
            "item_id": item.pk, "version_id": latest_version.pk if latest_version else None,
        }
        source_ref["attachment_id"] = attachment.pk
        received_at = item_snapshot.get("received_at") or item.received_at.isoformat()
        stored = archive_file_store(source=source, sha256=attachment.sha256)
        snapshot = {
            "channel": item_snapshot.get("channel") or channel_snapshot(channel),
            "platform": item_snapshot.get("platform") or channel.platform,
            "platform_id": item.platform_id,
            "kind": item_snapshot.get("kind") or item.kind,
            "version": item_snapshot.get("version") or (latest_version.number if latest_version else 1),
            "visibility": item_snapshot.get("visibility") or item.visibility,
            "author": {
                "platform_id": (item_snapshot.get("author") or {}).get("platform_id", item.author_platform_id),
                "name": (item_snapshot.get("author") or {}).get("name", item.author_name),
            },
            "created_at": item_snapshot.get("created_at") or item.created_at.isoformat(),
            "received_at": received_at,
            "source": source_ref,
            "item_record_sequence": item_record.sequence if item_record is not None else None,
            "attachment": {
                "url": attachment.url,
                "platform_id": attachment.platform_id,
                "media_type": attachment.content_type or attachment.media_type,
                "declared_media_type": attachment.media_type,
                "sha256": attachment.sha256,
                "size": attachment.size,
                "stored_path": stored,
                "downloaded_at": (attachment.downloaded_at or timezone.now()).isoformat(),
            },
        }
        if item_snapshot.get("case_number"):
            snapshot["case_number"] = item_snapshot["case_number"]
        content = {"format": FORMAT, "record_type": RecordType.ATTACHMENT.value, "snapshot": snapshot}
        return _append([(RecordType.ATTACHMENT.value, content, _columns(snapshot), "")])[0]


def attachment_info(record: ArchiveRecord) -> dict:
    """The "attachment" part of a live record that carries a file ({} for other records and tombstones)."""
    if record.record_type not in FILE_RECORD_TYPES or not record.content:
        return {}
    return (json.loads(record.content).get("snapshot") or {}).get("attachment") or {}


def attachment_stored_file(*, record: ArchiveRecord) -> Path | None:
    """The stored file of a live attachment record, or None (other record, tombstone, file gone)."""
    info = attachment_info(record)
    if not info.get("stored_path"):
        return None
    path = archive_file_path(info["stored_path"])
    return path if path.is_file() else None


def attachment_records_of_items(pairs: set[tuple[int | None, str]]) -> list[ArchiveRecord]:
    """Live attachment records of the given (channel_id, platform_id) items, in sequence order."""
    result: list[ArchiveRecord] = []
    by_channel: dict[int | None, list[str]] = {}
    for channel_id, platform_id in pairs:
        if platform_id:
            by_channel.setdefault(channel_id, []).append(platform_id)
    for channel_id, platform_ids in by_channel.items():
        for start in range(0, len(platform_ids), 500):
            result.extend(
                ArchiveRecord.objects.filter(
                    record_type=RecordType.ATTACHMENT, culled_at__isnull=True, channel_id=channel_id,
                    platform_id__in=platform_ids[start : start + 500],
                )
            )
    return sorted(result, key=lambda r: r.sequence)


def archive_files_remove(*, sha256s: set[str], force: bool = False) -> list[str]:
    """Delete stored files. Without ``force`` a file still named by a live attachment record is kept
    (identical files are stored once and may belong to other items). Returns the removed hashes."""
    wanted = {s for s in sha256s if s}
    if not wanted:
        return []
    if not force:
        # One pass over the live attachment records (only when there is something to remove).
        live = ArchiveRecord.objects.filter(record_type__in=FILE_RECORD_TYPES, culled_at__isnull=True)
        for (content,) in live.values_list("content").iterator(chunk_size=2000):
            used = ((json.loads(content).get("snapshot") or {}).get("attachment") or {}).get("sha256")
            wanted.discard(used)
    removed = []
    for sha256 in sorted(wanted):
        path = archive_file_path(stored_path_for(sha256))
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(sha256)
    return removed


def csam_mark_with_files(*, record: ArchiveRecord, police_report_reference: str, marked_by, note: str = "") -> ArchiveRecord:
    """csam_mark_captured, and the item's archived attachment files are deleted.

    The attachment records become tombstones with the rest of the item; their files' SHA-256,
    size and media type are kept in the marking's note (metadata and hash only)."""
    with transaction.atomic():
        files = []
        if record.platform_id:
            for r in attachment_records_of_items({(record.channel_id, record.platform_id)}):
                info = attachment_info(r)
                if info.get("sha256"):
                    files.append(info)
        if files:
            lines = [
                f"attachment file removed: sha256 {f['sha256']}, {f.get('size')} bytes, {f.get('media_type') or '?'}"
                for f in files
            ]
            note = "\n".join([note.strip(), *lines]) if note.strip() else "\n".join(lines)
        marking = csam_mark_captured(
            record=record, police_report_reference=police_report_reference, marked_by=marked_by, note=note
        )
        archive_files_remove(sha256s={f["sha256"] for f in files}, force=True)
    return marking
