"""The data-subject extract (registerutdrag, GDPR art. 15) for one platform author.

The extract holds the person's own data and nothing else (art. 15(4): a copy must not adversely
affect the rights of others): their items and every archived version of them (text, times, channel,
visibility, their own name, id and profile address), the files they posted, the decisions about
them (removals with their grounds and motivation, blocks, registration of their message) and what
the platform showed of their items (hidden, removed). It never holds the texts of other people's
comments that a record keeps as thread context, the platform's raw payload, staff members' names,
sekretess markings or suspected-CSAM markings (whose police reference is not the person's data to
have). A summary gives the information art. 15(1) asks for: purposes, legal basis, recipients,
retention under the boards' gallring decisions, source and the person's rights.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from archive.models import ArchiveRecord, Export, ExportKind, RecordType, RetentionRule
from archive.services.delivery import code_names, kind_label, local_time, platform_label, visibility_label
from archive.services.exports import _bag, _file_stem, _new_dir, _register, _stored_file, attachment_file_name

OWN_RECORD_TYPES = (
    RecordType.ITEM_VERSION, RecordType.REMOVAL_SNAPSHOT, RecordType.ATTACHMENT, RecordType.MANUAL_CAPTURE,
    RecordType.REGISTRATION, RecordType.PLATFORM_EVENT, RecordType.BLOCK,
)


def _own_item(record: ArchiveRecord, snapshot: dict) -> dict:
    author = snapshot.get("author") or {}
    return {
        "kanal": record.channel_name,
        "plattform": platform_label(record.platform),
        "typ": kind_label(record.kind),
        "version": record.version,
        "skapad": local_time(snapshot.get("created_at")),
        "ändrad": local_time(snapshot.get("edited_at")),
        "mottagen": local_time(record.received_at),
        "synlighet": visibility_label(record.visibility),
        "text": str(snapshot.get("text") or ""),
        "avsändare": {
            "namn": str(author.get("name") or record.author_name),
            "id": str(author.get("platform_id") or record.author_platform_id),
            "profil": str(author.get("profile_url") or ""),
        },
        "bilagor": [
            {"typ": a.get("media_type") or "", "storlek": a.get("size"), "sha256": a.get("sha256") or ""}
            for a in snapshot.get("attachments") or [] if isinstance(a, dict)
        ],
    }


def subject_entry(record: ArchiveRecord) -> dict | None:
    """What the extract says of one record, or None when it holds nothing of the person's own."""
    if record.record_type not in OWN_RECORD_TYPES or not record.content:
        return None
    content = json.loads(record.content)
    snapshot = content.get("snapshot") or {}
    entry = {"arkivpost": record.sequence, "posttyp": str(record.get_record_type_display())}
    if record.record_type in (RecordType.ITEM_VERSION, RecordType.MANUAL_CAPTURE):
        return {**entry, **_own_item(record, snapshot)}
    if record.record_type == RecordType.REMOVAL_SNAPSHOT:
        decision = content.get("decision") or {}
        return {**entry, **_own_item(record, snapshot), "beslut": {
            "grund": code_names(decision.get("codes")),
            "motivering": str(decision.get("reason") or ""),
            "beslutat": local_time(content.get("archived_at")),
        }}
    if record.record_type == RecordType.ATTACHMENT:
        info = snapshot.get("attachment") or {}
        return {**entry, "kanal": record.channel_name, "mottagen": local_time(record.received_at),
                "fil": attachment_file_name(info), "typ": info.get("media_type") or "", "storlek": info.get("size"),
                "sha256": info.get("sha256") or ""}
    event = content.get("event") or {}
    base = {**entry, "kanal": record.channel_name, "tidpunkt": local_time(content.get("at"))}
    if record.record_type == RecordType.REGISTRATION:
        return {**base, "diarienummer": event.get("case_number") or "", "ärendemening": event.get("subject") or ""}
    if record.record_type == RecordType.PLATFORM_EVENT:
        return {**base, "händelse": event.get("description") or event.get("event") or "",
                "synlighet": visibility_label(event.get("new_visibility") or "")}
    if record.record_type == RecordType.BLOCK:
        return {**base, "händelse": event.get("event_label") or event.get("event") or "",
                "grund": code_names(event.get("codes")), "motivering": event.get("motivation") or "",
                "omprövas": event.get("review_on") or ""}
    return None


