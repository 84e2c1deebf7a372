"""What a delivery to a requester releases of an archive record: its delivery fields.

A record's content holds more than the requested document: the thread context (the texts of other
comments), the author's platform id and profile address, the platform's raw payload. None of that
leaves in a delivery. A delivery carries exactly the fields listed here, the same fields the records
officer reviews on the record's review page (archive/templates/archive/review.html) before deciding,
so what leaves is what was reviewed:

- the archive's own register data, never masked: the record's number, its type and its hash;
- the document's fields, each of which can be masked on the review page: channel, kind, sender,
  times, visibility, the reply reference, the text, a removal decision's codes and reason, and a
  file's description. Thread context is named only by the archive record that holds it ("svar på
  arkivpost 17"): that record is released only when it is reviewed in the request itself.

Partial release stores a MaskedCopy whose ``fields`` hold every maskable field's value after
masking; a field missing from a copy (a field added after the copy was made) is withheld.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from archive.models import ArchiveRecord, ItemKind, RecordType
from archive.osl import osl_ground_label
from registry.models import Platform
from registry.policy import PROHIBITED_CATEGORIES

MASK = "█"
# A wholly masked field shows this, whatever its length: the length of a name is itself a clue.
WITHHELD = MASK * 6

VISIBILITY_LABELS = {
    "visible": "Synlig", "public": "Synlig", "hidden": "Dold", "deleted": "Borttagen", "removed": "Borttagen",
    "unpublished": "Avpublicerad",
}
CODE_NAMES = {c.code: c.policy_wording for c in PROHIBITED_CATEGORIES}


def visibility_label(value: str) -> str:
    label = VISIBILITY_LABELS.get((value or "").lower())
    return _(label) if label else (value or "")


def platform_label(value: str) -> str:
    try:
        return str(Platform(value).label)
    except ValueError:
        return value or ""


def kind_label(value: str) -> str:
    try:
        return str(ItemKind(value).label)
    except ValueError:
        return value or ""


def local_time(value) -> str:
    """A moment as Swedes read it, in the municipality's time zone: "fredag 4 december 2026 kl. 15.30"."""
    if not value:
        return ""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        local = timezone.localtime(value)
        return _("%(day)s kl. %(time)s") % {"day": date_format(local, "l j F Y"), "time": local.strftime("%H.%M")}
    return date_format(value, "l j F Y")


def code_names(codes) -> str:
    return "; ".join(f"{CODE_NAMES.get(c, c)} ({c})" for c in codes or [])


@dataclass
class DeliveryField:
    key: str
    label: str
    value: str
    maskable: bool = True
    # Free text, where phrases are masked within the value (the others are masked whole).
    free_text: bool = False


@dataclass
class RecordView:
    """The fields of one record as a delivery would release them in full."""

    record: ArchiveRecord
    fields: list[DeliveryField] = field(default_factory=list)

    @property
    def maskable(self) -> list[DeliveryField]:
        return [f for f in self.fields if f.maskable]

    def value(self, key: str) -> str:
        return next((f.value for f in self.fields if f.key == key), "")


def _snapshot(record: ArchiveRecord) -> tuple[dict, dict]:
    content = json.loads(record.content) if record.content else {}
    return content, content.get("snapshot") or {}


def parent_records(records: list[ArchiveRecord]) -> dict[tuple, int]:
    """(channel_id, platform_id) → sequence of the first archived record of each record's parent."""
    wanted = set()
    for record in records:
        _content, snapshot = _snapshot(record)
        parent = str((snapshot.get("thread") or {}).get("parent_platform_id") or "")
        if parent and parent != record.platform_id:
            wanted.add((record.channel_id, parent))
    if not wanted:
        return {}
    q = Q()
    for channel_id, platform_id in wanted:
        q |= Q(channel_id=channel_id, platform_id=platform_id)
    found: dict[tuple, int] = {}
    for channel_id, platform_id, sequence in (
        ArchiveRecord.objects.filter(q).exclude(record_type=RecordType.ATTACHMENT)
        .order_by("sequence").values_list("channel_id", "platform_id", "sequence")
    ):
        found.setdefault((channel_id, platform_id), sequence)
    return found


