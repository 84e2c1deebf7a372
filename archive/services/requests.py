"""Requests for public documents (begäran om allmän handling): intake, review, masking, decisions."""

import datetime
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from archive.models import (
    AccessAction,
    AccessLogEntry,
    ArchiveRecord,
    MaskedCopy,
    PublicRecordsRequest,
    RequestItem,
    RequestState,
    ReviewDecision,
)

MASK = "█"


def record_text(record: ArchiveRecord) -> str:
    """The item text of a record ("" for tombstones and CSAM markings)."""
    if not record.content:
        return ""
    snapshot = json.loads(record.content).get("snapshot") or {}
    return str(snapshot.get("text") or "")


def access_log_write(*, user, action: str, sequences: list[int], export=None, detail: str = "") -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        record_sequences=list(sequences),
        export=export,
        detail=detail[:500],
    )


def request_create(
    *, user, description: str, requester_name: str = "", requester_contact: str = "",
    received_at: datetime.datetime | None = None,
) -> PublicRecordsRequest:
    if not (description or "").strip():
        raise ValidationError(_("Beskriv vad som begärs."))
    return PublicRecordsRequest.objects.create(
        description=description.strip(),
        requester_name=requester_name.strip(),
        requester_contact=requester_contact.strip(),
        received_at=received_at or timezone.now(),
        created_by=user,
    )


def _require_open(request: PublicRecordsRequest) -> None:
    if request.state != RequestState.OPEN:
        raise ValidationError(_("Begäran är avslutad och kan inte ändras."))


def request_add_records(*, request: PublicRecordsRequest, records: list[ArchiveRecord], user) -> int:
    """Put archive records under review in the request; adding one twice changes nothing."""
    _require_open(request)
    existing = set(request.items.values_list("record_id", flat=True))
    new = [RequestItem(request=request, record=r) for r in records if r.pk not in existing and not r.is_tombstone]
    with transaction.atomic():
        RequestItem.objects.bulk_create(new)
    return len(new)


