"""Polling: which channels are due, the per-channel poll lease, and one incremental poll.

A poll claims the channel's sync row with a compare-and-set update (exactly one row, or another
poll holds it), streams the connector's pages, and stores each page together with its cursor. The
outcome decides the next poll: success → one interval; rate limited → the platform's retry-after,
with no error state; transient error → exponential backoff with jitter (bounded); expired token →
the channel needs re-authorisation and is not polled until new credentials are entered.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.models import Channel, ChannelStatus, Platform

from ..connectors.base import (
    AuthorizationExpired,
    ConnectorError,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
)
from ..crypto import CredentialsUnreadable
from ..models import ChannelSync, Item
from .common import backoff_seconds, scrub
from .ingest import LeaseLost, StoreResult, items_store
from .platform import NotConnectable, connector_class, connector_for
from .sync import channel_credentials_get, channel_mark_needs_reauth

logger = logging.getLogger(__name__)


def _lease_seconds() -> int:
    return int(getattr(settings, "CHANNELS_POLL_LEASE_SECONDS", 300))


@dataclass
class PollReport:
    channel_id: int
    outcome: str = "ok"  # ok, busy, rate_limited, transient_error, error, needs_reauth, skipped
    pages: int = 0
    parse_failures: int = 0
    error: str = ""
    stored: StoreResult = field(default_factory=StoreResult)
    next_poll_at: dt.datetime | None = None
    missing_context: set[str] = field(default_factory=set)


def poll_claim(*, sync_id: int, now: dt.datetime | None = None) -> str | None:
    """Take the poll lease on a channel. Returns the lease token, or None when another poll holds
    an unexpired lease. A lease whose expiry has passed (a killed worker) is taken over."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        ChannelSync.objects.filter(pk=sync_id)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
        .update(lease_token=token, lease_expires_at=now + dt.timedelta(seconds=_lease_seconds()), last_attempt_at=now)
    )
    # Nothing got updated: another poll holds the lease.
    return token if claimed == 1 else None


def poll_release(*, sync_id: int, token: str, **fields) -> bool:
    """Give the lease back, recording the poll's outcome. False if the lease was taken over."""
    return (
        ChannelSync.objects.filter(pk=sync_id, lease_token=token).update(lease_token="", lease_expires_at=None, **fields)
        == 1
    )


def channels_due_for_poll(*, now: dt.datetime | None = None):
    """Sync rows of active, connectable channels whose next poll time has come and that no poll holds."""
    now = now or timezone.now()
    return ChannelSync.objects.filter(
        channel__status=ChannelStatus.ACTIVE,
        polling_enabled=True,
        needs_reauth=False,
    ).exclude(channel__platform=Platform.OTHER).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    ).filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))


def polls_enqueue_due(*, now: dt.datetime | None = None) -> list[int]:
    """The beat tick: enqueue a poll for every channel that is due. Active channels without a sync
    row get one first. Enqueued channels get a guard time as next poll, so a slow queue does not
    collect duplicates; the poll itself sets the real next time."""
    from ..tasks import channel_poll_task

    now = now or timezone.now()
    missing = Channel.objects.filter(status=ChannelStatus.ACTIVE, sync__isnull=True).exclude(platform=Platform.OTHER)
    ChannelSync.objects.bulk_create(
        [ChannelSync(channel_id=pk) for pk in missing.values_list("pk", flat=True)], ignore_conflicts=True
    )
    due = list(channels_due_for_poll(now=now).values_list("pk", "channel_id"))
    if not due:
        return []
    guard = dt.timedelta(seconds=int(getattr(settings, "CHANNELS_POLL_ENQUEUE_GUARD_SECONDS", 600)))
    with transaction.atomic():
        ChannelSync.objects.filter(pk__in=[pk for pk, _c in due]).update(next_poll_at=now + guard)
        channel_ids = [channel_id for _pk, channel_id in due]
        transaction.on_commit(lambda: [channel_poll_task.delay(cid) for cid in channel_ids], robust=True)
    return channel_ids