def _retention_lines(records: list[ArchiveRecord]) -> list[str]:
    boards = {r.channel_board_id for r in records if r.channel_board_id}
    lines = []
    for rule in RetentionRule.objects.filter(board_id__in=boards).select_related("board").order_by("board__name"):
        period = _("bevaras") if rule.keep_forever else _("gallras efter %(n)s månader") % {"n": rule.retention_months}
        lines.append(_("- %(board)s, %(cls)s: %(period)s (beslut %(ref)s)") % {
            "board": rule.board.name, "cls": rule.get_information_class_display(), "period": period,
            "ref": rule.decision_reference})
    return lines or [_("- Inget gallringsbeslut gäller ännu: uppgifterna bevaras tills ett beslut fattas.")]


def export_data_subject(*, user, author_platform_id: str, platform: str = "") -> Export:
    """GDPR art. 15: what the archive holds of one platform author's own data, as a BagIt bag."""
    author_platform_id = (author_platform_id or "").strip()
    if not author_platform_id:
        raise ValidationError(_("Ange avsändarens id på plattformen."))
    records = ArchiveRecord.objects.filter(
        author_platform_id=author_platform_id, culled_at__isnull=True, record_type__in=OWN_RECORD_TYPES
    )
    if platform:
        records = records.filter(platform=platform)
    records = list(records.order_by("sequence"))
    files: dict[str, bytes | Path] = {}
    sequences: list[int] = []
    with translation.override("sv"):
        for record in records:
            entry = subject_entry(record)
            if entry is None:
                continue
            files[f"data/records/{record.sequence:010d}.json"] = json.dumps(
                entry, ensure_ascii=False, indent=2).encode("utf-8")
            sequences.append(record.sequence)
            if record.record_type == RecordType.ATTACHMENT:
                info = (json.loads(record.content).get("snapshot") or {}).get("attachment") or {}
                files[f"data/files/{attachment_file_name(info)}"] = _stored_file(info)
        if not sequences:
            raise ValidationError(_("Arkivet innehåller inget om den avsändaren."))
        authority = getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun")
        summary = [
            _("Registerutdrag enligt dataskyddsförordningen artikel 15"),
            "",
            _("Personuppgiftsansvarig: %(authority)s") % {"authority": authority},
            _("Avsändar-id: %(id)s") % {"id": author_platform_id},
            _("Plattform: %(platform)s") % {"platform": platform_label(platform) if platform else _("alla")},
            _("Antal arkivposter i utdraget: %(count)s") % {"count": len(sequences)},
            "",
            _("Ändamål: Kommentarer och meddelanden på kommunens officiella kanaler i sociala medier är allmänna "
              "handlingar. De bevaras enligt arkivlagen (1990:782) och tryckfrihetsförordningen 2 kap. och "
              "modereras enligt kommunens riktlinjer för sociala medier."),
            _("Rättslig grund: rättslig förpliktelse och uppgift av allmänt intresse (artikel 6.1 c och e)."),
            _("Mottagare: Uppgifterna kan lämnas ut till den som begär att få ta del av allmänna handlingar, efter "
              "sekretessprövning."),
            _("Källa: uppgifterna har hämtats från plattformen där du skrev dem."),
            _("Lagringstid: uppgifterna bevaras eller gallras enligt nämndernas gallringsbeslut:"),
            *_retention_lines(records),
            "",
            _("Utdraget innehåller bara dina egna uppgifter: dina inlägg, kommentarer och meddelanden med alla "
              "versioner, filer du har lagt upp och beslut som gäller dig. Andra personers kommentarer, "
              "plattformens tekniska rådata och tjänstepersoners namn ingår inte."),
            _("Du har rätt att begära rättelse och att klaga hos Integritetsskyddsmyndigheten (IMY). Allmänna "
              "handlingar kan inte raderas på begäran (artikel 17.3 b)."),
        ]
        description = _("Registerutdrag för %(id)s") % {"id": author_platform_id}
    files["data/sammanfattning.txt"] = ("\n".join(summary) + "\n").encode("utf-8")
    key, directory = _new_dir()
    stem = _file_stem("registerutdrag", key)
    path = _bag(directory=directory, files=files, external_identifier=stem, description=description, zip_name=stem)
    return _register(kind=ExportKind.SUBJECT, user=user, key=key, path=path, description=description,
                     sequences=sequences)
