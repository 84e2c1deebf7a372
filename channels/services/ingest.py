"""The inbound store: bulk upsert of normalised items by (channel, platform id).

One call stores one page. Per page it runs a fixed number of queries whatever the page size: lock
the channel's sync row, load the known items the page mentions, bulk-insert new items and their
first versions, bulk-insert versions for edited text, bulk-update what changed, capture every new
version in the archive, and (for a poll) save the cursor, all in one transaction. So a page and its
cursor commit together or not at all, and re-reading a page never duplicates anything.

Concurrent stores for one channel (a poll and a webhook delivery) are serialised on the sync row;
the UniqueConstraint on (channel, platform_id) is the final guard.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.services.capture import channel_snapshot
from registry.models import Channel

from ..connectors.base import NormalizedItem, ParseFailure
from ..models import (
    ActionKind,
    ActionState,
    Attachment,
    ChannelSync,
    Item,
    ItemKind,
    ItemVersion,
    OutboxAction,
    OutsideRemovalAlert,
    QuarantinedItem,
    Visibility,
)
from ..signals import item_version_stored
from .admission import items_admit, quarantine_rows
from .bulk import allocate_ids, insert_rows

logger = logging.getLogger(__name__)

CHUNK = 500


class LeaseLost(Exception):
    """The poll's lease on the channel was taken over (it ran past its expiry): stop without saving."""


@dataclass
class StoreResult:
    received: int = 0
    new_items: int = 0
    new_versions: int = 0
    visibility_changes: int = 0
    outside_removals: int = 0
    quarantined: int = 0
    attachment_ids: list[int] = field(default_factory=list)

    def add(self, other: StoreResult) -> None:
        self.received += other.received
        self.new_items += other.new_items
        self.new_versions += other.new_versions
        self.visibility_changes += other.visibility_changes
        self.outside_removals += other.outside_removals
        self.quarantined += other.quarantined
        self.attachment_ids.extend(other.attachment_ids)


def items_store(
    *,
    channel: Channel,
    items: Iterable[NormalizedItem],
    cursor: dict | None = None,
    lease_token: str | None = None,
    seen_how: str = "poll",
    failures: Iterable[ParseFailure] = (),
) -> StoreResult:
    """Store one page of items for ``channel`` and, for a poll, its cursor, in one transaction.

    With ``lease_token`` the store refuses (LeaseLost) unless the caller still holds the poll lease,
    so a poll that was taken over cannot move the cursor backwards. ``seen_how`` (poll, webhook,
    reconciliation) is recorded with every change of visibility the page shows."""
    items, refused = items_admit(items)
    set_aside = [*failures, *refused]
    items = _dedupe(items)
    with transaction.atomic():
        sync = _sync_locked(channel)
        if lease_token is not None and sync.lease_token != lease_token:
            raise LeaseLost(f"channel {channel.pk}: poll lease lost")
        now = timezone.now()
        result = _store(channel=channel, items=items, now=now, seen_how=seen_how) if items else StoreResult()
        if set_aside:
            # What could not be read or stored waits in the channel's quarantine; the page goes on.
            QuarantinedItem.objects.bulk_create(
                quarantine_rows(channel=channel, failures=set_aside, seen_how=seen_how, now=now))
            result.quarantined = len(set_aside)
        update_fields = []
        if result.new_items:
            today = timezone.localdate(now)
            if sync.items_today_date != today:
                sync.items_today, sync.items_today_date = 0, today
            sync.items_today += result.new_items
            update_fields += ["items_today", "items_today_date"]
        if cursor is not None:
            sync.cursor = cursor
            update_fields.append("cursor")
        if lease_token is not None:
            sync.lease_expires_at = now + dt.timedelta(seconds=_lease_seconds())
            update_fields.append("lease_expires_at")
        if update_fields:
            sync.save(update_fields=[*update_fields, "updated_at"])
        if result.attachment_ids:
            ids = list(result.attachment_ids)
            transaction.on_commit(lambda: _enqueue_downloads(ids))
    return result


def _sync_locked(channel: Channel) -> ChannelSync:
    """The channel's sync row, locked for this transaction (created first if the channel has none)."""
    try:
        return ChannelSync.objects.select_for_update().get(channel=channel)
    except ChannelSync.DoesNotExist:
        ChannelSync.objects.get_or_create(channel=channel)
        return ChannelSync.objects.select_for_update().get(channel=channel)


