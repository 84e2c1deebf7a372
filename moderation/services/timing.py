"""Response targets counted in office hours, with Swedish public holidays (the ``holidays`` package).

Office hours are MODERATION_OFFICE_START_HOUR to MODERATION_OFFICE_END_HOUR (local time, default
08–16), Monday to Friday, except Swedish public holidays and the days the holidays package lists as
de facto days off (midsommarafton, julafton, nyårsafton). A channel's target is a number of office
hours (registry Channel.response_target_hours, default 8 = the next working day).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone

from .. import conf


def _hours() -> tuple[int, int]:
    start = int(conf.get("MODERATION_OFFICE_START_HOUR"))
    end = int(conf.get("MODERATION_OFFICE_END_HOUR"))
    return start, end


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[dt.date]:
    """Public holidays, plus the eves that are days off in practice (midsommarafton, julafton,
    nyårsafton); the package's "from 2pm" half days count as working days."""
    public = holidays.country_holidays("SE", years=year)
    bank = holidays.country_holidays("SE", years=year, categories=("bank",))
    return frozenset(public) | frozenset(d for d, name in bank.items() if "from 2pm" not in name)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_office_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` office hours after ``start`` (an aware datetime), as an aware datetime."""
    tz = timezone.get_current_timezone()
    open_h, close_h = _hours()
    local = timezone.localtime(start, tz)
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    cursor = local
    for _ in range(3660):  # ten years of days: a bound, never reached with sane targets
        if is_working_day(day):
            opens = timezone.make_aware(dt.datetime.combine(day, dt.time(open_h)), tz)
            closes = timezone.make_aware(dt.datetime.combine(day, dt.time(close_h)), tz)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = timezone.make_aware(dt.datetime.combine(day, dt.time(0)), tz)
    raise ValueError("response target too far ahead")


def office_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Office hours elapsed from ``start`` to ``end`` (0 when end is before start)."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    open_h, close_h = _hours()
    a, b = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = dt.timedelta()
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            opens = timezone.make_aware(dt.datetime.combine(day, dt.time(open_h)), tz)
            closes = timezone.make_aware(dt.datetime.combine(day, dt.time(close_h)), tz)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def due_at_for(*, received_at: dt.datetime, target_hours: int) -> dt.datetime:
    return add_office_hours(received_at, target_hours)
