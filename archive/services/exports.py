"""Exports from the archive: tagged PDF, BagIt bags (request deliveries, data-subject extracts).

Every export is logged in the access log with the records it contains, and its file can be
downloaded only by the user who made it (archive.selectors.export_get_for_user).
"""

import datetime
import hashlib
import json
import logging
import shutil
import uuid
from pathlib import Path

import bagit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import (
    AccessAction,
    ArchiveRecord,
    Export,
    ExportKind,
    PublicRecordsRequest,
    RecordType,
    ReviewDecision,
)
from archive.services.attachments import (
    archive_file_path,
    attachment_info,
    attachment_records_of_items,
    file_suffix,
)
from archive.services.requests import access_log_write

# bagit logs every file it hashes at INFO; that is noise in the worker log.
logging.getLogger("bagit").setLevel(logging.WARNING)

PDF_CSS = Path(__file__).resolve().parent.parent / "pdf.css"
RECORD_COLUMNS = ("sequence", "record_type", "content", "content_sha256", "record_sha256", "culled_at")
CHUNK = 5000


def export_root() -> Path:
    root = getattr(settings, "ARCHIVE_EXPORT_ROOT", None) or (Path(settings.VAR_DIR) / "archive-exports")
    return Path(root)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _new_dir() -> tuple[str, Path]:
    key = uuid.uuid4().hex
    path = export_root() / key
    path.mkdir(parents=True, exist_ok=False)
    return key, path


def _register(
    *, kind: str, user, key: str, path: Path, description: str, sequences: list[int],
    request: PublicRecordsRequest | None = None,
) -> Export:
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind,
            created_by=user,
            request=request,
            description=description[:300],
            file_name=path.name,
            relative_path=f"{key}/{path.name}",
            size=path.stat().st_size,
            sha256=file_sha256(path),
            record_count=len(sequences),
        )
        access_log_write(
            user=user, action=AccessAction.EXPORT, sequences=sequences, export=export,
            detail=f"{kind}: {description}",
        )
    return export


def export_path(export: Export) -> Path:
    return export_root() / export.relative_path


def _snapshot(content: str) -> dict:
    return (json.loads(content) if content else {}) or {}