def item_store_from_webhook(*, channel: Channel, item: NormalizedItem) -> StoreResult:
    """Store one item delivered by a webhook through the same upsert path as polling. The poll
    cursor is left alone, so the same item arriving again by poll is recognised, not duplicated."""
    return items_store(channel=channel, items=[item], seen_how="webhook")


def _lease_seconds() -> int:
    return int(getattr(settings, "CHANNELS_POLL_LEASE_SECONDS", 300))


def _enqueue_downloads(ids: list[int]) -> None:
    from ..tasks import attachment_download_task

    for attachment_id in ids:
        attachment_download_task.delay(attachment_id)


def _dedupe(items: Iterable[NormalizedItem]) -> list[NormalizedItem]:
    """One entry per platform id; a later entry in the page wins (it is the newer state)."""
    by_id: dict[str, NormalizedItem] = {}
    for item in items:
        by_id.pop(item.platform_id, None)
        by_id[item.platform_id] = item
    return list(by_id.values())


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _store(*, channel: Channel, items: list[NormalizedItem], now: dt.datetime, seen_how: str) -> StoreResult:
    result = StoreResult(received=len(items))
    incoming_ids = [i.platform_id for i in items]
    referenced = {i.parent_platform_id for i in items if i.parent_platform_id} | {
        i.thread_platform_id for i in items if i.thread_platform_id
    }
    wanted = list(set(incoming_ids) | referenced)

    # One query: every stored item the page mentions, itself or as a parent or thread root.
    known: dict[str, dict] = {}
    for chunk in _chunks(wanted):
        for row in _known_rows(channel_id=channel.pk, platform_ids=chunk):
            known[row["platform_id"]] = row

    new_rows: list[dict] = []
    new_sources: list[NormalizedItem] = []
    changed: list[tuple[NormalizedItem, dict]] = []
    channel_id = channel.pk
    for n in items:
        row = known.get(n.platform_id)
        if row is None:
            parent = known.get(n.parent_platform_id or "")
            new_rows.append(
                {
                    "channel_id": channel_id,
                    "platform_id": n.platform_id,
                    "kind": str(n.kind),
                    "parent_id": parent["id"] if parent else None,
                    "parent_platform_id": n.parent_platform_id or "",
                    "thread_platform_id": n.thread_platform_id or "",
                    "author_platform_id": n.author.platform_id,
                    "author_name": n.author.name,
                    "author_profile_url": n.author.profile_url,
                    "text": n.text,
                    "permalink": n.permalink,
                    "created_at": n.created_at,
                    "edited_at": n.edited_at,
                    "received_at": now,
                    "visibility": str(n.visibility),
                    "visibility_changed_at": None,
                    "version_count": 1,
                    "raw": n.raw,
                }
            )
            new_sources.append(n)
        elif row["purged_at"] is not None:
            # Marked as suspected CSAM (channels.services.purge): none of its content is stored again,
            # not as an edit either; only a change of visibility (our delete taking effect) is recorded.
            if str(n.visibility) != row["visibility"]:
                changed.append((n, row))
        elif _text_changed(n, row) or str(n.visibility) != row["visibility"]:
            changed.append((n, row))

    version_rows: list[dict] = []
    version_items: list[tuple[int, NormalizedItem]] = []  # (item id, source), parallel to version_rows

    json_cache: dict = {}
    if new_rows:
        if connection.vendor == "postgresql":
            ids = _link_before_insert(channel_id=channel_id, new_rows=new_rows)
            insert_rows(Item, new_rows, json_cache=json_cache, ids=ids)
        else:
            ids = insert_rows(Item, new_rows, json_cache=json_cache)
            # Children whose parent arrived in this page, or before their parent did, are linked
            # now: one UPDATE, matching nothing in the usual case where parents come first.
            new_pids = [r["platform_id"] for r in new_rows if r["kind"] != ItemKind.DM]
            for chunk in _chunks(new_pids):
                _link_children(channel_id=channel.pk, parent_platform_ids=chunk)
        for pk, n in zip(ids, new_sources, strict=True):
            known[n.platform_id] = {"id": pk, "platform_id": n.platform_id, "text": n.text}
            version_rows.append(
                {"item_id": pk, "number": 1, "text": n.text, "edited_at": n.edited_at, "received_at": now, "raw": n.raw}
            )
            version_items.append((pk, n))
        result.new_items = len(new_rows)

    updates: list[Item] = []
    text_updates: list[Item] = []
    # (item id, old, new, previous change time) of every change of visibility
    visibility_changes: list[tuple[int, str, str, object]] = []
    for n, row in changed:
        obj = Item(pk=row["id"], channel=channel, platform_id=n.platform_id)
        if row["purged_at"] is None and _text_changed(n, row):
            number = row["version_count"] + 1
            version_rows.append(
                {"item_id": row["id"], "number": number, "text": n.text, "edited_at": n.edited_at,
                 "received_at": now, "raw": n.raw}
            )
            version_items.append((row["id"], n))
            obj.text, obj.edited_at, obj.version_count, obj.raw = n.text, n.edited_at, number, n.raw
            row["text"] = n.text
            text_updates.append(obj)
        if str(n.visibility) != row["visibility"]:
            result.visibility_changes += 1
            visibility_changes.append(
                (row["id"], row["visibility"], str(n.visibility), row.get("visibility_changed_at")))
            updates.append(Item(pk=row["id"], visibility=str(n.visibility), visibility_changed_at=now))
    if text_updates:
        Item.objects.bulk_update(text_updates, ["text", "edited_at", "version_count", "raw"], batch_size=CHUNK)
    if updates:
        Item.objects.bulk_update(updates, ["visibility", "visibility_changed_at"], batch_size=CHUNK)

    if version_rows:
        version_ids = insert_rows(ItemVersion, version_rows, json_cache=json_cache)
        result.new_versions = len(version_ids)
        result.attachment_ids = _attachments_create(version_items)
        snapshots = _VersionSnapshots(
            channel=channel, version_ids=version_ids, version_rows=version_rows, version_items=version_items,
            known=known, now=now,
        )
        _archive_capture(snapshots=snapshots)
        for version in snapshots.versions:
            item_version_stored.send(sender=ItemVersion, version=version)

    if visibility_changes:
        result.outside_removals = _visibility_changes_record(
            channel=channel, changes=visibility_changes, now=now, seen_how=seen_how)
    return result


