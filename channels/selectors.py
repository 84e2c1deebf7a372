"""Reads for the channels app. Views fetch objects only through the access-checked lookups here."""

from __future__ import annotations

import json

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from registry.models import Channel, Role
from registry.roles import is_informator, user_department_id, user_has_role
from registry.selectors import channel_get_for_user, channels_visible_to

from .models import (
    ActionState,
    ChannelSync,
    Item,
    ItemVersion,
    OutboxAction,
    OutsideRemovalAlert,
    QuarantinedItem,
)


def channels_health_for_user(*, user) -> QuerySet[Channel]:
    """Channels the user may see, with their sync row and counts of open alerts and failed actions."""
    return (
        channels_visible_to(user=user)
        .select_related("sync")
        .annotate(
            open_alerts=Count("outside_removals", filter=Q(outside_removals__acknowledged_at__isnull=True), distinct=True),
            failed_actions=Count("outbox_actions", filter=Q(outbox_actions__state=ActionState.FAILED), distinct=True),
        )
        .order_by("department__name", "name")
    )


def channel_sync_for(*, channel: Channel) -> ChannelSync:
    """The channel's sync row, or an unsaved default when it has never been set up."""
    try:
        return channel.sync
    except ChannelSync.DoesNotExist:
        return ChannelSync(channel=channel)


def can_manage_connection(*, user, channel: Channel) -> bool:
    """The informatör, and the department admin of the channel's own department."""
    if is_informator(user):
        return True
    return user_has_role(user, Role.DEPARTMENT_ADMIN) and user_department_id(user) == channel.department_id


def channel_get_for_connection(*, user, pk: int) -> Channel:
    """The access-checked lookup for changing a channel's credentials and connection settings."""
    channel = channel_get_for_user(user=user, pk=pk)
    if not can_manage_connection(user=user, channel=channel):
        raise Http404
    return channel


def outside_removals_for_user(*, user, open_only: bool = True) -> QuerySet[OutsideRemovalAlert]:
    qs = OutsideRemovalAlert.objects.filter(channel__in=channels_visible_to(user=user).values("pk")).select_related(
        "channel", "item", "acknowledged_by"
    )
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("-detected_at", "-id")


def outside_removal_get_for_user(*, user, pk: int) -> OutsideRemovalAlert:
    try:
        return outside_removals_for_user(user=user, open_only=False).get(pk=pk)
    except (OutsideRemovalAlert.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def outbox_actions_for_channel(*, channel: Channel, limit: int = 20) -> list[OutboxAction]:
    return list(
        OutboxAction.objects.filter(channel=channel).select_related("item", "created_by").order_by("-created_at")[:limit]
    )


def outbox_action_get_for_connection(*, user, pk: int) -> OutboxAction:
    """An outbox action, for those who may manage its channel's connection (manual retry)."""
    try:
        action = OutboxAction.objects.select_related("channel").get(pk=pk)
    except (OutboxAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    channel_get_for_connection(user=user, pk=action.channel_id)
    return action


def items_for_channel(*, channel: Channel) -> QuerySet[Item]:
    return Item.objects.filter(channel=channel).order_by("-received_at", "-id")


def item_versions(*, item: Item) -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(item=item).order_by("number")


def quarantine_for_channel(*, channel, limit: int = 50) -> dict:
    """What the platform sent that could not be stored, newest first, and how many such entries wait."""
    open_rows = QuarantinedItem.objects.filter(channel=channel, resolved_at__isnull=True)
    rows = list(open_rows.order_by("-received_at", "-id")[:limit])
    for row in rows:
        row.payload = json.dumps(row.raw, ensure_ascii=False, indent=2, sort_keys=True)[:20000]
    return {"rows": rows, "count": open_rows.count()}