def _bag(
    *, directory: Path, files: dict[str, bytes | Path], external_identifier: str, description: str, zip_name: str
) -> Path:
    """Write ``files`` as a BagIt 1.0 bag (SHA-512 manifests), validate it and zip it. A value is the
    file's bytes or the path of a file to copy (an archived attachment file)."""
    bag_dir = directory / "bag"
    bag_dir.mkdir()
    for relative, data in files.items():
        # make_bag moves the directory's contents into data/.
        target = bag_dir / relative.removeprefix("data/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
    bag = bagit.make_bag(
        str(bag_dir),
        bag_info={
            "Source-Organization": getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun"),
            "External-Identifier": external_identifier,
            "External-Description": description,
        },
        checksums=["sha512"],
    )
    bag.validate()
    archive_base = directory / zip_name
    shutil.make_archive(str(archive_base), "zip", root_dir=bag_dir)
    shutil.rmtree(bag_dir)
    return directory / f"{zip_name}.zip"


def attachment_file_name(info: dict) -> str:
    """The name an archived attachment file has in an export: its SHA-256 and a suffix for its type."""
    return f"{info['sha256']}{file_suffix(info.get('media_type') or '')}"


def _record_files(records) -> tuple[dict[str, bytes | Path], list[int]]:
    """Each live record's canonical JSON as data/records/<sequence>.json; for an attachment record
    also its archived file as data/files/<sha256><suffix> (checked against its SHA-256 by bagit's
    manifest only, so a missing file fails the export rather than giving an incomplete bag)."""
    files: dict[str, bytes | Path] = {}
    sequences: list[int] = []
    for sequence, record_type, content, _content_sha, _record_sha, culled_at in records:
        if culled_at is not None or not content:
            continue
        files[f"data/records/{sequence:010d}.json"] = content.encode("utf-8")
        sequences.append(sequence)
        if record_type == RecordType.ATTACHMENT:
            info = (json.loads(content).get("snapshot") or {}).get("attachment") or {}
            files[f"data/files/{attachment_file_name(info)}"] = _stored_file(info)
    return files, sequences


def _stored_file(info: dict) -> Path:
    path = archive_file_path(info.get("stored_path") or "")
    if not info.get("stored_path") or not path.is_file():
        raise ValidationError(
            _("Arkivets fil för bilagan %(sha)s saknas; kör verify_archive --files.") % {"sha": info.get("sha256")}
        )
    return path


def _with_item_attachments(records, rows: list) -> list:
    """``rows`` and the live attachment records of the items among them that are not in ``rows``."""
    present = {row[0] for row in rows}
    pairs = set(
        records.filter(culled_at__isnull=True).exclude(record_type=RecordType.ATTACHMENT)
        .order_by().values_list("channel_id", "platform_id").distinct()
    )
    extra = [
        (r.sequence, r.record_type, r.content, r.content_sha256, r.record_sha256, r.culled_at)
        for r in attachment_records_of_items(pairs)
        if r.sequence not in present
    ]
    return sorted([*rows, *extra], key=lambda row: row[0]) if extra else rows


def export_records_bag(*, user, records, description: str, external_identifier: str = "") -> Export:
    """A BagIt bag of records' canonical JSON (one file per record, as archived, hash-verifiable),
    with the archived attachment files of the items it includes (and their attachment records)."""
    rows = list(records.order_by("sequence").values_list(*RECORD_COLUMNS).iterator(chunk_size=CHUNK))
    files, sequences = _record_files(_with_item_attachments(records, rows))
    if not sequences:
        raise ValidationError(_("Det finns inga arkivposter att exportera."))
    files["data/records.jsonl"] = "".join(
        content.decode("utf-8") + "\n" for name, content in files.items() if name.startswith("data/records/")
    ).encode("utf-8")
    key, directory = _new_dir()
    path = _bag(
        directory=directory, files=files, external_identifier=external_identifier or key,
        description=description, zip_name=f"arkiv-{key[:8]}",
    )
    return _register(kind=ExportKind.BAG, user=user, key=key, path=path, description=description, sequences=sequences)


def _attachment_entry(record: ArchiveRecord) -> dict:
    info = attachment_info(record)
    return {
        "sequence": record.sequence, "media_type": info.get("media_type") or "", "size": info.get("size"),
        "sha256": info.get("sha256") or "", "url": info.get("url") or "", "file": attachment_file_name(info),
        "stored_path": info.get("stored_path") or "",
    }


def _delivery_entries(request: PublicRecordsRequest) -> list[dict]:
    """What a request delivers: released records whole (with the item's archived attachment files),
    partially released ones as masked copies (text only: no attachment files)."""
    entries = []
    items = list(
        request.items.select_related("record").prefetch_related("masked_copies").order_by("record__sequence")
    )
    released_pairs = {
        (item.record.channel_id, item.record.platform_id) for item in items if item.decision == ReviewDecision.RELEASE
    }
    attachments: dict[tuple, list[dict]] = {}
    for record in attachment_records_of_items(released_pairs):
        attachments.setdefault((record.channel_id, record.platform_id), []).append(_attachment_entry(record))
    for item in items:
        record = item.record
        snapshot = _snapshot(record.content).get("snapshot") or {}
        base = {
            "sequence": record.sequence,
            "channel": record.channel_name,
            "platform": record.platform,
            "platform_id": record.platform_id,
            "kind": record.get_kind_display() if record.kind else "",
            "author": record.author_name,
            "created_at": snapshot.get("created_at"),
            "received_at": record.received_at.isoformat() if record.received_at else None,
            "thread_parent_text": (snapshot.get("thread") or {}).get("parent_text") or "",
        }
        if item.decision == ReviewDecision.RELEASE:
            if record.record_type == RecordType.ATTACHMENT:
                files = [_attachment_entry(record)] if record.culled_at is None else []
            else:
                files = attachments.get((record.channel_id, record.platform_id), [])
            entries.append({**base, "text": snapshot.get("text") or "", "masked": False,
                            "content_sha256": record.content_sha256, "attachments": files})
        elif item.decision == ReviewDecision.PARTIAL:
            copy = item.masked_copies.all()[0]
            entries.append({**base, "text": copy.masked_text, "masked": True, "mask_log": copy.mask_log,
                            "osl_reference": item.osl_reference})
    return entries


def _require_reviewed(request: PublicRecordsRequest) -> None:
    if request.items.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("Pröva alla handlingar innan något lämnas ut."))


