"""Reads for the registry. Views fetch objects only through the access-checked lookups here."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Appointment,
    AppointmentRole,
    Board,
    ChangeRecord,
    Channel,
    ChannelStatus,
    CommentPolicyVersion,
    Department,
    DepartmentDecision,
    ExternalIdentity,
    Party,
    Platform,
    Role,
)
from .roles import is_informator, sees_all_channels, user_department_id, user_has_role

# What a lookup is for. "view": the user may see the object. "change": the user may change it
# (the informatör anything, a department admin only their own department's objects).
# "coordinate": only the informatör (approve, reject, close, manage boards, parties, accounts).
VIEW, CHANGE, COORDINATE = "view", "change", "coordinate"


def channels_visible_to(*, user) -> QuerySet[Channel]:
    """Channels a user may see: all for the informatör and records officer; otherwise the user's
    department's channels plus the channels where they hold a current appointment (e.g. substitute)."""
    qs = Channel.objects.select_related("department", "department__board", "responsible")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_channels(user):
        return qs
    today = timezone.localdate()
    appointed = Appointment.objects.filter(user=user, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    condition = Q(pk__in=appointed.values("channel_id"))
    department_id = user_department_id(user)
    if department_id:
        condition |= Q(department_id=department_id)
    return qs.filter(condition)


def can_change_department(*, user, department_id: int | None) -> bool:
    """The informatör changes every department's registry data; a department admin only their own."""
    if is_informator(user):
        return True
    return (
        department_id is not None
        and user_has_role(user, Role.DEPARTMENT_ADMIN)
        and user_department_id(user) == department_id
    )


def _check_action(*, user, department_id: int | None, action: str) -> None:
    if action == VIEW:
        return
    if action == CHANGE and can_change_department(user=user, department_id=department_id):
        return
    if action == COORDINATE and is_informator(user):
        return
    raise PermissionDenied


def channel_get_for_user(*, user, pk: int, action: str = VIEW) -> Channel:
    """The one access-checked lookup for a channel: 404 when the user may not see it,
    403 when they see it but may not perform ``action`` on it."""
    try:
        channel = channels_visible_to(user=user).get(pk=pk)
    except (Channel.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(user=user, department_id=channel.department_id, action=action)
    return channel


def departments_visible_to(*, user) -> QuerySet[Department]:
    """All departments for the informatör and the records officer; otherwise the user's own."""
    qs = Department.objects.select_related("board")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_channels(user):
        return qs
    return qs.filter(pk=user_department_id(user) or 0)


def department_get_for_user(*, user, pk: int, action: str = VIEW) -> Department:
    try:
        department = departments_visible_to(user=user).get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(user=user, department_id=department.pk, action=action)
    return department


def department_choices_for_user(*, user) -> QuerySet[Department]:
    """Departments the user may register channels and decisions for."""
    if is_informator(user):
        return Department.objects.select_related("board")
    if user_has_role(user, Role.DEPARTMENT_ADMIN):
        return Department.objects.select_related("board").filter(pk=user_department_id(user) or 0)
    return Department.objects.none()


def decision_get_for_user(*, user, pk: int, action: str = VIEW) -> DepartmentDecision:
    departments = departments_visible_to(user=user)
    try:
        decision = DepartmentDecision.objects.select_related("department").get(pk=pk, department__in=departments)
    except (DepartmentDecision.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(user=user, department_id=decision.department_id, action=action)
    return decision


def appointment_get_for_user(*, user, pk: int, action: str = VIEW) -> Appointment:
    """An appointment is reached through its channel: the same visibility, the same rights."""
    try:
        appointment = Appointment.objects.select_related("channel", "user").get(
            pk=pk, channel__in=channels_visible_to(user=user).values("pk")
        )
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(user=user, department_id=appointment.channel.department_id, action=action)
    return appointment


def _informator_only(user) -> None:
    if not is_informator(user):
        raise PermissionDenied


def external_identities() -> QuerySet:
    """Every single sign-on binding with its account, the stalest login first (for the informatör's
    page). The subject is never read: it may be a personnummer."""
    return (ExternalIdentity.objects.select_related("user").defer("subject")
            .order_by("last_login_at", "user__last_name", "user__first_name", "pk"))


def external_identity_get_for_user(*, user, pk: int) -> ExternalIdentity:
    """Single sign-on bindings are managed by the informatör only."""
    _informator_only(user)
    try:
        return external_identities().get(pk=pk)
    except (ExternalIdentity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def board_get_for_user(*, user, pk: int) -> Board:
    _informator_only(user)
    try:
        return Board.objects.get(pk=pk)
    except (Board.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def party_get_for_user(*, user, pk: int) -> Party:
    _informator_only(user)
    try:
        return Party.objects.get(pk=pk)
    except (Party.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_users() -> QuerySet:
    """Every account with its roles and department, for the informatör's account list."""
    return (
        get_user_model()
        .objects.select_related("staff_profile__department")
        .prefetch_related(Prefetch("groups"))
        .order_by("last_name", "first_name", "username")
    )


def staff_user_get_for_user(*, user, pk: int):
    """Staff accounts are managed by the informatör only."""
    _informator_only(user)
    try:
        return staff_users().get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def active_staff_users() -> QuerySet:
    """Active users holding any staff role: who can be made responsible for a channel."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=Role.values)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def representative_candidates() -> QuerySet:
    """Active users with the företrädare role: who can be appointed representative or substitute."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.REPRESENTATIVE)
        .select_related("staff_profile__department")
        .order_by("last_name", "first_name", "username")
    )


def channel_conflicts(*, public_url: str, platform: str, account_id: str, exclude_pk: int | None) -> list[str]:
    """Which of the channel uniqueness rules a channel with these values would break.

    Mirrors the model's conditional UniqueConstraints (closed and rejected channels do not count),
    so forms can refuse duplicates with a clear message before the database does."""
    live = Channel.objects.exclude(status__in=[ChannelStatus.CLOSED, ChannelStatus.REJECTED])
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    conflicts = []
    if public_url and live.filter(public_url__iexact=public_url).exists():
        conflicts.append("channel_unique_public_url")
    if account_id and live.filter(platform=platform, account_id=account_id).exists():
        conflicts.append("channel_unique_account")
    return conflicts


def channel_appointments(*, channel: Channel) -> list[Appointment]:
    return list(channel.appointments.select_related("user", "user__staff_profile__department").order_by(
        F("ends_on").desc(nulls_first=True), "role", "-starts_on", "id"
    ))


def department_overview(*, department: Department) -> dict:
    """A department's page: its decisions, its channels by status, and its history."""
    decisions = list(department.decisions.select_related("created_by").order_by("-decided_on", "-id"))
    return {
        "decisions": decisions,
        "current_decision": decisions[0] if decisions else None,
        "channels": list(department.channels.select_related("responsible").order_by("status", "name")),
        "changes": ChangeRecord.objects.filter(
            Q(object_type=ChangeRecord.ObjectType.DEPARTMENT, object_id=department.pk)
            | Q(object_type=ChangeRecord.ObjectType.DECISION, object_id__in=[d.pk for d in decisions])
        ).order_by("-at", "-id"),
    }


def departments_with_counts(*, user) -> QuerySet[Department]:
    return departments_visible_to(user=user).annotate(
        channel_count=Count("channels", filter=Q(channels__status=ChannelStatus.ACTIVE)),
        last_decision=Max("decisions__decided_on"),
    )


def boards_with_counts() -> QuerySet[Board]:
    return Board.objects.annotate(department_count=Count("departments"))


def current_representatives(*, channel_ids) -> dict[int, list]:
    """Current representatives per channel, for list pages (one query)."""
    today = timezone.localdate()
    rows = (
        Appointment.objects.filter(channel_id__in=channel_ids, role=AppointmentRole.REPRESENTATIVE, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("user")
    )
    result: dict[int, list] = {}
    for a in rows:
        result.setdefault(a.channel_id, []).append(a.user)
    return result


_MODELS_BY_TYPE = {
    ChangeRecord.ObjectType.BOARD: Board,
    ChangeRecord.ObjectType.DEPARTMENT: Department,
    ChangeRecord.ObjectType.DECISION: DepartmentDecision,
    ChangeRecord.ObjectType.CHANNEL: Channel,
    ChangeRecord.ObjectType.APPOINTMENT: Appointment,
    ChangeRecord.ObjectType.PARTY: Party,
}


ACTION_LABELS = {
    "create": _("skapad"),
    "update": _("ändrad"),
    "submit": _("anmäld"),
    "approve": _("godkänd"),
    "reject": _("avslagen"),
    "request_closure": _("avslut anmält"),
    "close": _("avslutad"),
    "end": _("förordnande avslutat"),
    "activate": _("konto aktiverat"),
    "deactivate": _("konto inaktiverat"),
    "set_password": _("startlösenord satt"),
    "sso_unbind": _("koppling till kommunens inloggning borttagen"),
    "delete": _("borttagen"),
}
_EXTRA_LABELS = {"roles": _("roller"), "department": _("förvaltning"), "username": _("användarnamn"),
                 "single_sign_on": _("kommunens inloggning")}


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return str(_("Ja"))
    if value is False:
        return str(_("Nej"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def _field_label_and_display(model, name: str, value) -> tuple[str, str]:
    field = None
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
    if field is None:
        return str(_EXTRA_LABELS.get(name, name)), _shown(value)
    if field.choices and value is not None:
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, list) and name == "services":
        value = [dict(Platform.choices).get(v, v) for v in value]
    if field.get_internal_type() == "DateTimeField" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    return str(getattr(field, "verbose_name", name)), _shown(value)


def _field_order(model) -> dict[str, int]:
    if model is None:
        return {}
    return {f.name: i for i, f in enumerate(model._meta.concrete_fields)}


def history_rows(records) -> list[dict]:
    """Change records made readable: each changed field with its Swedish label, before and after,
    in the model's field order; values that read the same before and after are left out."""
    user_model = get_user_model()
    rows = []
    for record in records:
        model = _MODELS_BY_TYPE.get(record.object_type, user_model)
        order = _field_order(model)
        fields = []
        for name, before, after in sorted(record.changed_fields, key=lambda c: (order.get(c[0], 999), c[0])):
            label, before_shown = _field_label_and_display(model, name, before)
            _label, after_shown = _field_label_and_display(model, name, after)
            if before_shown != after_shown:
                fields.append({"label": label, "before": before_shown, "after": after_shown})
        rows.append({
            "record": record,
            "action": ACTION_LABELS.get(record.action, record.action),
            "fields": fields,
        })
    return rows


def public_channels() -> QuerySet[Channel]:
    """Active channels for the public list: only the fields the public may see."""
    return (
        Channel.objects.filter(status=ChannelStatus.ACTIVE)
        .select_related("department", "department__board")
        .only(
            "id", "name", "platform", "public_url", "purpose", "public_contact", "public_contact_email",
            "activated_at", "updated_at", "department__id", "department__name", "department__slug",
            "department__board__id", "department__board__name",
        )
        .order_by("department__name", "name")
    )


def all_parties() -> QuerySet[Party]:
    return Party.objects.order_by("-council_seats", "name")


def public_parties() -> QuerySet[Party]:
    return Party.objects.filter(Q(council_seats__gt=0) | Q(has_board_seat=True)).order_by("-council_seats", "name")


def change_records_for(*, object_type: str, object_id: int) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(object_type=object_type, object_id=object_id).order_by("-at", "-id")


def channel_change_records(*, channel: Channel) -> QuerySet[ChangeRecord]:
    """A channel's own changes and those of its appointments."""
    return ChangeRecord.objects.filter(
        Q(object_type=ChangeRecord.ObjectType.CHANNEL, object_id=channel.pk) | Q(channel=channel)
    ).order_by("-at", "-id")


def informator_attention() -> dict:
    """What the informatör's start page highlights: pending anmälningar and closures, and active
    channels with nobody responsible (no responsible person, an inactive one, or no current representative)."""
    today = timezone.localdate()
    base = Channel.objects.select_related("department")
    current_reps = Appointment.objects.filter(
        role="representative", starts_on__lte=today, user__is_active=True
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return {
        "pending_submissions": list(base.filter(status=ChannelStatus.SUBMITTED).order_by("submitted_at")),
        "pending_closures": list(
            base.filter(status=ChannelStatus.ACTIVE, closure_requested_at__isnull=False).order_by("closure_requested_at")
        ),
        "without_responsible": list(
            base.filter(status=ChannelStatus.ACTIVE)
            .filter(
                Q(responsible__isnull=True)
                | Q(responsible__is_active=False)
                | ~Q(pk__in=current_reps.values("channel_id"))
            )
            .order_by("department__name", "name")
        ),
    }


def registry_version():
    """The time of the newest registry change: every write through registry.services records one."""
    return ChangeRecord.objects.aggregate(last=Max("at"))["last"]


# --- the comment policy's versions ---------------------------------------------------------------

POLICY_CACHE_KEY = "registry:comment-policy-current"


def comment_policy_current() -> CommentPolicyVersion | None:
    """The version in force today (the newest whose valid_from has come). Cached briefly: every
    moderation decision records it; publishing a version drops the cache."""
    today = timezone.localdate()
    cached = cache.get(POLICY_CACHE_KEY)
    if cached is not None and cached[0] == today:
        return cached[1]
    current = CommentPolicyVersion.objects.filter(valid_from__lte=today).order_by("-valid_from").first()
    cache.set(POLICY_CACHE_KEY, (today, current), 300)
    return current


def comment_policy_version() -> str:
    """The version label decisions record ("" before any version is published)."""
    current = comment_policy_current()
    return current.version if current else ""


def comment_policy_versions() -> QuerySet[CommentPolicyVersion]:
    return CommentPolicyVersion.objects.order_by("-valid_from")


def comment_policy_get(*, version: str) -> CommentPolicyVersion:
    try:
        return CommentPolicyVersion.objects.get(version=version)
    except CommentPolicyVersion.DoesNotExist:
        raise Http404 from None


def decision_in_force(*, department_id: int) -> DepartmentDecision | None:
    """The förvaltning's latest recorded decision on its use of social media."""
    return (DepartmentDecision.objects.filter(department_id=department_id).prefetch_related("appointed")
            .order_by("-decided_on", "-id").first())


def decision_covers(*, decision: DepartmentDecision | None, platform: str) -> bool:
    return bool(decision and decision.uses_social_media and platform in (decision.services or []))
