"""Writes to the registry. Each service owns its transaction and records a ChangeRecord in it.

The public pages are cached by the time of the newest ChangeRecord (selectors.registry_version),
so every write here must record one. Status changes are compare-and-set updates: a change that is
not allowed from the channel's current status changes nothing and raises ValidationError.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .audit import record_change, snapshot
from .models import (
    Appointment,
    Board,
    ChangeRecord,
    Channel,
    ChannelStatus,
    Department,
    DepartmentDecision,
    Party,
    Role,
    StaffProfile,
)

logger = logging.getLogger(__name__)
User = get_user_model()
T = ChangeRecord.ObjectType

CHANNEL_FIELDS = (
    "department", "platform", "name", "public_url", "account_id", "purpose", "responsible",
    "public_contact", "public_contact_email", "response_target_hours",
    "profile_picture_ok", "profile_name_ok", "official_marking_ok",
)
CHECKLIST_FIELDS = ("profile_picture_ok", "profile_name_ok", "official_marking_ok")


# --- helpers ---------------------------------------------------------------------------------


def _assign(obj, data: dict, allowed: Iterable[str]) -> None:
    for name in allowed:
        if name in data:
            setattr(obj, name, data[name])


def _save_with_history(*, obj, object_type: str, actor, before: dict | None, channel=None, action=None):
    """Validate, save and record one change; an unchanged object records nothing."""
    obj.full_clean()
    if before is not None and snapshot(obj) == before:
        return obj
    obj.save()
    record_change(
        obj=obj, object_type=object_type, action=action or ("create" if before is None else "update"),
        actor=actor, before=before, channel=channel,
    )
    return obj


def _informator_recipients() -> list[str]:
    """The informatör's shared mailbox and every active informatör with an address."""
    addresses = [settings.INFORMATOR_EMAIL] if settings.INFORMATOR_EMAIL else []
    addresses += list(
        User.objects.filter(is_active=True, groups__name=Role.INFORMATOR)
        .exclude(email="")
        .values_list("email", flat=True)
        .order_by("email")
    )
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), None)
    return list(seen)


def _send_after_commit(*, subject: str, template: str, context: dict, recipients: list[str]) -> None:
    """Send after the change is committed, so nobody is told of a change that was rolled back.
    A mail failure is logged and does not undo the change: pending items stay on the start page."""
    body = render_to_string(template, context)

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except OSError:
            logger.exception("registry notice could not be sent: %s", template)

    if recipients:
        transaction.on_commit(send)


def _site_url(path: str, base_url: str) -> str:
    return base_url.rstrip("/") + path


def _notify_informators(*, channel: Channel, template: str, subject: str, actor, base_url: str) -> None:
    _send_after_commit(
        subject=subject,
        template=template,
        context={
            "channel": channel,
            "actor": actor,
            "url": _site_url(reverse("registry-channel-detail", args=[channel.pk]), base_url),
        },
        recipients=_informator_recipients(),
    )


def _refuse(message: str):
    raise ValidationError(message, code="not_allowed")


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
def channel_approve(*, actor, channel: Channel, checklist: dict, note: str = "") -> Channel:
    """The informatör approves an anmälan: anmäld → aktiv, with the graphic-profile checklist."""
    updates = {"status": ChannelStatus.ACTIVE, "activated_at": timezone.now()}
    updates.update({f: bool(checklist.get(f)) for f in CHECKLIST_FIELDS})
    if note:
        updates["status_note"] = note
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
    return _save_with_history(obj=decision, object_type=T.DECISION, actor=actor, before=None)


@transaction.atomic
def decision_update(*, actor, decision: DepartmentDecision, data: dict) -> DepartmentDecision:
    decision = DepartmentDecision.objects.select_for_update().get(pk=decision.pk)
    before = snapshot(decision)
    _assign(decision, data, DECISION_FIELDS)
    return _save_with_history(obj=decision, object_type=T.DECISION, actor=actor, before=before)


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


# --- staff accounts --------------------------------------------------------------------------


def account_state(user) -> dict:
    """What the history shows of an account: never the password hash."""
    profile = getattr(user, "staff_profile", None)
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "roles": sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True)),
        "department": str(profile.department) if profile and profile.department else None,
    }


