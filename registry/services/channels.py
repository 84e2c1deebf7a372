"""Channels (anmälan, approval, closure), appointments, decisions, boards, departments, parties."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_change, snapshot
from ..models import (
    Appointment,
    AppointmentRole,
    Board,
    Channel,
    ChannelStatus,
    Department,
    DepartmentDecision,
    Party,
    Role,
)
from .common import (
    CHANNEL_FIELDS,
    CHECKLIST_FIELDS,
    T,
    _assign,
    _notify_informators,
    _refuse,
    _save_with_history,
)

# --- channels --------------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    actor,
    data: dict,
    status: str = ChannelStatus.ACTIVE,
    activated_at: dt.datetime | None = None,
    closed_at: dt.datetime | None = None,
) -> Channel:
    """The informatör registers a channel directly (active at once), or an import adds one in any status."""
    now = timezone.now()
    channel = Channel(status=status, submitted_by=actor if getattr(actor, "pk", None) else None, submitted_at=now)
    _assign(channel, data, CHANNEL_FIELDS)
    if status in (ChannelStatus.ACTIVE, ChannelStatus.CLOSED):
        channel.activated_at = activated_at or now
        channel.submitted_at = min(now, channel.activated_at)
    if status == ChannelStatus.CLOSED:
        channel.closed_at = closed_at or now
    return _save_with_history(obj=channel, object_type=T.CHANNEL, actor=actor, before=None, channel=channel)


@transaction.atomic
def channel_submit(*, actor, data: dict, base_url: str = "") -> Channel:
    """A department admin's anmälan of a new channel; the informatör is e-mailed and approves it."""
    channel = Channel(status=ChannelStatus.SUBMITTED, submitted_by=actor, submitted_at=timezone.now())
    _assign(channel, data, [f for f in CHANNEL_FIELDS if f not in CHECKLIST_FIELDS])
    _save_with_history(obj=channel, object_type=T.CHANNEL, actor=actor, before=None, channel=channel, action="submit")
    _notify_informators(
        channel=channel, actor=actor, base_url=base_url,
        template="registry/emails/channel_submitted.txt",
        subject=_("Ny kanal anmäld: %(name)s") % {"name": channel.name},
    )
    return channel


@transaction.atomic
def channel_update(*, actor, channel: Channel, data: dict) -> Channel:
    """Edit a channel's details. Its status changes only through the workflow services below."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before = snapshot(channel)
    _assign(channel, data, CHANNEL_FIELDS)
    return _save_with_history(obj=channel, object_type=T.CHANNEL, actor=actor, before=before, channel=channel)


def _channel_transition(*, channel: Channel, actor, allowed: Q, updates: dict, action: str, refusal: str) -> Channel:
    """Compare-and-set: apply ``updates`` only if the row still matches ``allowed``; exactly one row."""
    current = Channel.objects.get(pk=channel.pk)
    before = snapshot(current)
    changed = Channel.objects.filter(Q(pk=channel.pk) & allowed).update(**updates, updated_at=timezone.now())
    if changed != 1:
        _refuse(refusal)
    current.refresh_from_db()
    record_change(obj=current, object_type=T.CHANNEL, action=action, actor=actor, before=before, channel=current)
    return current


@transaction.atomic
def channel_approve(*, actor, channel: Channel, checklist: dict, note: str = "", without_decision: str = "") -> Channel:
    """The informatör approves an anmälan: anmäld → aktiv, with the graphic-profile checklist.

    A channel rests on its förvaltning's decision: the decision in force must cover the platform
    (policy: the förvaltning decides which services it uses). Otherwise the informatör records why
    the channel is approved anyway (``without_decision``), and the reason is kept with the channel."""
    from ..selectors import decision_covers, decision_in_force

    decision = decision_in_force(department_id=channel.department_id)
    without_decision = (without_decision or "").strip()
    covered = decision_covers(decision=decision, platform=channel.platform)
    if channel.status == ChannelStatus.SUBMITTED and not covered and not without_decision:
        _refuse(_("Förvaltningens beslut omfattar inte %(platform)s. Registrera ett beslut som gör det, eller "
                  "skriv varför kanalen godkänns ändå.") % {"platform": channel.get_platform_display()})
    updates = {"status": ChannelStatus.ACTIVE, "activated_at": timezone.now()}
    updates.update({f: bool(checklist.get(f)) for f in CHECKLIST_FIELDS})
    parts = [note.strip()] if (note or "").strip() else []
    if covered:
        parts.append(_("Godkänd med stöd av förvaltningens beslut %(date)s %(ref)s.") % {
            "date": decision.decided_on.isoformat(), "ref": decision.reference})
    else:
        parts.append(_("Godkänd utan stöd i förvaltningens beslut: %(why)s") % {"why": without_decision})
    updates["status_note"] = "\n".join(parts)
    return _channel_transition(
        channel=channel, actor=actor, allowed=Q(status=ChannelStatus.SUBMITTED), updates=updates, action="approve",
        refusal=_("Kanalen kan inte godkännas: den är inte anmäld och väntande."),
    )


@transaction.atomic
def channel_reject(*, actor, channel: Channel, motivation: str) -> Channel:
    """The informatör rejects an anmälan with a motivation: anmäld → avslagen."""
    motivation = (motivation or "").strip()
    if not motivation:
        raise ValidationError(_("Skriv en motivering till avslaget."), code="required")
    return _channel_transition(
        channel=channel, actor=actor, allowed=Q(status=ChannelStatus.SUBMITTED),
        updates={"status": ChannelStatus.REJECTED, "rejected_at": timezone.now(), "status_note": motivation},
        action="reject", refusal=_("Kanalen kan inte avslås: den är inte anmäld och väntande."),
    )


@transaction.atomic
def channel_closure_request(*, actor, channel: Channel, reason: str, base_url: str = "") -> Channel:
    """A department admin reports (anmäler) that the channel is closing; the informatör is e-mailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Skriv varför kanalen ska avslutas."), code="required")
    channel = _channel_transition(
        channel=channel, actor=actor,
        allowed=Q(status=ChannelStatus.ACTIVE, closure_requested_at__isnull=True),
        updates={"closure_requested_at": timezone.now(), "closure_reason": reason},
        action="request_closure",
        refusal=_("Avslut kan bara anmälas för en aktiv kanal som inte redan har ett anmält avslut."),
    )
    _notify_informators(
        channel=channel, actor=actor, base_url=base_url,
        template="registry/emails/closure_requested.txt",
        subject=_("Avslut anmält: %(name)s") % {"name": channel.name},
    )
    return channel