def request_item_decide(*, item: RequestItem, decision: str, osl_reference: str = "", user) -> RequestItem:
    """Release, or refuse with the OSL reference. Partial release goes through masking_create."""
    _require_open(item.request)
    if decision not in (ReviewDecision.RELEASE, ReviewDecision.REFUSE):
        raise ValidationError(_("Välj att lämna ut eller avslå."))
    osl_reference = (osl_reference or "").strip()
    if decision == ReviewDecision.REFUSE and not osl_reference:
        raise ValidationError(_("Ett avslag måste ange sekretessgrunden i offentlighets- och sekretesslagen."))
    RequestItem.objects.filter(pk=item.pk).update(
        decision=decision, osl_reference=osl_reference if decision == ReviewDecision.REFUSE else "",
        decided_by=user, decided_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def mask_text(text: str, phrases: list[str], osl_reference: str) -> tuple[str, list[dict]]:
    """Replace every occurrence of each phrase with block characters; return the text and the log."""
    spans: list[tuple[int, int]] = []
    lowered = text.casefold()
    for phrase in phrases:
        needle = phrase.strip().casefold()
        if not needle:
            continue
        start = lowered.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    masked = list(text)
    for start, end in merged:
        masked[start:end] = MASK * (end - start)
    log = [{"start": s, "end": e, "length": e - s, "osl_reference": osl_reference} for s, e in merged]
    return "".join(masked), log


def masking_create(*, item: RequestItem, phrases: list[str], osl_reference: str, user) -> MaskedCopy:
    """Partial release: a masked copy of the record's text and a masking log. The record is untouched."""
    _require_open(item.request)
    osl_reference = (osl_reference or "").strip()
    if not osl_reference:
        raise ValidationError(_("Ange sekretessgrunden i offentlighets- och sekretesslagen för maskeringen."))
    text = record_text(item.record)
    masked, log = mask_text(text, phrases, osl_reference)
    if not log:
        raise ValidationError(_("Inget av det angivna finns i texten; inget maskerades."))
    with transaction.atomic():
        copy = MaskedCopy.objects.create(
            item=item, masked_text=masked, mask_log=log,
            original_content_sha256=item.record.content_sha256, created_by=user,
        )
        RequestItem.objects.filter(pk=item.pk).update(
            decision=ReviewDecision.PARTIAL, osl_reference=osl_reference, decided_by=user, decided_at=timezone.now()
        )
    item.refresh_from_db()
    return copy


def refusal_decision_text(*, request: PublicRecordsRequest, user, decided_at: datetime.datetime) -> str:
    refused = list(
        request.items.filter(decision__in=[ReviewDecision.REFUSE, ReviewDecision.PARTIAL]).select_related("record")
    )
    if not refused:
        raise ValidationError(_("Ingen handling har avslagits eller maskerats; inget avslagsbeslut behövs."))
    court = getattr(settings, "ARCHIVE_APPEAL_COURT", "Kammarrätten i Sundsvall")
    authority = getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun")
    lines = [
        _("BESLUT"),
        "",
        _("%(authority)s, beslut %(date)s") % {"authority": authority, "date": date_format(decided_at, "Y-m-d")},
        _("Ärende: begäran om allmän handling nr %(id)s, mottagen %(received)s.")
        % {"id": request.pk, "received": date_format(timezone.localtime(request.received_at), "Y-m-d H:i")},
        "",
        _("Begäran: %(description)s") % {"description": request.description},
        "",
        _("Beslut: Begäran avslås i följande delar:"),
    ]
    for item in refused:
        part = _("helt") if item.decision == ReviewDecision.REFUSE else _("delvis (maskerade uppgifter)")
        lines.append(
            _("- Arkivpost %(seq)s (%(channel)s, %(date)s), avslås %(part)s med stöd av %(osl)s.")
            % {
                "seq": item.record.sequence,
                "channel": item.record.channel_name,
                "date": date_format(timezone.localtime(item.record.received_at), "Y-m-d"),
                "part": part,
                "osl": item.osl_reference,
            }
        )
    lines += [
        "",
        _("Beslutet har fattats av %(name)s.") % {"name": user.get_full_name() or user.get_username()},
        "",
        _("HUR MAN ÖVERKLAGAR"),
        _(
            "Du kan överklaga beslutet hos %(court)s. Skriv till kammarrätten och tala om vilket beslut du "
            "överklagar och hur du vill att det ska ändras. Skicka eller lämna överklagandet till %(authority)s, "
            "inte direkt till kammarrätten. Överklagandet måste ha kommit in till %(authority)s inom tre veckor "
            "från den dag du fick del av beslutet. Kommunen prövar först om beslutet ska ändras och skickar "
            "sedan överklagandet vidare till kammarrätten."
        )
        % {"court": court, "authority": authority},
    ]
    return "\n".join(lines)


def request_refuse(*, request: PublicRecordsRequest, user) -> PublicRecordsRequest:
    """Write the refusal decision (with how to appeal) for the refused and masked parts."""
    _require_open(request)
    decided_at = timezone.now()
    text = refusal_decision_text(request=request, user=user, decided_at=decided_at)
    PublicRecordsRequest.objects.filter(pk=request.pk).update(decision_text=text, decided_at=decided_at)
    request.refresh_from_db()
    return request


def request_close(*, request: PublicRecordsRequest, user) -> PublicRecordsRequest:
    if request.items.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("Pröva alla handlingar innan begäran avslutas."))
    if (
        request.items.filter(decision__in=[ReviewDecision.REFUSE, ReviewDecision.PARTIAL]).exists()
        and not request.decision_text
    ):
        raise ValidationError(_("Skriv avslagsbeslutet innan begäran avslutas."))
    updated = PublicRecordsRequest.objects.filter(pk=request.pk, state=RequestState.OPEN).update(
        state=RequestState.CLOSED, closed_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("Begäran är redan avslutad."))
    request.refresh_from_db()
    return request


__all__ = [
    "AccessAction",
    "access_log_write",
    "mask_text",
    "masking_create",
    "record_text",
    "request_add_records",
    "request_close",
    "request_create",
    "request_item_decide",
    "request_refuse",
]
