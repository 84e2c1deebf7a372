"""Builders for the workspace tests: items arrive through the real inbound store and screening."""

from __future__ import annotations

from channels.connectors.base import ItemKind
from channels.models import ItemVersion
from channels.services import items_store
from channels.tests.helpers import make_item, make_post
from moderation.models import QueueEntry
from moderation.services import versions_screen


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
