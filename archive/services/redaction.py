"""Redaction: removing the quotes of a suspected-CSAM item from other records, provably.

A reply's record keeps the text of the comment it answers (thread context) and its platform's raw
payload may quote it too. When an item is marked as suspected child sexual abuse material, its own
records become tombstones (archive.services.capture.csam_mark_captured); the records that quote it
are redacted: the quoting fields are emptied in the stored content, and a ``redaction`` record is
appended to the chain that lists, for each redacted record, its original content hash and the hash
of its redacted content, with who and when. The chain itself is never rewritten: a redacted record
keeps its ``content_sha256`` (the original's), and verify_archive checks the redacted content
against the redaction record instead (archive.verification). So the chain proves what was redacted,
when and by whom, and nothing of the content.
"""

from __future__ import annotations

import json

from django.utils import timezone

from archive.canonical import canonical_json, sha256_text
from archive.models import ArchiveRecord, RecordType
from archive.services.capture import capture_event


def _quoting_records(*, channel_id: int | None, platform_id: str) -> list[ArchiveRecord]:
    """Live records of the channel whose thread context names the item (as parent or thread root)."""
    if channel_id is None or not platform_id:
        return []
    needles = [f'"parent_platform_id":{json.dumps(platform_id, ensure_ascii=False)}',
               f'"root_platform_id":{json.dumps(platform_id, ensure_ascii=False)}']
    qs = ArchiveRecord.objects.filter(channel_id=channel_id, culled_at__isnull=True).exclude(platform_id=platform_id)
    found = []
    for record in qs.filter(content__contains=needles[0]) | qs.filter(content__contains=needles[1]):
        found.append(record)
    return sorted({r.pk: r for r in found}.values(), key=lambda r: r.sequence)


def _redacted(content: dict, *, platform_id: str, text: str) -> tuple[dict, list[str]]:
    """The content with every field that quotes the item emptied, and the fields' names."""
    fields = []
    snapshot = content.get("snapshot")
    if isinstance(snapshot, dict):
        thread = snapshot.get("thread")
        if isinstance(thread, dict):
            for role in ("parent", "root"):
                if thread.get(f"{role}_platform_id") == platform_id and thread.get(f"{role}_text"):
                    thread[f"{role}_text"] = ""
                    fields.append(f"snapshot.thread.{role}_text")
        raw = snapshot.get("raw")
        if text.strip() and raw and text in json.dumps(raw, ensure_ascii=False):
            snapshot["raw"] = {}
            fields.append("snapshot.raw")
    return content, fields


def redact_quotes_of(*, channel_id: int | None, platform_id: str, text: str, marking_sequence: int,
                     actor) -> ArchiveRecord | None:
    """Redact the records that quote a marked item; returns the redaction record (None when nothing
    quoted it). Runs inside the marking's transaction, which has allowed archive changes."""
    from archive.services.gallring import allow_archive_changes

    changes = []
    for record in _quoting_records(channel_id=channel_id, platform_id=platform_id):
        content = json.loads(record.content)
        redacted, fields = _redacted(content, platform_id=platform_id, text=text)
        if not fields:
            continue
        redacted_text = canonical_json(redacted)
        changes.append((record, redacted_text, sha256_text(redacted_text), fields))
    if not changes:
        return None
    marking = capture_event(
        record_type=RecordType.REDACTION,
        target={"channel_id": channel_id, "platform_id": platform_id},
        event={
            "event": "redacted",
            "reason": f"quotes of an item marked as suspected CSAM (marking record {marking_sequence})",
            "marking_sequence": marking_sequence,
            "redacted": [{"sequence": r.sequence, "original_content_sha256": r.content_sha256,
                          "redacted_content_sha256": sha, "fields": fields} for r, _t, sha, fields in changes],
        },
        actor=actor,
        columns={"author_platform_id": "", "author_name": ""},
    )
    allow_archive_changes()
    now = timezone.now()
    for record, redacted_text, sha, _fields in changes:
        ArchiveRecord.objects.filter(pk=record.pk)._gallring_update(
            content=redacted_text, redacted_at=now, redacted_sha256=sha, redacted_by_sequence=marking.sequence,
        )
    return marking