@transaction.atomic
def channel_close(*, actor, channel: Channel, reason: str) -> Channel:
    """The informatör closes an active channel (or approves an anmält avslut): aktiv → avslutad.
    Its current appointments end today; nobody moderates a closed channel."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Skriv varför kanalen avslutas."), code="required")
    channel = _channel_transition(
        channel=channel, actor=actor, allowed=Q(status=ChannelStatus.ACTIVE),
        updates={"status": ChannelStatus.CLOSED, "closed_at": timezone.now(), "closure_reason": reason},
        action="close", refusal=_("Kanalen kan inte avslutas: den är inte aktiv."),
    )
    today = timezone.localdate()
    for appointment in channel.appointments.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today)):
        _appointment_set_end(actor=actor, appointment=appointment, ends_on=max(today, appointment.starts_on))
    return channel


# --- appointments ----------------------------------------------------------------------------


@transaction.atomic
def appointment_create(
    *, actor, channel: Channel, user, role: str, starts_on: dt.date, ends_on: dt.date | None = None
) -> Appointment:
    """Appoint a representative or a substitute for a channel, from one date and optionally to another."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.status not in (ChannelStatus.SUBMITTED, ChannelStatus.ACTIVE):
        _refuse(_("Förordnanden kan bara läggas till på anmälda och aktiva kanaler."))
    if not user.is_active or not user.groups.filter(name=Role.REPRESENTATIVE).exists():
        raise ValidationError({"user": _("Personen måste vara ett aktivt konto med rollen företrädare.")})
    overlapping = channel.appointments.filter(user=user, role=role).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError(
            _("Personen har redan ett sådant förordnande på kanalen under samma tid."), code="overlap"
        )
    if role == AppointmentRole.REPRESENTATIVE:
        # The förvaltning decides who may represent it; a substitute covers during their absence.
        from ..selectors import decision_in_force

        decision = decision_in_force(department_id=channel.department_id)
        if decision is None or not decision.appointed.filter(pk=user.pk).exists():
            raise ValidationError({"user": _(
                "Förvaltningens beslut utser inte %(name)s att företräda förvaltningen. Registrera ett beslut "
                "som gör det först."
            ) % {"name": user.get_full_name() or user.get_username()}})
    appointment = Appointment(
        channel=channel, user=user, role=role, starts_on=starts_on, ends_on=ends_on, appointed_by=actor
    )
    return _save_with_history(obj=appointment, object_type=T.APPOINTMENT, actor=actor, before=None, channel=channel)


