"""Celery tasks for screening: thin, take ids, call a service. Queue: default (CPU-bound)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

DB_TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=2, retry_backoff_max=120,
    retry_jitter=True, max_retries=5,
)
def versions_screen_task(version_ids: list[int]) -> int:
    """Screen a batch of stored item versions (idempotent: existing flags are kept)."""
    from .services import versions_screen

    return versions_screen(version_ids=[int(v) for v in version_ids])


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=2, retry_backoff_max=120,
    retry_jitter=True, max_retries=5,
)
def channel_rescreen_task(channel_id: int) -> int:
    """Screen a channel's open items again after an addition was approved."""
    from .services import channel_rescreen

    return channel_rescreen(channel_id=int(channel_id))


@shared_task(acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=2, retry_backoff_max=120,
             retry_jitter=True, max_retries=5)
def actions_reconcile_task() -> int:
    """Complete decisions the platform confirmed (or mark failed ones) from the outbox's outcomes."""
    from .services.workspace import entries_reconcile_actions

    return entries_reconcile_actions()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=2, retry_backoff_max=120,
             retry_jitter=True, max_retries=5)
def reminders_task() -> dict:
    """Overdue reminders, the supervision alarm, the DM hand-off alarm and blocks due for review (each
    sends a thing once)."""
    from .services.blocks import block_reminders_send
    from .services.notify import handoff_alarm_send, overdue_reminders_send, supervision_alarm_send

    return {"overdue": overdue_reminders_send(), "supervision": supervision_alarm_send(),
            "handoff": handoff_alarm_send(), "blocks": block_reminders_send()}
