"""The health check behind /healthz: database, broker, last successful poll, outbox backlog.

Each check gives ok/fail and a short detail; the whole answers 200 when every check is ok, else 503.
Thresholds (settings, from the environment):
  HEALTH_POLL_MAX_AGE_SECONDS      the newest successful poll may be this old (default 900)
  HEALTH_OUTBOX_MAX_AGE_SECONDS    a pending/running platform action older than this is backlog (900)
  HEALTH_OUTBOX_MAX_BACKLOG        this many backlog actions are tolerated (default 0)
  HEALTH_BROKER_TIMEOUT_SECONDS    how long to wait for the broker (default 2)
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from . import selectors

logger = logging.getLogger(__name__)


@dataclass
class Check:
    ok: bool
    detail: dict = field(default_factory=dict)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def check_database() -> Check:
    try:
        selectors.database_ok()
    except Exception as exc:
        logger.warning("health: database check failed: %s", type(exc).__name__)
        return Check(False, {"error": type(exc).__name__})
    return Check(True)


def check_broker() -> Check:
    try:
        selectors.broker_ok(timeout=_setting("HEALTH_BROKER_TIMEOUT_SECONDS", 2))
    except Exception as exc:
        logger.warning("health: broker check failed: %s", type(exc).__name__)
        return Check(False, {"error": type(exc).__name__})
    return Check(True)


def check_polling(now: dt.datetime) -> Check:
    max_age = _setting("HEALTH_POLL_MAX_AGE_SECONDS", 900)
    last = selectors.last_successful_poll()
    if last is None:
        # Nothing has been polled yet: a fault only if some channel is set up to be polled.
        expected = selectors.polling_expected()
        return Check(not expected, {"last_success_age_seconds": None, "max_age_seconds": max_age})
    age = max(0.0, (now - last).total_seconds())
    return Check(age <= max_age, {"last_success_age_seconds": round(age), "max_age_seconds": max_age})


def check_outbox(now: dt.datetime) -> Check:
    max_age = _setting("HEALTH_OUTBOX_MAX_AGE_SECONDS", 900)
    tolerated = int(_setting("HEALTH_OUTBOX_MAX_BACKLOG", 0))
    backlog = selectors.outbox_backlog(older_than=dt.timedelta(seconds=max_age), now=now)
    return Check(backlog <= tolerated, {"backlog": backlog, "older_than_seconds": max_age})


def health_report() -> tuple[bool, dict]:
    """(healthy, body). The database checks are skipped when the database is down."""
    now = timezone.now()
    checks = {"database": check_database(), "broker": check_broker()}
    if checks["database"].ok:
        for name, run in (("polling", check_polling), ("outbox", check_outbox)):
            try:
                checks[name] = run(now)
            except Exception as exc:
                logger.warning("health: %s check failed: %s", name, type(exc).__name__)
                checks[name] = Check(False, {"error": type(exc).__name__})
    healthy = all(c.ok for c in checks.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {name: {"ok": c.ok, **c.detail} for name, c in checks.items()},
    }
    return healthy, body