def _appointment_set_end(*, actor, appointment: Appointment, ends_on: dt.date) -> Appointment:
    before = snapshot(appointment)
    previous = Q(ends_on__isnull=True) if appointment.ends_on is None else Q(ends_on=appointment.ends_on)
    if Appointment.objects.filter(Q(pk=appointment.pk) & previous).update(ends_on=ends_on) != 1:
        _refuse(_("Förordnandet har ändrats av någon annan. Ladda om sidan och försök igen."))
    appointment.refresh_from_db()
    record_change(
        obj=appointment, object_type=T.APPOINTMENT, action="end", actor=actor, before=before,
        channel=appointment.channel,
    )
    return appointment


@transaction.atomic
def appointment_end(*, actor, appointment: Appointment, ends_on: dt.date) -> Appointment:
    """End an appointment on a date: the row stays, with its end date, as a record of who served when."""
    today = timezone.localdate()
    if appointment.ends_on is not None and appointment.ends_on < today:
        _refuse(_("Förordnandet har redan upphört."))
    if ends_on < appointment.starts_on:
        raise ValidationError({"ends_on": _("Slutdatum får inte vara före startdatum.")})
    return _appointment_set_end(actor=actor, appointment=appointment, ends_on=ends_on)


# --- departments' decisions, boards, departments, parties -------------------------------------

DECISION_FIELDS = ("uses_social_media", "services", "decided_on", "decided_by", "reference", "note")


@transaction.atomic
def decision_create(*, actor, department: Department, data: dict) -> DepartmentDecision:
    decision = DepartmentDecision(department=department, created_by=actor)
    _assign(decision, data, DECISION_FIELDS)
    decision = _save_with_history(obj=decision, object_type=T.DECISION, actor=actor, before=None)
    if "appointed" in data:
        decision.appointed.set(data["appointed"])
    return decision


@transaction.atomic
def decision_update(*, actor, decision: DepartmentDecision, data: dict) -> DepartmentDecision:
    decision = DepartmentDecision.objects.select_for_update().get(pk=decision.pk)
    before = {**snapshot(decision), "appointed": sorted(decision.appointed.values_list("pk", flat=True))}
    _assign(decision, data, DECISION_FIELDS)
    decision.full_clean()
    decision.save()
    if "appointed" in data:
        decision.appointed.set(data["appointed"])
    after = {**snapshot(decision), "appointed": sorted(decision.appointed.values_list("pk", flat=True))}
    if after != before:
        record_change(obj=decision, object_type=T.DECISION, action="update", actor=actor, before=before,
                      after=after)
    return decision


def _simple_save(*, model, object_type: str, fields: tuple[str, ...], actor, data: dict, instance=None):
    if instance is None:
        obj, before = model(), None
    else:
        obj = model.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(obj)
    _assign(obj, data, fields)
    return _save_with_history(obj=obj, object_type=object_type, actor=actor, before=before)


@transaction.atomic
def board_save(*, actor, data: dict, board: Board | None = None) -> Board:
    """Create a nämnd, or change one."""
    return _simple_save(model=Board, object_type=T.BOARD, fields=("name", "slug"), actor=actor, data=data,
                        instance=board)


@transaction.atomic
def department_save(*, actor, data: dict, department: Department | None = None) -> Department:
    """Create a förvaltning, or change one."""
    return _simple_save(model=Department, object_type=T.DEPARTMENT, fields=("board", "name", "slug", "email"),
                        actor=actor, data=data, instance=department)


@transaction.atomic
def party_save(*, actor, data: dict, party: Party | None = None) -> Party:
    """Create a party, or change one (a party without seats is kept but no longer linked publicly)."""
    return _simple_save(
        model=Party, object_type=T.PARTY,
        fields=("name", "abbreviation", "website", "council_seats", "has_board_seat"),
        actor=actor, data=data, instance=party,
    )


def channel_public_entry_changed(*, actor, channel: Channel, action: str, note: str = "") -> None:
    """Something another app publishes with the channel's public entry changed (an approved addition
    to the list): recorded in the channel's change log, which also rebuilds the cached public pages."""
    record_change(obj=channel, object_type=T.CHANNEL, action=action, actor=actor,
                  before=None, channel=channel, after={"note": note[:500]})
