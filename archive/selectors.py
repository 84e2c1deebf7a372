"""Reads for the archive. Views fetch objects only through the access-checked lookups here.

Only records officers and the informatör reach the archive (search, records, requests); gallring
rules, holds and protocols are the records officer's; an export is visible only to its maker.
"""

from __future__ import annotations

import datetime

import holidays
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from archive.models import (
    AccessLogEntry,
    ArchiveRecord,
    Export,
    GallringProtocol,
    Hold,
    PublicRecordsRequest,
    RequestDecision,
    RequestItem,
    RequestState,
    RetentionRule,
    SecrecyMarking,
)
from registry.models import Channel, Role
from registry.roles import user_has_role

ARCHIVE_ROLES = (Role.RECORDS_OFFICER, Role.INFORMATOR)
LIST_DEFER = ("content", "search_text")
# Search pages count matches only up to this many; beyond it the page says "more than".
SEARCH_COUNT_CAP = 1000


def can_use_archive(user) -> bool:
    return user.is_authenticated and user_has_role(user, *ARCHIVE_ROLES)


def can_manage_gallring(user) -> bool:
    return user.is_authenticated and user_has_role(user, Role.RECORDS_OFFICER)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Records and search ---------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def record_search(
    *,
    user,
    q: str = "",
    channel_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    author: str = "",
    code: str = "",
    visibility: str = "",
    information_class: str = "",
    record_type: str = "",
    direction: str = "",
) -> QuerySet[ArchiveRecord]:
    """Full-text search (Swedish configuration on PostgreSQL, icontains on SQLite) with filters."""
    _require(can_use_archive(user))
    qs = ArchiveRecord.objects.defer("content")
    q = (q or "").strip()
    if q:
        if connection.vendor == "postgresql":
            # The stored, GIN-indexed column search_vector = to_tsvector('swedish', search_text)
            # (migration 0003; not a model field).
            qs = qs.annotate(
                search=RawSQL("archive_archiverecord.search_vector", [], output_field=SearchVectorField())
            ).filter(search=SearchQuery(q, config="swedish", search_type="websearch"))
        else:
            qs = qs.filter(search_text__icontains=q)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if date_from:
        qs = qs.filter(received_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    author = (author or "").strip()
    if author:
        qs = qs.filter(Q(author_platform_id=author) | Q(author_name__icontains=author))
    if code:
        qs = qs.filter(codes__contains=[code]) if connection.vendor == "postgresql" else qs.filter(
            codes__icontains=f'"{code}"'
        )
    if visibility:
        qs = qs.filter(visibility=visibility)
    if information_class:
        qs = qs.filter(information_class=information_class)
    if record_type:
        qs = qs.filter(record_type=record_type)
    if direction in ("in", "out"):
        # Outgoing: the municipality's own voice (its posts, and what its own account wrote).
        out = Q(kind="post") | (Q(author_platform_id=F("channel_account_id")) & ~Q(channel_account_id=""))
        qs = qs.filter(out) if direction == "out" else qs.exclude(out)
    return qs.order_by("-received_at", "-sequence")


def capped_count(qs: QuerySet) -> int:
    """How many rows match, counted only up to SEARCH_COUNT_CAP + 1 (a count of every match of a
    common word in a large archive would cost more than the search itself). Unordered, so the
    planner may stop a scan early or use the full-text index as it sees fit."""
    return qs.order_by()[: SEARCH_COUNT_CAP + 1].count()


def search_results(qs: QuerySet) -> tuple[QuerySet, int]:
    """(results newest first, capped match count) for a search page.

    Few matches (at most the cap): their ids are fetched first (through the full-text index), and the
    pages are read by id, so the planner never walks the date index looking for rare words.
    Many matches: the pages walk the (received_at, sequence) index newest first and stop early.
    """
    matches = capped_count(qs)
    if matches <= SEARCH_COUNT_CAP:
        ids = list(qs.order_by().values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])
        ordered = ArchiveRecord.objects.defer("content").filter(pk__in=ids).order_by("-received_at", "-sequence")
        return ordered, matches
    return qs, matches


