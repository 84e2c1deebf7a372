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
