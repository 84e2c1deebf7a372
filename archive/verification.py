"""Walking the hash chain (read-only). Used by ``manage.py verify_archive``.

Streams (sequence, type, content, hashes) tuples with a server-side cursor on PostgreSQL and
checks, for every record in sequence order:
  * no sequence number is missing (a removed record),
  * SHA-256(content) equals content_sha256 (skipped for tombstones, whose content gallring cleared);
    for a redacted record it equals redacted_sha256 instead, and the later ``redaction`` record must
    name the record with both hashes (archive.services.redaction),
  * previous_sha256 equals the record_sha256 of the record before it,
  * record_sha256 equals SHA-256 of "<sequence>\\n<type>\\n<content_sha256>\\n<previous_sha256>",
and finally that the chain head names the last record (records removed from the end).
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection

from archive.models import GENESIS_SHA256, ChainHead

CHUNK = 10_000
QUERY = (
    "SELECT sequence, record_type, content, content_sha256, previous_sha256, record_sha256, culled_at, "
    "redacted_sha256, redacted_by_sequence FROM archive_archiverecord ORDER BY sequence"
)


@dataclass
class VerificationResult:
    ok: bool
    checked: int
    tombstones: int
    problem: str = ""
    sequence: int | None = None


def verify_chain() -> VerificationResult:
    sha256 = hashlib.sha256
    expected = 1
    previous = GENESIS_SHA256
    checked = tombstones = 0
    # Redacted records seen, waiting for the redaction record that vouches for them:
    # sequence -> (redaction record's sequence, original content hash, redacted content hash).
    pending: dict[int, tuple[int, str, str]] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(QUERY)
        while rows := cursor.fetchmany(CHUNK):
            for (sequence, record_type, content, content_sha, previous_sha, record_sha, culled_at,
                 redacted_sha, redacted_by) in rows:
                if sequence != expected:
                    return VerificationResult(
                        False, checked, tombstones,
                        f"record #{expected} is missing (removed); the next record is #{sequence}", expected,
                    )
                if culled_at is not None:
                    tombstones += 1
                elif redacted_by is not None:
                    if sha256(content.encode("utf-8")).hexdigest() != redacted_sha:
                        return VerificationResult(
                            False, checked, tombstones, f"record #{sequence}: redacted content was altered", sequence
                        )
                    pending[sequence] = (redacted_by, content_sha, redacted_sha)
                elif sha256(content.encode("utf-8")).hexdigest() != content_sha:
                    return VerificationResult(
                        False, checked, tombstones, f"record #{sequence}: content was altered", sequence
                    )
                if record_type == "redaction" and culled_at is None:
                    problem = _confirm_redactions(sequence, content, pending)
                    if problem:
                        return VerificationResult(False, checked, tombstones, problem, sequence)
                if previous_sha != previous:
                    return VerificationResult(
                        False, checked, tombstones,
                        f"record #{sequence}: previous hash does not match record #{sequence - 1} "
                        f"(record #{sequence - 1} or this link was altered)", sequence,
                    )
                link = f"{sequence}\n{record_type}\n{content_sha}\n{previous_sha}".encode("ascii")
                if sha256(link).hexdigest() != record_sha:
                    return VerificationResult(
                        False, checked, tombstones, f"record #{sequence}: record hash does not match (altered)",
                        sequence,
                    )
                previous = record_sha
                expected += 1
                checked += 1
    if pending:
        sequence = min(pending)
        return VerificationResult(False, checked, tombstones,
                                  f"record #{sequence}: redacted, but no redaction record names it", sequence)
    head = ChainHead.objects.filter(name="main").values_list("sequence", "record_sha256").first()
    head_sequence, head_sha = head if head else (0, GENESIS_SHA256)
    if head_sequence != checked or head_sha != previous:
        return VerificationResult(
            False, checked, tombstones,
            f"the chain head names record #{head_sequence} but the chain ends at #{checked}: "
            f"record #{checked + 1} and later were removed" if head_sequence > checked
            else f"the chain head does not match record #{checked}",
            checked + 1 if head_sequence > checked else checked,
        )
    return VerificationResult(True, checked, tombstones)


def _confirm_redactions(sequence: int, content: str, pending: dict) -> str:
    """Match a redaction record against the redacted records met before it; "" when they agree."""
    listed = (json.loads(content).get("event") or {}).get("redacted") or []
    for entry in listed:
        redacted = pending.pop(entry.get("sequence"), None)
        if redacted is None:
            continue  # a record culled since, or one that was never changed: nothing to vouch for
        by, original, now = redacted
        if by != sequence or original != entry.get("original_content_sha256") or now != entry.get(
                "redacted_content_sha256"):
            return f"record #{entry.get('sequence')}: redaction does not match redaction record #{sequence}"
    return ""


@dataclass
class FileVerificationResult:
    ok: bool
    checked: int
    problem: str = ""
    sequence: int | None = None


def verify_files() -> FileVerificationResult:
    """Re-check every live attachment record's file: it exists in the archive's file store and its
    SHA-256 and size are those the record names. Stops at the first mismatch."""

    from archive.models import FILE_RECORD_TYPES, ArchiveRecord
    from archive.services.attachments import archive_file_path, stored_path_for

    checked = 0
    live = ArchiveRecord.objects.filter(record_type__in=FILE_RECORD_TYPES, culled_at__isnull=True).order_by("sequence")
    for sequence, content in live.values_list("sequence", "content").iterator(chunk_size=2000):
        info = (json.loads(content).get("snapshot") or {}).get("attachment") or {}
        if not info:
            continue  # a manual capture of text only
        expected = info.get("sha256") or ""
        try:
            path = archive_file_path(info.get("stored_path") or stored_path_for(expected))
        except ValueError:
            return FileVerificationResult(False, checked, f"record #{sequence}: names no valid SHA-256", sequence)
        if not path.is_file():
            return FileVerificationResult(False, checked, f"record #{sequence}: file {path} is missing", sequence)
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                size += len(block)
                digest.update(block)
        if digest.hexdigest() != expected or (info.get("size") is not None and size != info["size"]):
            return FileVerificationResult(
                False, checked, f"record #{sequence}: file {path} does not match its SHA-256 (altered)", sequence
            )
        checked += 1
    return FileVerificationResult(True, checked)
