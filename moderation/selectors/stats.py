"""Reads for statistics: the informatör's dashboard, the audit search and the public /insyn/ page.

Response time is the time from arrival to the platform's confirmation of the answer, for items that
need an answer, counted in office hours (the same measure as the response target).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.bounds import DATE_MAX, DATE_MIN
from registry.policy import PROHIBITED_CODES

from ..models import OPEN_STATES, AuditEvent, QueueEntry, QueueState
from ..services.timing import office_hours_between

REMOVAL_ACTIONS = (AuditEvent.Action.UNPUBLISHED, AuditEvent.Action.DELETED, AuditEvent.Action.MANUAL)


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Row:
    name: str
    department: str = ""
    received: int = 0
    handled: int = 0
    overdue: int = 0
    removed: int = 0
    outside: int = 0
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def p90(self) -> float | None:
        return _percentile(self.times, 0.9)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period from the start of ``start`` to the end of ``end``, local time. Dates are held within
    core.bounds' range first: the day after 9999-12-31 does not exist, and 0001-01-01 at
    midnight in Stockholm is before the first moment a database datetime can hold."""
    start, end = min(max(start, DATE_MIN), DATE_MAX), min(max(end, DATE_MIN), DATE_MAX)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz))


def response_times(*, since: dt.datetime, until: dt.datetime) -> list[tuple[int, float]]:
    """(channel id, office hours) for answered items that needed an answer, answered in the period."""
    rows = QueueEntry.objects.filter(
        state=QueueState.ANSWERED, needs_answer=True, decided_at__gte=since, decided_at__lt=until
    ).values_list("channel_id", "received_at", "decided_at")
    return [(cid, round(office_hours_between(received, decided), 2)) for cid, received, decided in rows]


def removals(*, since: dt.datetime, until: dt.datetime) -> list[tuple[int, list[str], bool]]:
    """(channel id, codes, criticism) per removal decision in the period."""
    rows = AuditEvent.objects.filter(action__in=REMOVAL_ACTIONS, at__gte=since, at__lt=until).values_list(
        "channel_id", "codes", "after")
    return [(cid, list(codes or []), bool((after or {}).get("criticism"))) for cid, codes, after in rows]


def dashboard(*, start: dt.date, end: dt.date) -> dict:
    """Per channel and per förvaltning: received, handled, median and p90 response time, overdue now,
    removals (per code), items removed outside the tool. A fixed number of queries."""
    from channels.models import OutsideRemovalAlert
    from registry.models import Channel

    since, until = _bounds(start, end)
    now = timezone.now()
    channels = {c.pk: c for c in Channel.objects.select_related("department")}
    rows: dict[int, Row] = {}

    def row(cid: int) -> Row:
        if cid not in rows:
            c = channels.get(cid)
            rows[cid] = Row(name=c.name if c else str(cid), department=c.department.name if c else "")
        return rows[cid]

    for r in QueueEntry.objects.values("channel_id").annotate(
        received=Count("pk", filter=Q(received_at__gte=since, received_at__lt=until)),
        handled=Count("pk", filter=Q(decided_at__gte=since, decided_at__lt=until)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, needs_answer=True, due_at__lt=now)),
    ):
        target = row(r["channel_id"])
        target.received, target.handled, target.overdue = r["received"], r["handled"], r["overdue"]
    for cid, hours in response_times(since=since, until=until):
        row(cid).times.append(hours)
    per_code: Counter = Counter()
    criticism = Counter()
    for cid, codes, critical in removals(since=since, until=until):
        row(cid).removed += 1
        per_code.update(codes)
        criticism["yes" if critical else "no"] += 1
    # A removal made by hand on the platform and recorded here (a manual action) is not "outside the tool".
    for r in OutsideRemovalAlert.objects.filter(detected_at__gte=since, detected_at__lt=until).exclude(
            item__queue_entry__audit_events__action=AuditEvent.Action.MANUAL).values(
            "channel_id").annotate(n=Count("pk")):
        row(r["channel_id"]).outside = r["n"]
    departments: dict[str, Row] = defaultdict(lambda: Row(name=""))
    for r in rows.values():
        d = departments[r.department]
        d.name = r.department
        d.received += r.received
        d.handled += r.handled
        d.overdue += r.overdue
        d.removed += r.removed
        d.outside += r.outside
        d.times.extend(r.times)
    total = Row(name="")
    for r in rows.values():
        total.received += r.received
        total.handled += r.handled
        total.overdue += r.overdue
        total.removed += r.removed
        total.outside += r.outside
        total.times.extend(r.times)
    return {
        "channels": sorted(rows.values(), key=lambda r: (r.department, r.name)),
        "departments": sorted(departments.values(), key=lambda r: r.name),
        "total": total,
        "per_code": [(code, per_code.get(code, 0)) for code in PROHIBITED_CODES],
        "criticism": criticism,
    }


# --- the public transparency page ----------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = start.month + 3
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def recent_quarters(*, today: dt.date | None = None, count: int = 8) -> list[tuple[int, int]]:
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out


def transparency(*, year: int, quarter: int) -> dict:
    """Per quarter: removals per code and per channel, median response time per channel and overall.
    Aggregates over official channels only: no personal data."""
    from registry.models import Channel

    start, end = quarter_bounds(year, quarter)
    since, until = _bounds(start, end)
    names = dict(Channel.objects.values_list("pk", "name"))
    per_code: Counter = Counter()
    per_channel: dict[int, Counter] = defaultdict(Counter)
    for cid, codes, _critical in removals(since=since, until=until):
        per_code.update(codes)
        per_channel[cid].update(codes)
    times: dict[int, list[float]] = defaultdict(list)
    for cid, hours in response_times(since=since, until=until):
        times[cid].append(hours)
    all_times = [t for group in times.values() for t in group]
    channel_ids = sorted(set(per_channel) | set(times), key=lambda c: names.get(c, ""))
    return {
        "start": start,
        "end": end,
        "per_code": [(code, per_code.get(code, 0)) for code in PROHIBITED_CODES],
        "total_removed": sum(per_code.values()),
        "channels": [
            {"name": names.get(cid, ""), "codes": [(code, per_channel[cid].get(code, 0)) for code in PROHIBITED_CODES],
             "removed": sum(per_channel[cid].values()),
             "median": statistics.median(times[cid]) if times[cid] else None, "answered": len(times[cid])}
            for cid in channel_ids
        ],
        "median": statistics.median(all_times) if all_times else None,
        "answered": len(all_times),
    }


# --- the audit search -----------------------------------------------------------------------------


def audit_search(*, channel_id: int | None = None, action: str = "", actor: str = "", text: str = "",
                 start: dt.date | None = None, end: dt.date | None = None, item_id: int | None = None) -> QuerySet:
    qs = AuditEvent.objects.select_related("channel", "entry", "entry__item").order_by("-at", "-id")
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if text:
        qs = qs.filter(motivation__icontains=text)
    if item_id:
        qs = qs.filter(entry__item_id=item_id)
    if start:
        qs = qs.filter(at__gte=_bounds(start, start)[0])
    if end:
        qs = qs.filter(at__lt=_bounds(end, end)[1])
    return qs
