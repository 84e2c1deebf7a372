"""Requests for public documents (begäran om allmän handling): intake, review, masking, decisions."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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
from archive.osl import osl_ground_clean


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
    received_at: datetime.datetime | None = None, scope: dict | None = None,
) -> PublicRecordsRequest:
    """Register a request. What it describes (``scope``: channel_id, date_from, date_to, author,
    terms) is held at once, in the same transaction, so that no gallring run can cull the material
    before the records officer has found it; the hold is released when the request is closed."""
    from archive.services.gallring import hold_create, scope_clean

    if not (description or "").strip():
        raise ValidationError(_("Beskriv vad som begärs."))
    scope = scope_clean(scope or {})
    with transaction.atomic():
        request = PublicRecordsRequest.objects.create(
            description=description.strip(),
            requester_name=requester_name.strip(),
            requester_contact=requester_contact.strip(),
            received_at=received_at or timezone.now(),
            created_by=user,
            scope_channel_id=scope["channel_id"], scope_channel_name=scope["channel_name"],
            scope_date_from=scope["date_from"], scope_date_to=scope["date_to"],
            scope_author=scope["author"], scope_terms=scope["terms"],
        )
        if scope["any"]:
            hold_create(
                user=user, reason=_("Begäran om allmän handling %(id)s: %(text)s") % {
                    "id": request.pk, "text": request.description[:200]},
                channel_id=scope["channel_id"], channel_name=scope["channel_name"], date_from=scope["date_from"],
                date_to=scope["date_to"], author_name=scope["author"], search_terms=scope["terms"],
                reference=_("begäran %(id)s") % {"id": request.pk}, request=request,
            )
    return request


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
    """Release in full, or refuse with the OSL ground. Partial release goes through masking_create.

    A full release delivers the record's delivery fields as its review page shows them
    (archive.services.delivery); a record under a sekretess marking is never released in full: it is
    masked or refused (or its marking lifted first, with a reason)."""
    _require_open(item.request)
    if decision not in (ReviewDecision.RELEASE, ReviewDecision.REFUSE):
        raise ValidationError(_("Välj att lämna ut eller avslå."))
    if decision == ReviewDecision.REFUSE:
        osl_reference = osl_ground_clean(
            osl_reference,
            required_message=_("Ett avslag måste ange sekretessgrunden i offentlighets- och sekretesslagen."),
        )
    else:
        osl_reference = ""
        _refuse_release_of_marked(item.record)
    RequestItem.objects.filter(pk=item.pk).update(
        decision=decision, osl_reference=osl_reference, decided_by=user, decided_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def _refuse_release_of_marked(record: ArchiveRecord) -> None:
    from archive.services.secrecy import secrecy_markings_for

    if secrecy_markings_for([record]).get(record.pk):
        raise ValidationError(_(
            "Posten är sekretessmarkerad och kan inte lämnas ut i sin helhet. Maskera de uppgifter som "
            "omfattas av sekretess eller avslå; är markeringen inte längre riktig, häv den först med en motivering."
        ))


def masking_create(
    *, item: RequestItem, osl_reference: str, user, phrases: list[str] | None = None,
    whole_fields: list[str] | None = None, release_attachments: bool = False,
) -> MaskedCopy:
    """Partial release: a masked copy of the record's delivery fields and a masking log. ``phrases``
    are masked wherever they occur in the free-text fields (text, sender, a removal's motivation);
    ``whole_fields`` are withheld entirely. The record is untouched."""
    from archive.services.delivery import mask_view, record_view

    _require_open(item.request)
    osl_reference = osl_ground_clean(
        osl_reference, required_message=_("Ange sekretessgrunden i offentlighets- och sekretesslagen för maskeringen.")
    )
    view = record_view(item.record)
    keys = {f.key for f in view.maskable}
    whole = {str(k) for k in (whole_fields or [])}
    unknown = whole - keys
    if unknown:
        raise ValidationError(_("Okänt fält att maskera: %(fields)s.") % {"fields": ", ".join(sorted(unknown))[:200]})
    phrases = [p.strip() for p in (phrases or []) if p and p.strip()]
    fields, log = mask_view(view, phrases=phrases, whole=whole, osl_reference=osl_reference)
    if not log:
        raise ValidationError(_("Inget av det angivna finns i posten; inget maskerades."))
    with transaction.atomic():
        copy = MaskedCopy.objects.create(
            item=item, masked_text=fields.get("text", ""), fields=fields, mask_log=log,
            attachments_released=bool(release_attachments),
            original_content_sha256=item.record.content_sha256, created_by=user,
        )
        RequestItem.objects.filter(pk=item.pk).update(
            decision=ReviewDecision.PARTIAL, osl_reference=osl_reference, decided_by=user, decided_at=timezone.now()
        )
    item.refresh_from_db()
    return copy


def request_close(*, request: PublicRecordsRequest, user) -> PublicRecordsRequest:
    """Close a reviewed and decided request; the holds its registration placed are released."""
    from archive.services.decisions import decision_current
    from archive.services.gallring import hold_release

    if request.items.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("Pröva alla handlingar innan begäran avslutas."))
    if request.items.exists() and decision_current(request) is None:
        raise ValidationError(_("Fatta beslut om utlämnandet innan begäran avslutas."))
    with transaction.atomic():
        updated = PublicRecordsRequest.objects.filter(pk=request.pk, state=RequestState.OPEN).update(
            state=RequestState.CLOSED, closed_at=timezone.now()
        )
        if updated != 1:
            raise ValidationError(_("Begäran är redan avslutad."))
        for hold in request.holds.filter(released_at__isnull=True):
            hold_release(hold=hold, user=user)
    request.refresh_from_db()
    return request


__all__ = [
    "AccessAction",
    "access_log_write",
    "masking_create",
    "record_text",
    "request_add_records",
    "request_close",
    "request_create",
    "request_item_decide",
]


def request_deadline_reminders_send(*, now=None) -> int:
    """Tell the records officers about each open request whose last day has come (once per request)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from archive.selectors import request_deadline, request_due_display
    from registry.models import Role

    now = now or timezone.now()
    due = [r for r in PublicRecordsRequest.objects.filter(state=RequestState.OPEN, deadline_reminder_sent_at__isnull=True)
           # The last day has begun: the deadline (the end of that day) is less than a day away.
           if request_deadline(r.received_at) - now <= datetime.timedelta(days=1)]
    if not due:
        return 0
    recipients = sorted(set(
        get_user_model().objects.filter(is_active=True, groups__name=Role.RECORDS_OFFICER).exclude(email="")
        .values_list("email", flat=True)
    )) or ([settings.INFORMATOR_EMAIL] if settings.INFORMATOR_EMAIL else [])
    for request in due:
        subject = _("Begäran om allmän handling %(id)s ska handläggas senast %(day)s") % {
            "id": request.pk, "day": request_due_display(request.received_at)}
        body = _("Begäran %(id)s (mottagen %(received)s) ska handläggas skyndsamt och senast %(day)s.\n\n"
                 "Vad som begärs: %(text)s\n") % {
            "id": request.pk, "received": timezone.localtime(request.received_at).strftime("%Y-%m-%d %H:%M"),
            "day": request_due_display(request.received_at), "text": request.description[:500]}
        if recipients:
            send_mail(subject, body, None, recipients)
        PublicRecordsRequest.objects.filter(pk=request.pk, deadline_reminder_sent_at__isnull=True).update(
            deadline_reminder_sent_at=now)
    return len(due)
