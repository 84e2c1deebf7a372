"""Prometheus metrics.

Two kinds:
- Request latency and response counts: per-process prometheus-client metrics, recorded by the
  request-id middleware. Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty
  directory, wiped at start; gunicorn.conf.py does this) so that every worker writes its samples to
  files there and a scrape, whichever worker answers it, reads all of them (prometheus-client's
  multiprocess mode). Without it, each process reports only its own requests.
- State read from the database at scrape time (queue depth, overdue items, poll errors per
  platform, outbox backlog and failures) and the Celery queue lengths from the broker: the same
  answer from every worker, no shared state needed.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prom_multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_SECONDS = Histogram(
    "ludvika_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name and method.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter("ludvika_http_responses_total", "HTTP responses by method and status code.",
                    ["method", "status"])


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    method = method if method in ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS") else "OTHER"
    REQUEST_SECONDS.labels(method=method, view=view).observe(seconds)
    RESPONSES.labels(method=method, status=str(status)).inc()


class StateCollector:
    """Gauges computed from the database and the broker when scraped."""

    def collect(self):
        from . import selectors

        state = selectors.operational_state()
        yield _gauge("ludvika_up", "1 when the metrics view could read the database.", [((), 1)])
        yield _gauge("ludvika_queue_entries", "Moderation queue entries by state.",
                     [((s,), n) for s, n in state["queue_by_state"].items()], ["state"])
        yield _gauge("ludvika_queue_open_entries", "Open moderation queue entries (new, claimed, forwarded).",
                     [((), state["queue_open"])])
        yield _gauge("ludvika_queue_overdue_entries", "Open entries that need an answer and are past their due time.",
                     [((), state["queue_overdue"])])
        yield _gauge("ludvika_queue_unreviewed_oldest_seconds", "Age of the oldest new (unclaimed) queue entry.",
                     [((), state["queue_oldest_new_seconds"])])
        yield _gauge("ludvika_channels_polled", "Channels with polling on, by platform.",
                     [((p,), n) for p, n in state["polled_by_platform"].items()], ["platform"])
        yield _gauge("ludvika_channels_poll_failing", "Channels whose last poll failed, by platform.",
                     [((p,), n) for p, n in state["failing_by_platform"].items()], ["platform"])
        yield _gauge("ludvika_poll_consecutive_failures", "Sum of consecutive poll failures, by platform.",
                     [((p,), n) for p, n in state["failures_by_platform"].items()], ["platform"])
        yield _gauge("ludvika_channels_needs_reauth", "Channels waiting for new credentials, by platform.",
                     [((p,), n) for p, n in state["reauth_by_platform"].items()], ["platform"])
        yield _gauge("ludvika_poll_last_success_age_seconds",
                     "Seconds since the stalest channel of the platform was last polled successfully.",
                     [((p,), n) for p, n in state["stalest_by_platform"].items()], ["platform"])
        yield _gauge("ludvika_outbox_actions", "Platform actions in the outbox by state and kind.",
                     [((s, k), n) for (s, k), n in state["outbox_by_state_kind"].items()], ["state", "kind"])
        yield _gauge("ludvika_outbox_failed_actions", "Platform actions that failed for good (need a person).",
                     [((), state["outbox_failed"])])
        yield _gauge("ludvika_outbox_backlog_oldest_seconds", "Age of the oldest pending or running platform action.",
                     [((), state["outbox_oldest_seconds"])])
        yield _gauge("ludvika_celery_queue_length", "Messages waiting in each Celery queue (Redis broker only).",
                     [((q,), n) for q, n in selectors.celery_queue_lengths().items()], ["queue"])
        from .health import DEGRADATION, check_states

        states = check_states()
        yield _gauge("ludvika_health_check_ok", "1 when the health check passes (database and migrations decide "
                     "readiness; broker, polling and outbox only report a degraded state).",
                     [((name,), int(ok)) for name, ok in states.items()], ["check"])
        yield _gauge("ludvika_degraded", "1 when a degraded state (broker, polling, outbox) is reported.",
                     [((), int(any(not states[name] for name in DEGRADATION)))])


def _gauge(name: str, doc: str, samples, labels=()) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels))
    for label_values, value in samples:
        family.add_metric(list(label_values), float(value))
    return family


def render() -> bytes:
    """The exposition text: request metrics (all workers in multiprocess mode) and the state gauges."""
    registry = CollectorRegistry()
    registry.register(StateCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prom_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY) + generate_latest(registry)
