"""Reads for the registry. Views fetch objects only through the access-checked lookups here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Appointment, ChangeRecord, Channel, ChannelStatus, Party
from .roles import sees_all_channels, user_department_id


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


def channel_get_for_user(*, user, pk: int) -> Channel:
    """The one access-checked lookup for a channel: 404 when the user may not see it."""
    try:
        return channels_visible_to(user=user).get(pk=pk)
    except (Channel.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


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
    from django.db.models import Max

    return ChangeRecord.objects.aggregate(last=Max("at"))["last"]
