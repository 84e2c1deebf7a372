"""Celery tasks of the archive: the daily gallring run and the daily chain verification."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

DB_TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=30, retry_backoff_max=1800,
    retry_jitter=True, max_retries=5,
)
def gallring_run_task() -> int:
    """Cull what the decided rules allow; each rule in its own transaction with its own protocol.
    Running again the same day culls nothing twice (culled records are tombstones)."""
    from archive.services import gallring_run

    protocols = gallring_run()
    culled = sum(p.culled_count for p in protocols)
    logger.info("gallring: %s rules run, %s records culled", len(protocols), culled)
    return culled


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=30, retry_backoff_max=1800,
    retry_jitter=True, max_retries=5,
)
def archive_verify_task() -> bool:
    """Walk the hash chain; an altered or removed record is logged as an error."""
    from archive.verification import verify_chain

    result = verify_chain()
    if result.ok:
        logger.info("archive chain verified: %s records", result.checked)
    else:
        logger.error("archive chain verification FAILED: %s", result.problem)
    return result.ok


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=30, retry_backoff_max=1800,
    retry_jitter=True, max_retries=5,
)
def exports_purge_task() -> int:
    """Remove export files older than their retention time (ARCHIVE_EXPORT_RETENTION_DAYS)."""
    from archive.services.purge import exports_purge_expired

    line = exports_purge_expired()
    count = len(line.exports) if line else 0
    logger.info("export files past their retention time removed: %s", count)
    return count


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=DB_TRANSIENT, retry_backoff=30, retry_backoff_max=1800,
    retry_jitter=True, max_retries=5,
)
def request_deadline_reminders_task() -> int:
    """E-mail the records officers when an open request's last day has come."""
    from archive.services.requests import request_deadline_reminders_send

    return request_deadline_reminders_send()
