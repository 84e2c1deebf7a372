"""Purging live copies: of an item marked as suspected child sexual abuse material (never stored), and
of items whose archive records a gallring run culls (``items_purge_culled``).

Called by the receiver of archive.signals.csam_marked (channels.receivers) inside the marking's
transaction. The item's text, author name and profile, link and raw payload are blanked, as are the
text and raw payload of every version; its attachments lose their URL and file (state ``purged``;
SHA-256, size and media type stay as metadata). Ids, platform ids, timestamps and hashes stay. The
files are deleted after commit, so a rolled-back marking never loses a file it still lists. The
inbound store never stores content for a purged item again (channels.services.ingest), and the
platform is asked to delete the item (or hide it where it cannot be deleted) through the outbox,
with the marking as the archive record the action rests on.
"""

from __future__ import annotations

import logging

from django.db import models, transaction
from django.utils import timezone

from ..models import (
    ActionKind,
    ActionState,
    Attachment,
    AttachmentState,
    Item,
    ItemVersion,
    OutboxAction,
    Visibility,
)
from .outbox import outbox_enqueue
from .platform import connector_class

logger = logging.getLogger(__name__)


def csam_outbox_key(*, marking_sequence: int, kind: str) -> str:
    """The idempotency key of the platform action a marking queues (also how moderation finds it)."""
    return f"csam:{marking_sequence}:{kind}"


def item_purge_csam(*, channel_id: int | None, platform_id: str, marking_sequence: int,
                    marked_by=None) -> Item | None:
    """Blank the live copy of a marked item and queue its removal on the platform. Runs in the
    caller's (the marking's) transaction; returns the purged item, or None when there is no live item."""
    from archive.models import ArchiveRecord

    if channel_id is None or not platform_id:
        return None
    item = (
        Item.objects.select_for_update().select_related("channel")
        .filter(channel_id=channel_id, platform_id=platform_id).first()
    )
    if item is None:
        return None
    marking = ArchiveRecord.objects.get(sequence=marking_sequence)
    now = timezone.now()
    Item.objects.filter(pk=item.pk).update(
        text="", author_name="", author_profile_url="", permalink="", raw={},
        purged_at=item.purged_at or now, csam_marking=marking,
    )
    ItemVersion.objects.filter(item_id=item.pk).update(text="", raw={})
    _attachments_purge(item=item)
    item.refresh_from_db()
    _platform_removal_enqueue(item=item, marking=marking, marked_by=marked_by)
    return item


def _attachments_purge(*, item: Item) -> int:
    """Blank the item's attachments and delete their files after commit; returns how many."""
    attachments = list(Attachment.objects.select_for_update().filter(item_id=item.pk).only("pk", "file"))
    names = {a.file.name for a in attachments if a.file and a.file.name}
    Attachment.objects.filter(item_id=item.pk).update(state=AttachmentState.PURGED, url="", file="", error="")
    # Stored names are unique per row (the storage never overwrites), but a file that another item's
    # row still names is left alone.
    names -= set(Attachment.objects.filter(file__in=names).exclude(item_id=item.pk).values_list("file", flat=True))
    if names:
        storage = Attachment._meta.get_field("file").storage
        transaction.on_commit(lambda: _files_delete(storage=storage, names=sorted(names)), robust=True)
    return len(attachments)


def _files_delete(*, storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError as exc:
            # The row no longer names the file: it must be removed by hand, so say where it is.
            logger.error("purged attachment file %s could not be deleted: %s", name, type(exc).__name__)


def _platform_removal_enqueue(*, item: Item, marking, marked_by) -> OutboxAction | None:
    """A delete on the platform (a hide where the platform cannot delete), unless it is already gone
    or such an action is already on its way."""
    cls = connector_class(item.channel.platform)
    caps = getattr(cls, "capabilities", None) if cls else None
    if caps is None or item.visibility == Visibility.DELETED:
        return None
    if caps.can_delete:
        kind = ActionKind.DELETE
    elif caps.can_hide and item.visibility != Visibility.HIDDEN:
        kind = ActionKind.HIDE
    else:
        return None
    if OutboxAction.objects.filter(item_id=item.pk, kind=kind, state__in=[ActionState.PENDING, ActionState.RUNNING]).exists():
        return None
    return outbox_enqueue(
        item=item, kind=kind, created_by=marked_by, snapshot=marking,
        idempotency_key=csam_outbox_key(marking_sequence=marking.sequence, kind=kind),
    )


def items_purge_culled(*, items: list[dict], now) -> dict[str, int]:
    """Gallring culled these items' records (archive.signals.records_culled): blank the live copies of
    the culled versions (text, raw payload) and, where the item's current version or all of it is
    culled, the item itself (text, author, link, raw payload) and its attachment files. Ids, platform
    ids and timestamps stay, so a later poll recognises the item and stores no content for it again
    (``purged_at``). Runs in the gallring run's transaction; returns what it removed, per place."""
    counts = {"channels.items": 0, "channels.versions": 0, "channels.attachments": 0}
    version_ids = [v for entry in items for v in entry["version_ids"]]
    for start in range(0, len(version_ids), 2000):
        counts["channels.versions"] += ItemVersion.objects.filter(pk__in=version_ids[start:start + 2000]).exclude(
            text="", raw={}).update(text="", raw={})
    by_channel: dict = {}
    for entry in items:
        by_channel.setdefault(entry["channel_id"], []).append(entry)
    for channel_id, entries in by_channel.items():
        culled_versions = {v for e in entries for v in e["version_ids"]}
        whole = {e["platform_id"] for e in entries if e["whole"]}
        platform_ids = [e["platform_id"] for e in entries]
        for start in range(0, len(platform_ids), 1000):
            live = Item.objects.select_for_update().filter(
                channel_id=channel_id, platform_id__in=platform_ids[start:start + 1000], purged_at__isnull=True)
            current = dict(
                ItemVersion.objects.filter(item__in=live, number=models.F("item__version_count"))
                .values_list("item_id", "pk")
            )
            targets = [item for item in live.only("pk", "platform_id")
                       if item.platform_id in whole or current.get(item.pk) in culled_versions]
            if not targets:
                continue
            Item.objects.filter(pk__in=[t.pk for t in targets]).update(
                text="", author_name="", author_platform_id="", author_profile_url="", permalink="", raw={},
                purged_at=now,
            )
            counts["channels.items"] += len(targets)
            for item in targets:
                counts["channels.attachments"] += _attachments_purge(item=item)
    return counts