def record_view(record: ArchiveRecord, *, parents: dict[tuple, int] | None = None) -> RecordView:
    """Every field a delivery of the record would carry, with its Swedish label and display value."""
    content, snapshot = _snapshot(record)
    view = RecordView(record=record)
    add = view.fields.append
    add(DeliveryField("sequence", _("Arkivpost"), str(record.sequence), maskable=False))
    add(DeliveryField("record_type", _("Posttyp"), str(record.get_record_type_display()), maskable=False))
    add(DeliveryField("record_sha256", _("Arkivpostens SHA-256"), record.record_sha256, maskable=False))
    channel = record.channel_name
    if record.platform:
        channel = f"{channel} ({platform_label(record.platform)})" if channel else platform_label(record.platform)
    add(DeliveryField("channel", _("Kanal"), channel))
    if record.kind:
        add(DeliveryField("kind", _("Typ"), kind_label(record.kind)))
    if record.record_type == RecordType.CSAM_MARKING:
        add(DeliveryField("received_at", _("Mottagen"), local_time(record.received_at)))
        add(DeliveryField("note", _("Innehåll"), _("Innehållet finns inte: posten är markerad som misstänkt "
                                                   "sexuellt övergreppsmaterial mot barn och lagras aldrig.")))
        return view
    add(DeliveryField("author", _("Avsändare"), record.author_name, free_text=True))
    add(DeliveryField("created_at", _("Skapad på plattformen"), local_time(snapshot.get("created_at"))))
    if snapshot.get("edited_at"):
        add(DeliveryField("edited_at", _("Ändrad på plattformen"), local_time(snapshot.get("edited_at"))))
    add(DeliveryField("received_at", _("Mottagen"), local_time(record.received_at)))
    if record.visibility:
        add(DeliveryField("visibility", _("Synlighet"), visibility_label(record.visibility)))
    parent = str((snapshot.get("thread") or {}).get("parent_platform_id") or "")
    if parent and parent != record.platform_id:
        if parents is None:
            parents = parent_records([record])
        sequence = parents.get((record.channel_id, parent))
        reference = (
            _("arkivpost %(seq)s (lämnas ut bara om den prövas för sig)") % {"seq": sequence}
            if sequence else _("ett inlägg som inte finns i arkivet")
        )
        add(DeliveryField("in_reply_to", _("Svar på"), reference))
    if record.record_type == RecordType.ATTACHMENT:
        info = snapshot.get("attachment") or {}
        add(DeliveryField("file", _("Fil"), _("%(type)s, %(size)s byte, SHA-256 %(sha)s") % {
            "type": info.get("media_type") or _("okänd typ"), "size": info.get("size") or 0,
            "sha": info.get("sha256") or "",
        }))
        return view
    add(DeliveryField("text", _("Text"), str(snapshot.get("text") or ""), free_text=True))
    decision = content.get("decision") or {}
    if record.record_type == RecordType.REMOVAL_SNAPSHOT and decision:
        add(DeliveryField("removal_codes", _("Grund för borttagning"), code_names(decision.get("codes"))))
        add(DeliveryField("removal_reason", _("Motivering"), str(decision.get("reason") or ""), free_text=True))
    return view


# --- masking ---------------------------------------------------------------------------------------


def mask_spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of each phrase (ignoring case), merged where they overlap; positions are
    those of the original text."""
    spans = [
        match.span()
        for phrase in phrases if phrase.strip()
        for match in re.finditer(re.escape(phrase.strip()), text, re.IGNORECASE)
    ]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mask_text(text: str, phrases: list[str], osl_reference: str) -> tuple[str, list[dict]]:
    """Replace every occurrence of each phrase with block characters; return the text and the log."""
    spans = mask_spans(text, phrases)
    masked = list(text)
    for start, end in spans:
        masked[start:end] = MASK * (end - start)
    log = [{"start": s, "end": e, "length": e - s, "osl_reference": osl_reference} for s, e in spans]
    return "".join(masked), log


def mask_view(
    view: RecordView, *, phrases: list[str], whole: set[str], osl_reference: str
) -> tuple[dict[str, str], list[dict]]:
    """The maskable fields after masking (``whole`` withheld entirely, ``phrases`` masked within the
    free-text fields) and the masking log (field, positions in the original value, ground)."""
    masked: dict[str, str] = {}
    log: list[dict] = []
    for f in view.maskable:
        if f.key in whole:
            masked[f.key] = WITHHELD
            log.append({"field": f.key, "whole": True, "length": len(f.value), "osl_reference": osl_reference})
            continue
        if f.free_text and phrases:
            value, spans = mask_text(f.value, phrases, osl_reference)
            masked[f.key] = value
            log.extend({"field": f.key, **span} for span in spans)
        else:
            masked[f.key] = f.value
    return masked, log


def delivered_fields(view: RecordView, *, masked: dict[str, str] | None) -> list[dict]:
    """The fields as they leave: in full, or (with ``masked``, a MaskedCopy's fields) masked. A
    maskable field the copy does not name is withheld."""
    out = []
    for f in view.fields:
        if masked is None or not f.maskable:
            value, is_masked = f.value, False
        else:
            value = masked.get(f.key, WITHHELD)
            is_masked = value != f.value
        out.append({"key": f.key, "label": f.label, "value": value, "masked": is_masked})
    return out


def osl_label(value: str) -> str:
    return osl_ground_label(value) if value else ""