def channel_poll(*, channel_id: int, defer_context: bool = True) -> PollReport:
    """Poll one channel now, incrementally from its stored cursor, page by page.

    Thread roots and parents that are missing are fetched afterwards by a task (``defer_context``),
    or left in ``report.missing_context`` for the caller (the foreground ``poll`` command)."""
    report = PollReport(channel_id=channel_id)
    channel = Channel.objects.select_related("department", "department__board", "responsible").get(pk=channel_id)
    sync, _created = ChannelSync.objects.get_or_create(channel=channel)
    token = poll_claim(sync_id=sync.pk)
    if token is None:
        report.outcome = "busy"
        return report
    sync.refresh_from_db()
    secrets: dict = {}
    now = timezone.now
    try:
        if sync.needs_reauth:
            report.outcome = "needs_reauth"
            poll_release(sync_id=sync.pk, token=token)
            return report
        try:
            secrets = channel_credentials_get(sync=sync)
        except CredentialsUnreadable as exc:
            raise NotConnectable(str(exc)) from None
        connector = connector_for(channel=channel, sync=sync)
        batch = _Batch(channel=channel, connector=connector, token=token, report=report)
        try:
            for page in connector.iter_pages(cursor=dict(sync.cursor or {})):
                report.pages += 1
                report.parse_failures += len(page.failures)
                for failure in page.failures:
                    logger.warning("channel %s: unparseable entry %s: %s", channel_id, failure.platform_id,
                                   failure.reason)
                batch.add(page)
        except ConnectorError:
            # What was fetched before the error is good: keep it (with its cursor) before handling it.
            batch.flush()
            raise
        batch.flush()
    except LeaseLost:
        report.outcome = "busy"
        report.error = "lease lost"
        return report
    except RateLimited as exc:
        report.outcome = "rate_limited"
        until = now() + dt.timedelta(seconds=max(1.0, float(exc.retry_after)))
        report.next_poll_at = until
        poll_release(sync_id=sync.pk, token=token, next_poll_at=until, rate_limited_until=until)
        return report
    except AuthorizationExpired as exc:
        report.outcome = "needs_reauth"
        report.error = scrub(exc, secrets=secrets)
        with transaction.atomic():
            channel_mark_needs_reauth(sync=sync, error=report.error)
            poll_release(sync_id=sync.pk, token=token)
        return report
    except TransientError as exc:
        failures = sync.consecutive_failures + 1
        delay = backoff_seconds(
            attempt=failures,
            base=float(getattr(settings, "CHANNELS_POLL_BACKOFF_BASE_SECONDS", 30)),
            cap=float(getattr(settings, "CHANNELS_POLL_BACKOFF_CAP_SECONDS", 1800)),
        )
        report.outcome = "transient_error"
        report.error = scrub(exc, secrets=secrets)
        report.next_poll_at = now() + dt.timedelta(seconds=delay)
        poll_release(
            sync_id=sync.pk, token=token, consecutive_failures=failures, next_poll_at=report.next_poll_at,
            last_error=report.error, last_error_at=now(),
        )
        return report
    except (ConnectorError, NotConnectable) as exc:
        report.outcome = "error"
        report.error = scrub(exc, secrets=secrets)
    except Exception as exc:
        # Our own failure (e.g. the database or the archive): recorded, the lease freed, then raised.
        report.outcome = "error"
        report.error = scrub(f"{type(exc).__name__}: {exc}", secrets=secrets)
        _record_failure(sync=sync, token=token, error=report.error)
        raise
    if report.outcome == "error":
        report.next_poll_at = _record_failure(sync=sync, token=token, error=report.error)
        return report
    if defer_context:
        _enqueue_context(report)
    report.next_poll_at = now() + dt.timedelta(seconds=sync.poll_interval_seconds)
    poll_release(
        sync_id=sync.pk, token=token, last_success_at=now(), next_poll_at=report.next_poll_at,
        consecutive_failures=0, last_error="", rate_limited_until=None,
    )
    return report


