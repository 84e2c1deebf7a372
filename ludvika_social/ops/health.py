"""Health for load balancers and monitoring: liveness, readiness, and degraded states, kept apart.

- Liveness (/healthz): the process answers and the database answers (``SELECT 1``). Only a failing
  database makes it 503: restarting or removing a web process helps with nothing else.
- Readiness (/readyz): liveness, and every migration of this release is applied, so the code and the
  schema agree. A fresh deployment is ready as soon as ``migrate`` has run; it does not wait for a
  poll. 503 until then.
- Degraded (reported in both bodies and in /metrics as ``ludvika_health_check_ok``, never a 503):
  the broker (Redis; pages keep serving without it and decisions wait in the outbox), polling
  (no successful poll within HEALTH_POLL_MAX_AGE_SECONDS while some channel should be polled, or
  none yet), the outbox (more than HEALTH_OUTBOX_MAX_BACKLOG platform actions older than
  HEALTH_OUTBOX_MAX_AGE_SECONDS). These need a person, not a restart, and must not take every web
  process out of rotation at once.

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

LIVENESS = ("database",)
READINESS = ("database", "migrations")
DEGRADATION = ("broker", "polling", "outbox")


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


def check_migrations() -> Check:
    try:
        unapplied = selectors.unapplied_migrations()
    except Exception as exc:
        logger.warning("health: migration check failed: %s", type(exc).__name__)
        return Check(False, {"error": type(exc).__name__})
    return Check(unapplied == 0, {"unapplied": unapplied})


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
        # Nothing has been polled yet: degraded only if some channel is set up to be polled.
        expected = selectors.polling_expected()
        return Check(not expected, {"last_success_age_seconds": None, "max_age_seconds": max_age})
    age = max(0.0, (now - last).total_seconds())
    return Check(age <= max_age, {"last_success_age_seconds": round(age), "max_age_seconds": max_age})


def check_outbox(now: dt.datetime) -> Check:
    max_age = _setting("HEALTH_OUTBOX_MAX_AGE_SECONDS", 900)
    tolerated = int(_setting("HEALTH_OUTBOX_MAX_BACKLOG", 0))
    backlog = selectors.outbox_backlog(older_than=dt.timedelta(seconds=max_age), now=now)
    return Check(backlog <= tolerated, {"backlog": backlog, "older_than_seconds": max_age})


def run_checks(*, names: tuple[str, ...]) -> dict[str, Check]:
    """The named checks; the ones that read the database are skipped (not ok) when it does not answer."""
    now = timezone.now()
    checks: dict[str, Check] = {"database": check_database()}
    runners = {"migrations": lambda: check_migrations(), "broker": lambda: check_broker(),
               "polling": lambda: check_polling(now), "outbox": lambda: check_outbox(now)}
    for name in names:
        if name == "database":
            continue
        if name != "broker" and not checks["database"].ok:
            checks[name] = Check(False, {"error": "database unavailable"})
            continue
        try:
            checks[name] = runners[name]()
        except Exception as exc:
            logger.warning("health: %s check failed: %s", name, type(exc).__name__)
            checks[name] = Check(False, {"error": type(exc).__name__})
    return checks


def _report(required: tuple[str, ...]) -> tuple[bool, dict]:
    checks = run_checks(names=(*required, *DEGRADATION))
    passing = all(checks[name].ok for name in required)
    degraded = [name for name in DEGRADATION if not checks[name].ok]
    body = {
        "status": "fail" if not passing else "degraded" if degraded else "ok",
        "checks": {name: {"ok": c.ok, **c.detail} for name, c in checks.items()},
        "degraded": degraded,
    }
    return passing, body


def liveness() -> tuple[bool, dict]:
    """(alive, body): alive while the database answers; the degraded states are in the body."""
    return _report(LIVENESS)


def readiness() -> tuple[bool, dict]:
    """(ready, body): alive and every migration applied."""
    return _report(READINESS)


def check_states() -> dict[str, bool]:
    """Every check's ok for /metrics (ludvika_health_check_ok{check})."""
    return {name: check.ok for name, check in run_checks(names=(*READINESS, *DEGRADATION)).items()}
