"""Reads for health and metrics: small aggregate queries, one per concern."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

CELERY_QUEUES = ("default", "poll", "actions")


def database_ok() -> None:
    """Raises if the database does not answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_all_migrations_applied = False


def unapplied_migrations() -> int:
    """How many migrations of this release are not applied to the database. Once none are, the answer
    is kept for the life of the process (a release's migrations do not come unapplied)."""
    global _all_migrations_applied
    if _all_migrations_applied:
        return 0
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _all_migrations_applied = unapplied == 0
    return unapplied


def broker_ok(*, timeout: float = 2.0) -> None:
    """Raises if the Celery broker cannot be reached within ``timeout`` seconds."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise OSError(f"broker folder {folder} is missing or not writable")
        return
    from kombu import Connection

    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)


def last_successful_poll() -> dt.datetime | None:
    """The most recent successful poll of any channel with polling on (None: nothing polled yet)."""
    from channels.models import ChannelSync

    return ChannelSync.objects.filter(polling_enabled=True).aggregate(last=Max("last_success_at"))["last"]


def polling_expected() -> bool:
    """Whether any active channel is set up to be polled (so a missing poll is a fault)."""
    from channels.models import ChannelSync
    from registry.models import ChannelStatus

    return ChannelSync.objects.filter(
        polling_enabled=True, needs_reauth=False, channel__status=ChannelStatus.ACTIVE
    ).exclude(credentials_encrypted="").exists()


def outbox_backlog(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Pending or running platform actions created more than ``older_than`` ago."""
    from channels.models import ActionState, OutboxAction

    now = now or timezone.now()
    return OutboxAction.objects.filter(
        state__in=(ActionState.PENDING, ActionState.RUNNING), created_at__lte=now - older_than
    ).count()


def operational_state(*, now: dt.datetime | None = None) -> dict:
    """Everything the metrics report from the database, in a handful of aggregate queries."""
    from channels.models import ActionState, ChannelSync, OutboxAction
    from moderation.models import OPEN_STATES, QueueEntry, QueueState

    now = now or timezone.now()
    queue_by_state = dict.fromkeys(QueueState.values, 0)
    for row in QueueEntry.objects.values("state").annotate(n=Count("pk")).order_by():
        queue_by_state[row["state"]] = row["n"]
    queue_overdue = QueueEntry.objects.filter(state__in=OPEN_STATES, needs_answer=True, due_at__lt=now).count()
    oldest_new = QueueEntry.objects.filter(state=QueueState.NEW).aggregate(t=Min("received_at"))["t"]

    polled, failing, failures, reauth, stalest = {}, {}, {}, {}, {}
    rows = (
        ChannelSync.objects.filter(polling_enabled=True)
        .values("channel__platform")
        .annotate(
            n=Count("pk"),
            failing=Count("pk", filter=Q(consecutive_failures__gt=0)),
            failures=Sum("consecutive_failures"),
            reauth=Count("pk", filter=Q(needs_reauth=True)),
            oldest=Min("last_success_at"),
        )
        .order_by()
    )
    for row in rows:
        platform = row["channel__platform"]
        polled[platform] = row["n"]
        failing[platform] = row["failing"]
        failures[platform] = row["failures"] or 0
        reauth[platform] = row["reauth"]
        if row["oldest"] is not None:
            stalest[platform] = max(0.0, (now - row["oldest"]).total_seconds())

    by_state_kind: dict = defaultdict(int)
    for row in OutboxAction.objects.values("state", "kind").annotate(n=Count("pk")).order_by():
        by_state_kind[(row["state"], row["kind"])] = row["n"]
    oldest_action = OutboxAction.objects.filter(
        state__in=(ActionState.PENDING, ActionState.RUNNING)
    ).aggregate(t=Min("created_at"))["t"]
    return {
        "queue_by_state": queue_by_state,
        "queue_open": sum(queue_by_state[s] for s in OPEN_STATES),
        "queue_overdue": queue_overdue,
        "queue_oldest_new_seconds": max(0.0, (now - oldest_new).total_seconds()) if oldest_new else 0.0,
        "polled_by_platform": polled,
        "failing_by_platform": failing,
        "failures_by_platform": failures,
        "reauth_by_platform": reauth,
        "stalest_by_platform": stalest,
        "outbox_by_state_kind": dict(by_state_kind),
        "outbox_failed": sum(n for (s, _k), n in by_state_kind.items() if s == ActionState.FAILED),
        "outbox_oldest_seconds": max(0.0, (now - oldest_action).total_seconds()) if oldest_action else 0.0,
    }


def celery_queue_lengths() -> dict[str, int]:
    """LLEN of each Celery queue on a Redis broker; empty for other brokers or when Redis is down."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {}
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return {queue: int(client.llen(queue)) for queue in CELERY_QUEUES}
    except redis.RedisError:
        return {}
    finally:
        client.close()
