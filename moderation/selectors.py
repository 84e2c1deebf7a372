"""Reads for moderation: the prohibited-content list, additions (access-checked) and flags."""

from __future__ import annotations

from django.db.models import Max, QuerySet
from django.http import Http404

from registry.models import AppointmentRole, Channel, Role
from registry.roles import is_informator, user_roles
from registry.selectors import channels_visible_to

from .models import AdditionStatus, Flag, ProhibitedCategory, RuleAddition

RECENT_ITEMS = 1000


def categories() -> QuerySet[ProhibitedCategory]:
    return ProhibitedCategory.objects.order_by("position")


def additions_visible_to(*, user) -> QuerySet[RuleAddition]:
    """Additions on the channels the user may see (all of them for the informatör)."""
    return (
        RuleAddition.objects.filter(channel__in=channels_visible_to(user=user))
        .select_related("channel", "category", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


def addition_get_for_user(*, user, pk: int) -> RuleAddition:
    """The one access-checked lookup for an addition: 404 when its channel is not visible to the user."""
    try:
        return additions_visible_to(user=user).get(pk=pk)
    except (RuleAddition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def channels_user_may_propose_for(*, user) -> QuerySet[Channel]:
    """The informatör: every channel. A department admin: the department's channels. A representative:
    the channels they currently represent (a substitute appointment is not enough)."""
    visible = channels_visible_to(user=user)
    if is_informator(user):
        return visible
    roles = user_roles(user)
    from django.db.models import Q
    from django.utils import timezone

    today = timezone.localdate()
    condition = Q(pk__in=[])
    if Role.DEPARTMENT_ADMIN in roles:
        profile = getattr(user, "staff_profile", None)
        if profile and profile.department_id:
            condition |= Q(department_id=profile.department_id)
    if Role.REPRESENTATIVE in roles:
        condition |= Q(
            appointments__user=user,
            appointments__role=AppointmentRole.REPRESENTATIVE,
            appointments__starts_on__lte=today,
        ) & (Q(appointments__ends_on__isnull=True) | Q(appointments__ends_on__gte=today))
    return visible.filter(condition).distinct()


def approved_additions(*, channel_ids) -> dict[int, list[RuleAddition]]:
    out: dict[int, list[RuleAddition]] = {}
    for a in RuleAddition.objects.filter(channel_id__in=channel_ids, status=AdditionStatus.APPROVED).select_related(
        "category"
    ):
        out.setdefault(a.channel_id, []).append(a)
    return out


def additions_version(*, channel_id: int):
    """Changes whenever a channel's approved additions change (for caching its matcher)."""
    agg = RuleAddition.objects.filter(channel_id=channel_id).aggregate(last=Max("decided_at"), n=Max("id"))
    return (agg["last"], agg["n"])


def recent_item_texts(*, channel_id: int, limit: int = RECENT_ITEMS) -> list[tuple[int, str, object]]:
    """(item id, text, received_at) of the channel's latest items, newest first."""
    from channels.models import Item

    return list(
        Item.objects.filter(channel_id=channel_id)
        .order_by("-received_at", "-id")
        .values_list("id", "text", "received_at")[:limit]
    )


def flags_for_version(*, version_id: int) -> QuerySet[Flag]:
    return Flag.objects.filter(version_id=version_id).order_by("start", "code")
