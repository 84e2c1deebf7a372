"""Builders for the workspace tests: items arrive through the real inbound store and screening."""

from __future__ import annotations

from channels.connectors.base import ItemKind
from channels.models import ItemVersion
from channels.services import channel_poll, items_store, outbox_execute
from channels.tests.helpers import make_item, make_post
from channels.tests.simhelpers import connect, control, state
from moderation.models import QueueEntry
from moderation.services import entries_reconcile_actions, versions_screen


def arrive(channel, platform_id: str = "c-1", text: str = "Tack för en fin kväll på biblioteket!", *,
           kind: ItemKind = ItemKind.COMMENT, author: str = "Anna Andersson", minute: int = 1) -> QueueEntry:
    """Store one item (under the channel's post) and screen it, as the poll and the worker would."""
    parent = None if kind == ItemKind.DM else "post-1"
    thread = f"dm-{platform_id}" if kind == ItemKind.DM else "post-1"
    items = [] if kind == ItemKind.DM else [make_post()]
    items.append(make_item(platform_id, text, kind=kind, parent=parent, thread=thread, author=author, minute=minute))
    items_store(channel=channel, items=items)
    ids = list(ItemVersion.objects.filter(item__channel=channel).values_list("pk", flat=True))
    versions_screen(version_ids=ids)
    return QueueEntry.objects.select_related("item", "channel").get(item__channel=channel,
                                                                     item__platform_id=platform_id)


def arrive_from_platform(sim, channel, text: str) -> QueueEntry:
    """A reader comments on the platform simulator; the worker polls the channel over HTTP and
    screens what came in."""
    connect(sim, channel)
    created = control(sim, "POST", "items", platform=channel.platform, account=channel.account_id, text=text)
    assert channel_poll(channel_id=channel.pk).outcome == "ok"
    versions_screen(version_ids=list(ItemVersion.objects.filter(item__channel=channel).values_list("pk", flat=True)))
    return QueueEntry.objects.select_related("item", "channel").get(item__platform_id=created["id"])


def run_outbox(entry: QueueEntry):
    """What the worker does after the decision committed: carry out the platform action (the outbox
    then tells moderation, which completes the decision), and the reconcile tick, which must find
    nothing left to do."""
    entry.refresh_from_db()
    assert entry.pending_action_id, f"no platform action is waiting for item {entry.item_id}"
    result = outbox_execute(action_id=entry.pending_action_id)
    entries_reconcile_actions()
    entry.refresh_from_db()
    return result


def on_platform(sim, channel, platform_id: str) -> dict:
    """The simulator's own view of one item (hidden, replies, ...)."""
    return next(i for i in state(sim, channel)["items"] if i["id"] == platform_id)
