"""Celery tasks: thin interfaces that take ids and call a service.

Queues (routes in channels/schedule.py): polls and attachment downloads go to ``poll`` (I/O-bound,
a thread-pool worker), outbox actions to ``actions``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .connectors.base import TransientError as TransientConnectorError

logger = logging.getLogger(__name__)

DB_TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, ignore_result=True)
def polls_enqueue_due_task() -> int:
    """Beat tick (every minute): enqueue a poll for each channel that is due."""
    from .services import polls_enqueue_due

    return len(polls_enqueue_due())


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=5, retry_backoff_max=300,
    retry_jitter=True, max_retries=5,
)
def channel_poll_task(channel_id: int) -> str:
    """Poll one channel. Connector errors are handled by the service (backoff, rate limits,
    re-authorisation); only database hiccups are retried here."""
    from registry.models import Channel

    from .services import channel_poll

    try:
        report = channel_poll(channel_id=channel_id)
    except Channel.DoesNotExist:
        return "gone"
    return report.outcome


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(*DB_TRANSIENT, TransientConnectorError), retry_backoff=10,
    retry_backoff_max=600, retry_jitter=True, max_retries=5,
)
def thread_context_fetch_task(channel_id: int, platform_ids: list[str]) -> int:
    """Fetch and store the thread roots/parents a poll found missing (context for the archive)."""
    from registry.models import Channel

    from .services import thread_context_fetch

    try:
        return thread_context_fetch(channel_id=channel_id, platform_ids=platform_ids).new_items
    except Channel.DoesNotExist:
        return 0


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def outbox_execute_task(self, action_id: int) -> str:
    """Execute one outbox action; a transient failure comes back after the service's backoff.
    Running twice, or after success, does nothing (the service claims by compare-and-set)."""
    from .services import outbox_execute

    try:
        result = outbox_execute(action_id=action_id)
    except DB_TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=10, max_retries=5) from exc
    if result.retry_in is not None:
        # Bounded by the service's attempt budget; the sweep picks it up if this message is lost.
        raise self.retry(countdown=result.retry_in)
    return result.action.state if result.action else "gone"


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep_task() -> int:
    """Beat (every minute): re-enqueue actions a lost message left pending or running."""
    from .services import outbox_sweep

    return len(outbox_sweep())


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def attachment_download_task(self, attachment_id: int) -> str:
    """Download one attachment's copy (and its archive copy and record); transient failures (network,
    database, the archive's file store) retry with backoff and jitter."""
    import random

    from .services import DownloadTransient, attachment_download, attachment_give_up

    try:
        return attachment_download(attachment_id=attachment_id).state
    except (DownloadTransient, OSError, *DB_TRANSIENT) as exc:
        if self.request.retries >= self.max_retries:
            attachment_give_up(attachment_id=attachment_id, error=str(exc))
            return "failed"
        delay = min(600, 15 * 2**self.request.retries) * random.uniform(0.5, 1.0)  # noqa: S311
        raise self.retry(exc=exc, countdown=delay) from exc