class _Batch:
    """Consecutive pages stored together, up to CHANNELS_POLL_BATCH_ITEMS items, with the cursor of
    the last page in the batch: fewer, larger transactions for platforms with small pages."""

    def __init__(self, *, channel: Channel, connector, token: str, report: PollReport):
        self.channel, self.connector, self.token, self.report = channel, connector, token, report
        self.limit = int(getattr(settings, "CHANNELS_POLL_BATCH_ITEMS", 500))
        self.items: list = []
        self.failures: list = []
        self.cursor: dict | None = None

    def add(self, page) -> None:
        self.items.extend(page.items)
        self.failures.extend(page.failures)
        self.cursor = page.cursor
        if len(self.items) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.cursor is None:
            return
        items, cursor, failures = self.items, self.cursor, self.failures
        self.items, self.cursor, self.failures = [], None, []
        stored = items_store(channel=self.channel, items=items, cursor=cursor, lease_token=self.token,
                             failures=failures)
        self.report.stored.add(stored)
        self.report.missing_context.update(_missing_context(channel=self.channel, items=items))


def _missing_context(*, channel: Channel, items: list) -> set[str]:
    """Thread roots and parents the items refer to that are not stored (typically the channel's own
    posts). They are fetched after the poll, not during it, so a slow thread lookup never holds up
    storing what arrived; when they arrive, their waiting children are linked to them."""
    refs = {i.thread_platform_id for i in items if i.thread_platform_id} | {
        i.parent_platform_id for i in items if i.parent_platform_id
    }
    refs -= {i.platform_id for i in items}
    if not refs:
        return set()
    known = set(Item.objects.filter(channel=channel, platform_id__in=list(refs)).values_list("platform_id", flat=True))
    return refs - known


def thread_context_fetch(*, channel_id: int, platform_ids: list[str]) -> StoreResult:
    """Fetch the threads of the given items (their roots and parents) and store what is missing."""
    channel = Channel.objects.select_related("department", "department__board").get(pk=channel_id)
    sync, _created = ChannelSync.objects.get_or_create(channel=channel)
    connector = connector_for(channel=channel, sync=sync)
    limit = int(getattr(settings, "CHANNELS_THREAD_CONTEXT_MAX", 50))
    wanted = set(platform_ids) - set(
        Item.objects.filter(channel=channel, platform_id__in=list(platform_ids)).values_list("platform_id", flat=True)
    )
    fetched: dict[str, object] = {}
    for ref in sorted(wanted)[:limit]:
        if ref in fetched:
            continue
        try:
            for entry in connector.fetch_thread(platform_id=ref):
                fetched.setdefault(entry.platform_id, entry)
        except (NotFound, PermanentError) as exc:
            # Gone or not readable: the items keep the platform id of their thread as the reference.
            logger.info("channel %s: thread of %s not fetched: %s", channel_id, ref, type(exc).__name__)
    return items_store(channel=channel, items=list(fetched.values()))


def _enqueue_context(report: PollReport) -> None:
    if not report.missing_context or not getattr(settings, "CHANNELS_THREAD_CONTEXT_TASKS", True):
        return
    from ..tasks import thread_context_fetch_task

    ids = sorted(report.missing_context)[: int(getattr(settings, "CHANNELS_THREAD_CONTEXT_MAX", 50))]
    channel_id = report.channel_id
    transaction.on_commit(lambda: thread_context_fetch_task.delay(channel_id, ids), robust=True)


def _record_failure(*, sync: ChannelSync, token: str, error: str) -> dt.datetime:
    next_at = timezone.now() + dt.timedelta(seconds=sync.poll_interval_seconds)
    poll_release(
        sync_id=sync.pk, token=token, consecutive_failures=sync.consecutive_failures + 1, next_poll_at=next_at,
        last_error=error, last_error_at=timezone.now(),
    )
    return next_at


def channels_for_poll_command(*, channel_id: int | None = None, platform: str | None = None) -> list[Channel]:
    """The channels the ``poll`` command polls: one, one platform's, or every active connectable one."""
    qs = Channel.objects.filter(status=ChannelStatus.ACTIVE).exclude(platform=Platform.OTHER).order_by("pk")
    if channel_id is not None:
        qs = Channel.objects.filter(pk=channel_id)
    if platform:
        qs = qs.filter(platform=platform)
    return [c for c in qs if connector_class(c.platform) is not None]