def render_pdf(*, title: str, entries: list[dict], intro: str = "", decision_text: str = "") -> bytes:
    """A tagged PDF (PDF/UA-1) of the entries, made with WeasyPrint."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        "archive/pdf/records.html",
        {"title": title, "entries": entries, "intro": intro, "decision_text": decision_text,
         "municipality": getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun"),
         "generated_at": timezone.localtime()},
    )
    return HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=str(PDF_CSS))], pdf_variant="pdf/ua-1", pdf_identifier=False,
    )


def export_request_pdf(*, request: PublicRecordsRequest, user) -> Export:
    _require_reviewed(request)
    entries = _delivery_entries(request)
    if not entries and not request.decision_text:
        raise ValidationError(_("Inget lämnas ut i den här begäran."))
    title = _("Utlämnade handlingar, begäran %(id)s") % {"id": request.pk}
    data = render_pdf(title=title, entries=entries, intro=request.description, decision_text=request.decision_text)
    key, directory = _new_dir()
    path = directory / f"begaran-{request.pk}.pdf"
    path.write_bytes(data)
    return _register(
        kind=ExportKind.PDF, user=user, key=key, path=path, description=title,
        sequences=_entry_sequences(entries), request=request,
    )


def _entry_sequences(entries: list[dict]) -> list[int]:
    """The records an export delivers: the entries and their attachment records."""
    sequences = {e["sequence"] for e in entries}
    sequences.update(a["sequence"] for e in entries for a in e.get("attachments") or [])
    return sorted(sequences)


def export_request_bag(*, request: PublicRecordsRequest, user) -> Export:
    _require_reviewed(request)
    entries = _delivery_entries(request)
    if not entries:
        raise ValidationError(_("Inget lämnas ut i den här begäran."))
    files = {
        f"data/records/{e['sequence']:010d}.json": json.dumps(e, ensure_ascii=False, indent=2).encode("utf-8")
        for e in entries
    }
    for entry in entries:
        for attachment in entry.get("attachments") or []:
            files[f"data/files/{attachment['file']}"] = _stored_file(attachment)
    if request.decision_text:
        files["data/beslut.txt"] = request.decision_text.encode("utf-8")
    title = _("Utlämnade handlingar, begäran %(id)s") % {"id": request.pk}
    key, directory = _new_dir()
    path = _bag(directory=directory, files=files, external_identifier=f"begaran-{request.pk}",
                description=title, zip_name=f"begaran-{request.pk}")
    return _register(
        kind=ExportKind.BAG, user=user, key=key, path=path, description=title,
        sequences=_entry_sequences(entries), request=request,
    )


def export_data_subject(*, user, author_platform_id: str, platform: str = "") -> Export:
    """GDPR art. 15: everything the archive holds about one platform author, as a BagIt bag."""
    author_platform_id = (author_platform_id or "").strip()
    if not author_platform_id:
        raise ValidationError(_("Ange avsändarens id på plattformen."))
    records = ArchiveRecord.objects.filter(author_platform_id=author_platform_id, culled_at__isnull=True)
    if platform:
        records = records.filter(platform=platform)
    rows = list(records.order_by("sequence").values_list(*RECORD_COLUMNS))
    files, sequences = _record_files(rows)
    if not sequences:
        raise ValidationError(_("Arkivet innehåller inget om den avsändaren."))
    summary = [
        _("Registerutdrag (dataskyddsförordningen artikel 15)"),
        _("Avsändar-id: %(id)s") % {"id": author_platform_id},
        _("Plattform: %(platform)s") % {"platform": platform or _("alla")},
        _("Antal arkivposter: %(count)s") % {"count": len(sequences)},
        _("Uppgifterna är allmänna handlingar och bevaras eller gallras enligt nämndens gallringsbeslut."),
    ]
    files["data/sammanfattning.txt"] = ("\n".join(summary) + "\n").encode("utf-8")
    description = _("Registerutdrag för %(id)s") % {"id": author_platform_id}
    key, directory = _new_dir()
    path = _bag(directory=directory, files=files, external_identifier=f"registerutdrag-{key[:8]}",
                description=description, zip_name=f"registerutdrag-{key[:8]}")
    return _register(kind=ExportKind.SUBJECT, user=user, key=key, path=path, description=description,
                     sequences=sequences)


def _date_bounds(date_from: datetime.date | None, date_to: datetime.date | None):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tz) if date_from else None
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tz) if date_to else None
    return start, end