def _record_account(*, user, actor, action: str, before: dict | None) -> None:
    """Account history stores account_state(), not the full field snapshot: that would hold the
    password hash and cannot show roles (a many-to-many relation)."""
    after = account_state(user)
    if before == after and action == "update":
        return
    record_change(obj=user, object_type=T.USER, action=action, actor=actor, before=before, after=after)


def _apply_account(*, user, data: dict) -> None:
    for name in ("first_name", "last_name", "email"):
        if name in data:
            setattr(user, name, data[name])
    user.save()
    if "roles" in data:
        user.groups.set(Group.objects.filter(name__in=data["roles"]))
    if "department" in data:
        StaffProfile.objects.update_or_create(user=user, defaults={"department": data["department"]})
        user.staff_profile = StaffProfile.objects.get(user=user)


@transaction.atomic
def staff_user_create(*, actor, data: dict, password: str = "", base_url: str = ""):
    """Create a staff account. With ``password`` it is set; otherwise a set-password link is e-mailed."""
    user = User(username=data["username"], is_active=True)
    user.email = data.get("email", "")
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    _apply_account(user=user, data=data)
    _record_account(user=user, actor=actor, action="create", before=None)
    if not password:
        staff_user_send_password_link(actor=actor, user=user, base_url=base_url)
    return user


@transaction.atomic
def staff_user_update(*, actor, user, data: dict):
    """Change an account's name, e-mail, roles or department."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_state(user)
    if user.pk == actor.pk and Role.INFORMATOR in before["roles"] and Role.INFORMATOR not in data.get("roles", []):
        _refuse(_("Du kan inte ta bort din egen roll som informatör."))
    user.first_name, user.last_name, user.email = data["first_name"], data["last_name"], data["email"]
    user.full_clean(exclude=["password"])
    _apply_account(user=user, data=data)
    _record_account(user=user, actor=actor, action="update", before=before)
    return user


@transaction.atomic
def staff_user_set_active(*, actor, user, active: bool):
    """Deactivate an account (it can no longer log in; its history stays), or activate it again."""
    if user.pk == actor.pk and not active:
        _refuse(_("Du kan inte inaktivera ditt eget konto."))
    before = account_state(user)
    if User.objects.filter(pk=user.pk, is_active=not active).update(is_active=active) != 1:
        _refuse(_("Kontot är redan aktivt.") if active else _("Kontot är redan inaktiverat."))
    user.refresh_from_db()
    _record_account(user=user, actor=actor, action="activate" if active else "deactivate", before=before)
    return user


@transaction.atomic
def staff_user_set_password(*, actor, user, password: str):
    """The informatör sets an initial password (validated by the caller's form); the history says only that."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_state(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _record_account(user=user, actor=actor, action="set_password", before=before)
    return user


def staff_user_send_password_link(*, actor, user, base_url: str) -> None:
    """E-mail a one-time link (Django's password reset token) where the user chooses a password."""
    if not user.email:
        _refuse(_("Kontot har ingen e-postadress, så ingen länk kan skickas."))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("registry-set-password", kwargs={"uidb64": uid, "token": token})
    _send_after_commit(
        subject=_("Välj lösenord för sociala medier, %(municipality)s") % {"municipality": settings.MUNICIPALITY_NAME},
        template="registry/emails/set_password.txt",
        context={"user": user, "url": _site_url(path, base_url), "actor": actor,
                 "municipality": settings.MUNICIPALITY_NAME},
        recipients=[user.email],
    )


# --- import ----------------------------------------------------------------------------------


class ImportFailed(Exception):
    """Rows of an import file that could not be saved; nothing from the file was kept."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


def channels_import(*, actor, rows: list[tuple[int, dict]], dry_run: bool = False) -> list[Channel]:
    """Create one channel per validated row, all in one transaction: one bad row and nothing is kept.

    ``rows`` are (line number, data) where data holds the channel form's cleaned values plus
    ``status``, ``activated_at`` and ``closed_at``. A dry run validates everything and keeps nothing.
    """
    errors: list[tuple[int, str]] = []
    created: list[Channel] = []
    with transaction.atomic():
        for line, data in rows:
            try:
                with transaction.atomic():
                    created.append(
                        channel_create(
                            actor=actor, data=data, status=data["status"],
                            activated_at=data.get("activated_at"), closed_at=data.get("closed_at"),
                        )
                    )
            except ValidationError as e:
                errors.extend((line, message) for message in e.messages)
        if errors:
            raise ImportFailed(errors)
        if dry_run:
            transaction.set_rollback(True)
    return created