# The two lookups below run for every page. They are written in SQL so that a page's platform ids
# travel as one parameter without the ORM's per-value processing (on PostgreSQL one array, so the
# statement text is the same for every page), and use the (channel, platform_id) and
# (channel, parent_platform_id) indexes on PostgreSQL and SQLite alike.

_ITEM = Item._meta.db_table


def _in_list(column: str, values: list[str]) -> tuple[str, list]:
    """``column`` is one of ``values``: the SQL condition and its parameters."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _known_rows(*, channel_id: int, platform_ids: list[str]) -> list[dict]:
    if not platform_ids:
        return []
    condition, params = _in_list("platform_id", platform_ids)
    sql = (
        f"SELECT id, platform_id, text, version_count, visibility, visibility_changed_at, purged_at "  # noqa: S608
        f"FROM {_ITEM} "
        f"WHERE channel_id = %s AND {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [channel_id, *params])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    if connection.vendor != "postgresql":
        # SQLite returns timestamps as text through a raw cursor; the alert check compares them.
        field = Item._meta.get_field("visibility_changed_at")
        for row in rows:
            value = row["visibility_changed_at"]
            if value is not None and not isinstance(value, dt.datetime):
                row["visibility_changed_at"] = field.to_python(value)
    return rows


def _link_children(*, channel_id: int, parent_platform_ids: list[str]) -> None:
    """Point items waiting for one of these parents (stored before their parent) at it."""
    if not parent_platform_ids:
        return
    condition, params = _in_list("parent_platform_id", parent_platform_ids)
    sql = (
        f"UPDATE {_ITEM} SET parent_id = (SELECT p.id FROM {_ITEM} p "  # noqa: S608
        f"WHERE p.channel_id = {_ITEM}.channel_id AND p.platform_id = {_ITEM}.parent_platform_id) "
        f"WHERE channel_id = %s AND parent_id IS NULL AND {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [channel_id, *params])


def _link_before_insert(*, channel_id: int, new_rows: list[dict]) -> list[int]:
    """PostgreSQL: draw the new items' ids, then link children to the new parents before the new
    rows are written: those in this page in Python, those stored before their parent (earlier
    transactions) with one UPDATE per chunk. Run before the insert, the UPDATE's index probes meet
    only such waiting children, not the page's own replies. (The parent foreign key is checked at
    commit, when the parents exist.) Returns the ids, one per row."""
    ids = allocate_ids(Item, len(new_rows))
    parents = {r["platform_id"]: pk for pk, r in zip(ids, new_rows, strict=True) if r["kind"] != ItemKind.DM}
    for row in new_rows:
        if row["parent_id"] is None and row["parent_platform_id"]:
            row["parent_id"] = parents.get(row["parent_platform_id"])
    pids = list(parents)
    sql = (
        f"UPDATE {_ITEM} SET parent_id = (%s::bigint[])[array_position(%s::text[], parent_platform_id::text)] "  # noqa: S608
        f"WHERE channel_id = %s AND parent_id IS NULL AND parent_platform_id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pids), CHUNK):
            chunk = pids[start : start + CHUNK]
            cursor.execute(sql, [[parents[p] for p in chunk], chunk, channel_id, chunk])
    return ids


_VERSION_ATTNAMES = [f.attname for f in ItemVersion._meta.concrete_fields]


def _version_instance(pk: int, row: dict) -> ItemVersion:
    """The stored version as a model instance for the signal, built as the ORM builds loaded rows
    (Model.from_db), which is much cheaper than the keyword constructor."""
    values = {**row, "id": pk}
    return ItemVersion.from_db("default", _VERSION_ATTNAMES, [values.get(a) for a in _VERSION_ATTNAMES])


def _text_changed(n: NormalizedItem, row: dict) -> bool:
    if n.text == row["text"]:
        return False
    # A deleted item often comes back without its text: that is a removal, not an edit.
    return not (n.visibility == Visibility.DELETED and not n.text)


def _attachments_create(version_items: list[tuple[int, NormalizedItem]]) -> list[int]:
    rows = [
        Attachment(item_id=item_id, url=a.url, media_type=a.media_type, platform_id=a.platform_id)
        for item_id, n in version_items
        for a in n.attachments
        if a.url
    ]
    if not rows:
        return []
    Attachment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
    item_ids = {r.item_id for r in rows}
    return list(
        Attachment.objects.filter(item_id__in=item_ids, state="pending", attempts=0).values_list("id", flat=True)
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


class _VersionSnapshots:
    """The archive snapshots of a page's new versions, as a sized iterable built one snapshot at a
    time: capture_item_versions stores each record while the next snapshot is being built (the
    server's work on a row overlaps ours on the next). Building a snapshot also builds the version's
    model instance for item_version_stored (``versions``); neither touches the database."""

    def __init__(self, *, channel: Channel, version_ids, version_rows, version_items, known, now) -> None:
        self.channel = channel
        # Loaded now (channel → department → board may need queries), not while the archive's COPY
        # holds the connection.
        self.channel_info = channel_snapshot(channel)
        self.version_ids = version_ids
        self.version_rows = version_rows
        self.version_items = version_items
        self.known = known
        self.now = now
        self.versions: list[ItemVersion] = []

    def __len__(self) -> int:
        return len(self.version_ids)

    def __iter__(self):
        self.versions = versions = []
        channel_info = self.channel_info
        platform = self.channel.platform
        received_at = _iso(self.now)
        known_get = self.known.get
        for pk, row, (item_id, n) in zip(self.version_ids, self.version_rows, self.version_items, strict=True):
            versions.append(_version_instance(pk, row))
            thread_pid = n.thread_platform_id or ""
            parent_pid = n.parent_platform_id or ""
            root = known_get(thread_pid)
            parent = known_get(parent_pid)
            author = n.author
            yield {
                "channel": channel_info,
                "platform": platform,
                "platform_id": n.platform_id,
                "kind": str(n.kind),
                "version": row["number"],
                "thread": {
                    "root_platform_id": thread_pid,
                    "root_text": root["text"] if root else "",
                    "parent_platform_id": parent_pid,
                    "parent_text": parent["text"] if parent else "",
                },
                "author": {"platform_id": author.platform_id, "name": author.name, "profile_url": author.profile_url},
                "text": n.text,
                "attachments": [
                    {"url": a.url, "media_type": a.media_type, "sha256": "", "size": None} for a in n.attachments
                ]
                if n.attachments
                else [],
                "created_at": _iso(n.created_at),
                "edited_at": _iso(n.edited_at),
                "received_at": received_at,
                "visibility": str(n.visibility),
                "raw": n.raw,
                "source": {"item_id": item_id, "version_id": pk},
            }


def _archive_capture(*, snapshots: _VersionSnapshots) -> None:
    """Capture every new version in the archive inside the storing transaction (TF ch. 2: what
    arrives is a public record from the moment it arrives)."""
    from archive.services import capture_item_versions

    capture_item_versions(snapshots=snapshots, returning=False)


def _explained_by_us(changes: list[tuple[int, str, str, object]]) -> set[int]:
    """The items whose change an action of ours explains: a hide or delete (a delete for a deletion)
    for a removal, an unhide for a return, that has not failed and was created after the item's
    previous visibility change."""
    item_ids = [item_id for item_id, _old, _new, _since in changes]
    ours: dict[int, list[tuple[str, dt.datetime]]] = {}
    for item_id, kind, created_at in OutboxAction.objects.filter(
        item_id__in=item_ids,
        kind__in=[ActionKind.HIDE, ActionKind.DELETE, ActionKind.UNHIDE],
        state__in=[ActionState.PENDING, ActionState.RUNNING, ActionState.SUCCEEDED],
    ).values_list("item_id", "kind", "created_at"):
        ours.setdefault(item_id, []).append((kind, created_at))
    explained = set()
    for item_id, _old, new, since in changes:
        if new == Visibility.DELETED:
            wanted = {ActionKind.DELETE}
        elif new == Visibility.HIDDEN:
            wanted = {ActionKind.HIDE, ActionKind.DELETE}
        else:
            wanted = {ActionKind.UNHIDE}
        if any(kind in wanted and (since is None or created_at >= since) for kind, created_at in ours.get(item_id, [])):
            explained.add(item_id)
    return explained


def _visibility_changes_record(
    *, channel: Channel, changes: list[tuple[int, str, str, object]], now: dt.datetime, seen_how: str,
) -> int:
    """Archive every change of visibility as a platform event (what, when, seen how, whether the tool
    did it), and raise an alert to the informatör for hidden/deleted changes no action of ours
    explains. Returns the number of such outside removals."""
    from archive.services.capture import capture_platform_events

    explained = _explained_by_us(changes)
    items = {
        row["id"]: row for row in Item.objects.filter(pk__in=[c[0] for c in changes]).values(
            "id", "platform_id", "kind", "author_platform_id", "author_name", "created_at")
    }
    channel_info = channel_snapshot(channel)
    capture_platform_events(events=[
        {
            "item": {
                "channel": channel_info, "platform": channel.platform, "platform_id": items[item_id]["platform_id"],
                "kind": items[item_id]["kind"],
                "author": {"platform_id": items[item_id]["author_platform_id"], "name": items[item_id]["author_name"]},
                "created_at": _iso(items[item_id]["created_at"]),
            },
            "previous": old, "new": new, "seen_how": seen_how, "outside_tool": item_id not in explained,
        }
        for item_id, old, new, _since in changes
    ])
    alerts = [
        OutsideRemovalAlert(item_id=item_id, channel=channel, previous_visibility=old, new_visibility=new, detected_at=now)
        for item_id, old, new, _since in changes
        if new in (Visibility.HIDDEN, Visibility.DELETED) and item_id not in explained
    ]
    if alerts:
        OutsideRemovalAlert.objects.bulk_create(alerts)
        count = len(alerts)
        transaction.on_commit(lambda: _send_outside_removal_mail(channel=channel, count=count))
    return len(alerts)


def _send_outside_removal_mail(*, channel: Channel, count: int) -> None:
    path = reverse("channels-channel-health", kwargs={"pk": channel.pk})
    subject = _("Borttaget utanför verktyget: %(name)s") % {"name": channel.name}
    body = _(
        "%(count)s inlägg eller kommentarer på %(name)s har dolts eller tagits bort direkt på plattformen, "
        "utan att det gjorts i verktyget. Innehållet finns kvar i arkivet. Kontrollera om borttagningen "
        "var riktig och dokumenterad: %(path)s\n"
    ) % {"count": count, "name": channel.name, "path": path}
    send_mail(subject, body, None, [settings.INFORMATOR_EMAIL])
