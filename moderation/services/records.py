"""The records side of an item in the workspace: registration (diarieföring), sekretess marking, and
the one hand-off a direct message needs or the recorded reason why none applies.

Each writes to the archive in the decision's own transaction (archive.services), so an item is
never marked in the workspace without the record that proves it, and an audit row names who did it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, QueueEntry
from .removal import item_snapshot
from .workspace import MOTIVATION_MAX, _audit, _cas, _check_may_act, _clean_text, _state


def entry_register_case(*, user, entry: QueueEntry, case_number: str, subject: str = "",
                        request_id: str = "") -> QueueEntry:
    """Mark the item as concerning a specific ongoing ärende: its diarienummer and a brief subject
    (OSL 5:2) go to the archive as a registration record with the item's content and sender, which
    gallring of public comments never touches (archive.services.register)."""
    from archive.services import registration_capture

    _check_may_act(user, entry)
    case_number = _clean_text(case_number, required_message=_("Ange diarienumret."), limit=100)
    subject = _clean_text(subject, required_message=_("Ange kort vad handlingen rör (ärendemening)."), limit=300)
    if entry.concerns_case and entry.case_number == case_number:
        raise ValidationError(_("Posten är redan registrerad med det diarienumret."))
    before = _state(entry)
    with transaction.atomic():
        record = registration_capture(snapshot=item_snapshot(entry=entry), case_number=case_number, subject=subject,
                                      registered_by=user)
        _cas(entry=entry, condition=Q(), concerns_case=True, case_number=case_number)
        _audit(entry=entry, action=AuditEvent.Action.REGISTERED, actor=user, before=before, motivation=subject,
               request_id=request_id, extra={"archive_sequence": record.sequence})
    return entry


def entry_mark_secret(*, user, entry: QueueEntry, osl_ground: str, note: str = "", request_id: str = ""):
    """Sekretess marking (OSL 5:5) of the item: every archived record of it carries it."""
    from archive.services import secrecy_mark

    _check_may_act(user, entry)
    with transaction.atomic():
        marking = secrecy_mark(user=user, channel_id=entry.channel_id, platform_id=entry.item.platform_id,
                               osl_ground=osl_ground, note=note)
        _audit(entry=entry, action=AuditEvent.Action.SECRECY, actor=user, before=_state(entry),
               motivation=marking.get_osl_ground_display(), request_id=request_id,
               extra={"secrecy_marking": marking.pk})
    return marking


def entry_is_secret(entry: QueueEntry) -> bool:
    """Flagged sekretess by screening, or marked secret by staff."""
    from archive.services import secrecy_marking_for_item

    return "sekretess" in entry.flag_code_list or secrecy_marking_for_item(
        channel_id=entry.channel_id, platform_id=entry.item.platform_id) is not None


def entry_waive_handoff(*, user, entry: QueueEntry, reason: str, request_id: str = "") -> QueueEntry:
    """Record why a direct message needs no hand-off (a reply to our own message, spam, a duplicate of
    one already handed off): the reason stands in for the hand-off when the message is closed."""
    _check_may_act(user, entry)
    if not entry.is_dm:
        raise ValidationError(_("Bara direktmeddelanden lämnas över som inkomna handlingar."))
    if hasattr(entry, "handoff"):
        raise ValidationError(_("Meddelandet är redan överlämnat."))
    reason = _clean_text(reason, required_message=_("Skriv varför meddelandet inte behöver lämnas över."),
                         limit=MOTIVATION_MAX)
    before = _state(entry)
    with transaction.atomic():
        _cas(entry=entry, condition=Q(handoff_waived_at__isnull=True), handoff_waived_reason=reason,
             handoff_waived_by=user, handoff_waived_at=timezone.now())
        _audit(entry=entry, action=AuditEvent.Action.HANDOFF_WAIVED, actor=user, before=before, motivation=reason,
               request_id=request_id)
    return entry


def check_may_close(*, entry: QueueEntry, motivation: str = "") -> None:
    """What the records law asks before an item is closed: a direct message has been handed off (or
    why not is recorded); a secret item is registered, or the reason for no action is written."""
    if entry.is_dm and not hasattr(entry, "handoff") and entry.handoff_waived_at is None:
        raise ValidationError(_(
            "Direktmeddelandet är en inkommen handling: lämna över det, eller skriv varför det inte behövs, "
            "innan det avslutas."
        ))
    if not entry.concerns_case and not (motivation or "").strip() and entry_is_secret(entry):
        raise ValidationError(_(
            "Posten kan innehålla sekretessuppgifter: diarieför den, eller skriv varför ingen åtgärd behövs."
        ))