def archive_channels() -> list[tuple[int, str]]:
    """The channels that occur in the archive (id, name), for the search filter.

    Read on every search page, so it must not read every record: the distinct channel ids come from
    a skip scan of the (channel_id, platform_id) index (a recursive query that jumps from one id to
    the next: one index probe per channel)."""
    table = connection.ops.quote_name(ArchiveRecord._meta.db_table)
    sql = f"""
        WITH RECURSIVE ids(channel_id) AS (
            SELECT (SELECT MIN(channel_id) FROM {table})
            UNION ALL
            SELECT (SELECT MIN(channel_id) FROM {table} WHERE channel_id > ids.channel_id)
            FROM ids WHERE ids.channel_id IS NOT NULL
        )
        SELECT channel_id FROM ids WHERE channel_id IS NOT NULL
    """  # noqa: S608 (the table name is ours)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        ids = [row[0] for row in cursor.fetchall()]
    # The registry's current name (one query); a channel the registry no longer has keeps the name
    # its latest record gave it.
    names = dict(Channel.objects.filter(pk__in=ids).values_list("pk", "name"))
    for channel_id in ids:
        if channel_id not in names:
            names[channel_id] = (
                ArchiveRecord.objects.filter(channel_id=channel_id).order_by("-sequence")
                .values_list("channel_name", flat=True).first() or ""
            )
    return sorted(names.items(), key=lambda pair: pair[1].casefold())


def scope_channels() -> list[tuple[int, str]]:
    """Channels a request or a hold can name: those in the archive and those in the registry."""
    names = dict(archive_channels())
    for pk, name in Channel.objects.values_list("pk", "name"):
        names.setdefault(pk, name)
    return sorted(names.items(), key=lambda pair: pair[1].casefold())


