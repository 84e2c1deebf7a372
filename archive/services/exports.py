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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive.models import (
    FILE_RECORD_TYPES,
    AccessAction,
    ArchiveRecord,
    Export,
    ExportKind,
    PublicRecordsRequest,
    RecordType,
    ReviewDecision,
)
from archive.osl import osl_ground_label
from archive.services.attachments import (
    archive_file_path,
    attachment_info,
    attachment_records_of_items,
    file_suffix,
)
from archive.services.delivery import delivered_fields, local_time, parent_records, record_view
from archive.services.requests import access_log_write
from archive.services.secrecy import secrecy_markings_for

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
        if record_type in FILE_RECORD_TYPES and (json.loads(content).get("snapshot") or {}).get("attachment"):
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
    """An archived file as a delivery lists it (never its platform address: a platform's media
    address can name the uploader)."""
    info = attachment_info(record)
    return {
        "sequence": record.sequence, "media_type": info.get("media_type") or "", "size": info.get("size"),
        "sha256": info.get("sha256") or "", "file": attachment_file_name(info),
        "stored_path": info.get("stored_path") or "",
    }


def _delivery_entries(request: PublicRecordsRequest) -> list[dict]:
    """What a request delivers, and nothing more (archive.services.delivery): released records with
    their delivery fields in full and the item's archived attachment files; partially released ones
    with their masked fields (and the files only where the records officer released them)."""
    items = [
        item for item in request.items.select_related("record").prefetch_related("masked_copies")
        .order_by("record__sequence")
        if item.decision in (ReviewDecision.RELEASE, ReviewDecision.PARTIAL)
    ]
    records = [item.record for item in items]
    parents = parent_records(records)
    markings = secrecy_markings_for(records)
    copies = {item.pk: item.masked_copies.all()[0] for item in items if item.decision == ReviewDecision.PARTIAL}
    with_files = {
        (item.record.channel_id, item.record.platform_id) for item in items
        if item.decision == ReviewDecision.RELEASE
        or (item.pk in copies and copies[item.pk].attachments_released)
    }
    attachments: dict[tuple, list[dict]] = {}
    for record in attachment_records_of_items(with_files):
        attachments.setdefault((record.channel_id, record.platform_id), []).append(_attachment_entry(record))
    entries = []
    for item in items:
        record = item.record
        view = record_view(record, parents=parents)
        copy = copies.get(item.pk)
        masked = (copy.fields or {"text": copy.masked_text}) if copy is not None else None
        if copy is None or copy.attachments_released:
            if record.record_type == RecordType.ATTACHMENT:
                files = [_attachment_entry(record)] if record.culled_at is None else []
            else:
                files = attachments.get((record.channel_id, record.platform_id), [])
        else:
            files = []
        entries.append({
            "sequence": record.sequence,
            "decision": str(item.get_decision_display()),
            "masked": copy is not None,
            "fields": delivered_fields(view, masked=masked),
            "mask_log": copy.mask_log if copy is not None else [],
            "osl_ground": osl_ground_label(item.osl_reference) if copy is not None else "",
            "secrecy_markings": [
                {"osl_ground": m.get_osl_ground_display(), "marked_at": local_time(m.marked_at)}
                for m in markings.get(record.pk, [])
            ],
            "attachments": files,
        })
    return entries


def _require_deliverable(request: PublicRecordsRequest):
    """The request's current decision; refused while a record is unreviewed or the decision is stale."""
    from archive.services.decisions import decision_current

    if request.items.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("Pröva alla handlingar innan något lämnas ut."))
    decision = decision_current(request)
    if decision is None:
        raise ValidationError(_("Fatta beslut om utlämnandet innan något lämnas ut (eller fatta ett nytt "
                                "beslut: prövningen har ändrats sedan det senaste)."))
    return decision


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of the HTML, made with WeasyPrint."""
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=str(PDF_CSS))], pdf_variant="pdf/ua-1", pdf_identifier=False,
    )


def render_pdf(*, title: str, entries: list[dict], intro: str = "", decision=None) -> bytes:
    """The delivery document: the decision, then each delivered record as it was reviewed."""
    with translation.override("sv"):
        html = render_to_string(
            "archive/pdf/records.html",
            {"title": title, "entries": entries, "intro": intro, "decision": decision,
             "legacy": bool(decision and (decision.data or {}).get("legacy")),
             "municipality": getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun"),
             "generated_at": local_time(timezone.now())},
        )
    return html_to_pdf(html)


def _file_stem(prefix: str, key: str) -> str:
    """A file name no other export shares: what, when (local time) and a part of the export's key."""
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M}-{key[:6]}"


def export_request_pdf(*, request: PublicRecordsRequest, user) -> Export:
    decision = _require_deliverable(request)
    entries = _delivery_entries(request)
    with translation.override("sv"):
        title = _("Utlämnade handlingar, begäran %(id)s") % {"id": request.pk}
    data = render_pdf(title=title, entries=entries, intro=request.description, decision=decision)
    key, directory = _new_dir()
    path = directory / f"{_file_stem(f'begaran-{request.pk}', key)}.pdf"
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


def _public_entry(entry: dict) -> dict:
    """An entry as the bag carries it (the archive's own file locations left out)."""
    return {**entry, "attachments": [
        {k: v for k, v in a.items() if k != "stored_path"} for a in entry.get("attachments") or []
    ]}


def export_request_bag(*, request: PublicRecordsRequest, user) -> Export:
    from archive.services.decisions import decision_pdf

    decision = _require_deliverable(request)
    entries = _delivery_entries(request)
    if not entries:
        raise ValidationError(_("Inget lämnas ut i den här begäran; ladda ned beslutet som PDF."))
    files: dict[str, bytes | Path] = {
        f"data/records/{e['sequence']:010d}.json":
            json.dumps(_public_entry(e), ensure_ascii=False, indent=2).encode("utf-8")
        for e in entries
    }
    for entry in entries:
        for attachment in entry.get("attachments") or []:
            files[f"data/files/{attachment['file']}"] = _stored_file(attachment)
    files["data/beslut.pdf"] = decision_pdf(decision)
    files["data/beslut.txt"] = decision.text.encode("utf-8")
    with translation.override("sv"):
        title = _("Utlämnade handlingar, begäran %(id)s") % {"id": request.pk}
    key, directory = _new_dir()
    path = _bag(directory=directory, files=files, external_identifier=f"begaran-{request.pk}",
                description=title, zip_name=_file_stem(f"begaran-{request.pk}", key))
    return _register(
        kind=ExportKind.BAG, user=user, key=key, path=path, description=title,
        sequences=_entry_sequences(entries), request=request,
    )


def _date_bounds(date_from: datetime.date | None, date_to: datetime.date | None):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tz) if date_from else None
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tz) if date_to else None
    return start, end