def record_get_for_user(*, user, sequence: int) -> ArchiveRecord:
    _require(can_use_archive(user))
    try:
        return ArchiveRecord.objects.get(sequence=sequence)
    except (ArchiveRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def records_for_request_add(*, user, sequences: list[int]) -> list[ArchiveRecord]:
    _require(can_use_archive(user))
    return list(ArchiveRecord.objects.defer(*LIST_DEFER).filter(sequence__in=sequences, culled_at__isnull=True))


def secrecy_marking_get_for_user(*, user, pk: int) -> SecrecyMarking:
    _require(can_use_archive(user))
    try:
        return SecrecyMarking.objects.get(pk=pk, lifted_at__isnull=True)
    except (SecrecyMarking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def record_versions(*, record: ArchiveRecord) -> QuerySet[ArchiveRecord]:
    """All records of the same platform item (versions, removal snapshots), oldest first."""
    if not record.platform_id:
        return ArchiveRecord.objects.filter(pk=record.pk).defer(*LIST_DEFER)
    return (
        ArchiveRecord.objects.defer(*LIST_DEFER)
        .filter(channel_id=record.channel_id, platform_id=record.platform_id)
        .order_by("sequence")
    )


# --- Requests --------------------------------------------------------------------------------

_SWEDISH_HOLIDAYS: dict[int, holidays.HolidayBase] = {}


def is_working_day(day: datetime.date) -> bool:
    """Not a weekend, public holiday, midsommarafton, julafton or nyårsafton (cf. lag (1930:173))."""
    if day.weekday() >= 5:
        return False
    calendar = _SWEDISH_HOLIDAYS.get(day.year)
    if calendar is None:
        calendar = _SWEDISH_HOLIDAYS[day.year] = holidays.country_holidays(
            "SE", years=day.year, categories=("public", "de_facto")
        )
    return day not in calendar


def next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def request_deadline(received_at: datetime.datetime) -> datetime.datetime:
    """One working day after receipt: the end of the next Swedish working day."""
    local = timezone.localtime(received_at)
    due_day = next_working_day(local.date())
    return _day_start(due_day + datetime.timedelta(days=1))


def request_due_display(received_at: datetime.datetime) -> str:
    """The last day to handle a request, as Swedes write it: "fredag 4 december 2026"."""
    due_day = (timezone.localtime(request_deadline(received_at)) - datetime.timedelta(days=1)).date()
    return date_format(due_day, "l j F Y")


def request_is_overdue(request: PublicRecordsRequest, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return request.state == RequestState.OPEN and now >= request_deadline(request.received_at)


def request_list(*, user, state: str = "") -> list[PublicRecordsRequest]:
    _require(can_use_archive(user))
    qs = PublicRecordsRequest.objects.annotate(item_count=Count("items"))
    if state in RequestState.values:
        qs = qs.filter(state=state)
    now = timezone.now()
    requests = list(qs.order_by("state", "received_at"))
    for request in requests:
        request.overdue = request_is_overdue(request, now)
        request.deadline = request_deadline(request.received_at)
        request.deadline_display = request_due_display(request.received_at)
    # Open requests first, the overdue ones first among them, oldest first; then the closed ones, newest first.
    open_ = [r for r in requests if r.state == RequestState.OPEN]
    closed = sorted((r for r in requests if r.state != RequestState.OPEN), key=lambda r: r.received_at, reverse=True)
    return sorted(open_, key=lambda r: (not r.overdue, r.received_at)) + closed


def request_get_for_user(*, user, pk: int) -> PublicRecordsRequest:
    _require(can_use_archive(user))
    try:
        request = PublicRecordsRequest.objects.get(pk=pk)
    except (PublicRecordsRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    request.overdue = request_is_overdue(request)
    request.deadline = request_deadline(request.received_at)
    request.deadline_display = request_due_display(request.received_at)
    return request


def request_items(*, request: PublicRecordsRequest) -> QuerySet[RequestItem]:
    return request.items.select_related("record", "decided_by").prefetch_related("masked_copies").order_by(
        "record__sequence"
    )


def request_decision_get(*, request: PublicRecordsRequest, pk: int) -> RequestDecision:
    try:
        return request.decisions.get(pk=pk)
    except (RequestDecision.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def request_item_get_for_user(*, user, request: PublicRecordsRequest, pk: int) -> RequestItem:
    _require(can_use_archive(user))
    try:
        return RequestItem.objects.select_related("record", "request").get(request=request, pk=pk)
    except (RequestItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Exports ---------------------------------------------------------------------------------


def exports_for_user(*, user) -> QuerySet[Export]:
    return Export.objects.filter(created_by=user).order_by("-created_at")


def export_get_for_user(*, user, pk: int) -> Export:
    """An export only for its maker: everyone else gets 404."""
    _require(can_use_archive(user))
    try:
        return Export.objects.get(pk=pk, created_by=user)
    except (Export.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Gallring --------------------------------------------------------------------------------


def rule_list(*, user) -> QuerySet[RetentionRule]:
    _require(can_use_archive(user))
    return RetentionRule.objects.select_related("board").order_by("board__name", "information_class")


def rule_get_for_user(*, user, pk: int) -> RetentionRule:
    _require(can_manage_gallring(user))
    try:
        return RetentionRule.objects.select_related("board").get(pk=pk)
    except (RetentionRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def hold_list(*, user) -> QuerySet[Hold]:
    _require(can_manage_gallring(user))
    return Hold.objects.select_related("created_by", "released_by").order_by("released_at", "-created_at")


def hold_get_for_user(*, user, pk: int) -> Hold:
    _require(can_manage_gallring(user))
    try:
        return Hold.objects.get(pk=pk)
    except (Hold.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def protocol_list(*, user) -> QuerySet[GallringProtocol]:
    _require(can_use_archive(user))
    return GallringProtocol.objects.select_related("rule", "rule__board").defer("culled").order_by("-run_at", "-id")


def protocol_get_for_user(*, user, pk: int) -> GallringProtocol:
    _require(can_use_archive(user))
    try:
        return GallringProtocol.objects.select_related("rule", "rule__board").get(pk=pk)
    except (GallringProtocol.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_log(*, user, limit: int = 200) -> QuerySet[AccessLogEntry]:
    _require(can_manage_gallring(user))
    return AccessLogEntry.objects.select_related("export").order_by("-at", "-id")[:limit]


def manual_capture_channels(*, user) -> QuerySet[Channel]:
    """The channels a user may capture items for by hand: every channel for the archive's roles, the
    channels they represent (or substitute on) today for a representative."""
    from registry.models import Appointment, ChannelStatus

    qs = Channel.objects.exclude(status=ChannelStatus.REJECTED).order_by("name")
    if can_use_archive(user):
        return qs
    today = timezone.localdate()
    current = Appointment.objects.filter(user=user, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return qs.filter(pk__in=current.values("channel_id"))
