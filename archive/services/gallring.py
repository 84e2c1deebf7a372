"""Gallring: culling archive records under a board's recorded retention decision.

Only records whose information class has a decided rule (not "bevaras") and whose period has
passed are culled; records under an active hold, or concerned by an open public-records request
(any version of the same platform item), are skipped. Each rule's run writes a GallringProtocol
that is itself kept. A culled record becomes a tombstone: content, search text and author fields
are cleared, the hashes stay, so ``verify_archive`` still verifies the chain. A culled attachment
record's file is deleted from the archive's file store (unless a live attachment record of another
item names the same file); the protocol row keeps the file's SHA-256 as a fourth column.
"""

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import (
    FILE_RECORD_TYPES,
    ArchiveRecord,
    GallringProtocol,
    Hold,
    InformationClass,
    RecordType,
    RequestItem,
    RequestState,
    RetentionRule,
)
from archive.services.attachments import archive_files_remove
from archive.services.purge import exports_containing, exports_purge


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    # Clamp the day (31 March minus one month is 28/29 February).
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def allow_archive_changes() -> None:
    """Inside the current transaction only: let the append-only trigger accept tombstoning updates."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('archive.gallring', 'on', true)")


def search_terms_q(terms: str) -> Q:
    """Records whose text or sender matches ``terms``: the archive search's full-text match on
    PostgreSQL (the GIN-indexed search_vector column, migration 0003), a substring elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ArchiveRecord._meta.db_table)
        # The terms are a bound parameter; only the table name (ours) is formatted in.
        return Q(pk__in=RawSQL(  # noqa: S611
            f"SELECT id FROM {table} WHERE search_vector @@ websearch_to_tsquery('swedish', %s)",  # noqa: S608
            [terms],
        ))
    return Q(search_text__icontains=terms)


def hold_q(hold: Hold) -> Q:
    """The records a hold covers."""
    q = Q()
    if hold.channel_id is not None:
        q &= Q(channel_id=hold.channel_id)
    if hold.author_platform_id:
        q &= Q(author_platform_id=hold.author_platform_id)
    if hold.author_name:
        q &= Q(author_platform_id=hold.author_name) | Q(author_name__icontains=hold.author_name)
    if hold.search_terms:
        q &= search_terms_q(hold.search_terms)
    if hold.date_from:
        q &= Q(received_at__gte=_day_start(hold.date_from))
    if hold.date_to:
        q &= Q(received_at__lt=_day_start(hold.date_to + datetime.timedelta(days=1)))
    return q


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def _holds_q() -> Q | None:
    combined = None
    for hold in Hold.objects.filter(released_at__isnull=True):
        q = hold_q(hold)
        combined = q if combined is None else combined | q
    return combined


def _requested_items_q() -> Q | None:
    pairs = set(
        RequestItem.objects.filter(request__state=RequestState.OPEN).values_list(
            "record__channel_id", "record__platform_id"
        )
    )
    combined = None
    for channel_id, platform_id in pairs:
        q = Q(channel_id=channel_id, platform_id=platform_id)
        combined = q if combined is None else combined | q
    return combined


def _rule_snapshot(rule: RetentionRule) -> dict:
    return {
        "id": rule.pk,
        "board_id": rule.board_id,
        "board": rule.board.name,
        "information_class": rule.information_class,
        "keep_forever": rule.keep_forever,
        "retention_months": rule.retention_months,
        "decision_reference": rule.decision_reference,
        "decision_date": rule.decision_date.isoformat(),
    }


@dataclass
class _Selection:
    cutoff: datetime.datetime
    cullable: object  # QuerySet[ArchiveRecord]
    skipped_hold: int
    skipped_request: int
    skipped_registered: int


def _select(rule: RetentionRule, now: datetime.datetime) -> _Selection:
    """What the rule culls now, and what holds, open requests and registration keep from it."""
    cutoff = months_before(now, rule.retention_months)
    due = ArchiveRecord.objects.filter(
        culled_at__isnull=True,
        channel_board_id=rule.board_id,
        information_class=rule.information_class,
        received_at__lt=cutoff,
    )
    held_q = _holds_q()
    requested_q = _requested_items_q()
    skipped_hold = due.filter(held_q).count() if held_q is not None else 0
    cullable = due.exclude(held_q) if held_q is not None else due
    skipped_request = cullable.filter(requested_q).count() if requested_q is not None else 0
    if requested_q is not None:
        cullable = cullable.exclude(requested_q)
    # A registered item (an ärende's document) is kept whole: no version, snapshot or file of it is
    # culled under another class's rule (archive.services.register).
    skipped_registered = 0
    if rule.information_class != InformationClass.REGISTERED_ITEM:
        registered = Q(Exists(ArchiveRecord.objects.filter(
            record_type=RecordType.REGISTRATION, culled_at__isnull=True, channel_id=OuterRef("channel_id"),
            platform_id=OuterRef("platform_id"),
        ))) & ~Q(platform_id="")
        skipped_registered = cullable.filter(registered).count()
        cullable = cullable.exclude(registered)
    return _Selection(cutoff, cullable, skipped_hold, skipped_request, skipped_registered)


def gallring_preview(*, rule: RetentionRule, now: datetime.datetime | None = None) -> dict:
    """A dry run: how many records the rule would cull now, per information class, channel and month,
    and how many holds, open requests and registration keep. Nothing is changed."""
    if rule.keep_forever or not rule.retention_months:
        return {"rule": rule, "keep_forever": True, "total": 0, "groups": [], "skipped_hold": 0,
                "skipped_request": 0, "skipped_registered": 0, "cutoff": None}
    selection = _select(rule, now or timezone.now())
    groups = list(
        selection.cullable.annotate(month=TruncMonth("received_at"))
        .values("information_class", "channel_name", "month")
        .annotate(count=Count("id")).order_by("month", "channel_name")
    )
    return {
        "rule": rule, "keep_forever": False, "cutoff": selection.cutoff, "groups": groups,
        "total": sum(g["count"] for g in groups), "skipped_hold": selection.skipped_hold,
        "skipped_request": selection.skipped_request, "skipped_registered": selection.skipped_registered,
    }


def _culled_items(rows: list[tuple]) -> list[dict]:
    """The items whose records are culled now: each with the live versions whose records go, and
    whether nothing of the item is left in the archive afterwards (``whole``)."""
    by_item: dict[tuple, dict] = {}
    culled_pks = set()
    for pk, _seq, _rsha, _csha, _received, channel_id, platform_id, source_version_id in rows:
        culled_pks.add(pk)
        if not platform_id:
            continue
        entry = by_item.setdefault((channel_id, platform_id), {
            "channel_id": channel_id, "platform_id": platform_id, "version_ids": [], "whole": True})
        if source_version_id:
            entry["version_ids"].append(source_version_id)
    by_channel: dict = {}
    for channel_id, platform_id in by_item:
        by_channel.setdefault(channel_id, []).append(platform_id)
    for channel_id, platform_ids in by_channel.items():
        for start in range(0, len(platform_ids), 1000):
            for pk, platform_id in ArchiveRecord.objects.filter(
                culled_at__isnull=True, channel_id=channel_id, platform_id__in=platform_ids[start:start + 1000],
            ).values_list("pk", "platform_id"):
                if pk not in culled_pks:
                    by_item[(channel_id, platform_id)]["whole"] = False
    return list(by_item.values())


def gallring_run_rule(*, rule: RetentionRule, now: datetime.datetime | None = None) -> GallringProtocol | None:
    """Cull what one rule allows, and the operational copies of what it culls (the live item, its
    versions and attachment files, hand-off copies, export files): every copy goes in the same run,
    and the protocol says what was removed where. Returns the protocol, or None for "bevaras"."""
    from archive.signals import records_culled

    if rule.keep_forever or not rule.retention_months:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        allow_archive_changes()
        selection = _select(rule, now)
        cullable = selection.cullable
        rows = list(
            cullable.select_for_update()
            .order_by("sequence")
            .values_list("pk", "sequence", "record_sha256", "content_sha256", "received_at", "channel_id",
                         "platform_id", "source_version_id")
        )
        # Attachment records: their file goes too; the protocol keeps the file's SHA-256.
        file_sha = {
            pk: (json.loads(content).get("snapshot") or {}).get("attachment", {}).get("sha256") or ""
            for pk, content in cullable.filter(record_type__in=FILE_RECORD_TYPES).values_list("pk", "content")
        }
        span = cullable.aggregate(earliest=Min("received_at"), latest=Max("received_at"))
        operational: dict[str, int] = {}
        items = _culled_items(rows)
        if items:
            # The apps that keep live copies remove theirs in this transaction (a receiver that fails
            # rolls the run back) and say how many of what they removed.
            for _receiver, counts in records_culled.send(sender=ArchiveRecord, items=items, now=now):
                for place, count in (counts or {}).items():
                    operational[place] = operational.get(place, 0) + count
        exports = exports_containing(sequences={row[1] for row in rows})
        if exports:
            operational["archive.exports"] = len(exports)
        protocol = GallringProtocol.objects.create(
            rule=rule,
            rule_snapshot=_rule_snapshot(rule),
            run_at=now,
            cutoff=selection.cutoff,
            culled_count=len(rows),
            skipped_hold_count=selection.skipped_hold,
            skipped_request_count=selection.skipped_request,
            skipped_registered_count=selection.skipped_registered,
            earliest=span["earliest"],
            latest=span["latest"],
            operational=operational,
            culled=[
                [seq, record_sha, content_sha, file_sha[pk]] if pk in file_sha else [seq, record_sha, content_sha]
                for pk, seq, record_sha, content_sha, *_rest in rows
            ],
        )
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 5000):
            ArchiveRecord.objects.filter(pk__in=ids[start : start + 5000])._gallring_update(
                content="", search_text="", author_name="", author_platform_id="", culled_at=now, culled_by=protocol
            )
        exports_purge(exports=exports, reason=_("gallrat enligt protokoll %(id)s") % {"id": protocol.pk}, now=now,
                      protocol=protocol)
        # Last step of the transaction: files no live attachment record names any more.
        archive_files_remove(sha256s=set(file_sha.values()))
    return protocol


def gallring_run(*, now: datetime.datetime | None = None) -> list[GallringProtocol]:
    """The daily run: every decided rule, each in its own transaction and with its own protocol."""
    protocols = []
    for rule in RetentionRule.objects.select_related("board").filter(keep_forever=False).order_by("pk"):
        protocol = gallring_run_rule(rule=rule, now=now)
        if protocol is not None:
            protocols.append(protocol)
    return protocols


def retention_rule_save(
    *,
    board,
    information_class: str,
    keep_forever: bool,
    retention_months: int | None,
    decision_reference: str,
    decision_date: datetime.date,
    note: str = "",
    user,
    rule: RetentionRule | None = None,
) -> RetentionRule:
    """Create or change a board's rule for one information class."""
    if information_class not in InformationClass.values:
        raise ValidationError(_("Okänd informationsklass."))
    if not keep_forever and not retention_months:
        raise ValidationError(_("Ange gallringsfrist i månader eller välj att handlingarna bevaras."))
    if not (decision_reference or "").strip():
        raise ValidationError(_("Ange beslutets diarienummer."))
    clash = RetentionRule.objects.filter(board=board, information_class=information_class)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError(_("Nämnden har redan en regel för den informationsklassen."))
    with transaction.atomic():
        rule = rule or RetentionRule(created_by=user)
        rule.board = board
        rule.information_class = information_class
        rule.keep_forever = keep_forever
        rule.retention_months = None if keep_forever else retention_months
        rule.decision_reference = decision_reference.strip()
        rule.decision_date = decision_date
        rule.note = note
        rule.save()
    return rule


def scope_clean(scope: dict) -> dict:
    """A hold's (or a request's) scope, checked: a Swedish ValidationError for an empty period, or a
    channel that can have no records in it."""
    from registry.models import Channel, ChannelStatus

    channel_id = scope.get("channel_id")
    date_from, date_to = scope.get("date_from"), scope.get("date_to")
    author = str(scope.get("author") or "").strip()[:300]
    terms = str(scope.get("terms") or "").strip()[:300]
    channel_name = str(scope.get("channel_name") or "")
    if date_from and date_to and date_from > date_to:
        raise ValidationError(_("Perioden är tom: startdatum måste vara före eller samma som slutdatum."))
    if channel_id is not None:
        channel = Channel.objects.filter(pk=channel_id).first()
        in_archive = ArchiveRecord.objects.filter(channel_id=channel_id).exists()
        if channel is None and not in_archive:
            raise ValidationError(_("Kanalen finns varken i förteckningen eller i arkivet."))
        if channel is not None:
            channel_name = channel_name or channel.name
            if channel.status == ChannelStatus.CLOSED and not in_archive:
                raise ValidationError(_(
                    "Kanalen %(name)s är avslutad och arkivet har inget från den: det finns inget att spärra."
                ) % {"name": channel.name})
            if channel.closed_at and date_from and timezone.localdate(channel.closed_at) < date_from:
                raise ValidationError(_(
                    "Kanalen %(name)s avslutades %(date)s, före periodens början: perioden kan inte innehålla "
                    "något från den."
                ) % {"name": channel.name, "date": timezone.localdate(channel.closed_at).isoformat()})
        elif not channel_name:
            channel_name = (
                ArchiveRecord.objects.filter(channel_id=channel_id).order_by("-sequence")
                .values_list("channel_name", flat=True).first() or ""
            )
    return {
        "channel_id": channel_id, "channel_name": channel_name[:200], "date_from": date_from, "date_to": date_to,
        "author": author, "terms": terms,
        "any": bool(channel_id is not None or date_from or date_to or author or terms),
    }


def hold_create(
    *,
    user,
    reason: str,
    channel_id: int | None = None,
    channel_name: str = "",
    author_platform_id: str = "",
    author_name: str = "",
    search_terms: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    reference: str = "",
    request=None,
) -> Hold:
    if not (reason or "").strip():
        raise ValidationError(_("Ange ett skäl för spärren."))
    author_platform_id = (author_platform_id or "").strip()
    scope = scope_clean({"channel_id": channel_id, "channel_name": channel_name, "date_from": date_from,
                         "date_to": date_to, "author": author_name, "terms": search_terms})
    if not (scope["any"] or author_platform_id):
        raise ValidationError(_("Ange kanal, avsändare, sökord eller datumintervall för spärren."))
    return Hold.objects.create(
        channel_id=channel_id,
        channel_name=scope["channel_name"],
        author_platform_id=author_platform_id[:300],
        author_name=scope["author"],
        search_terms=scope["terms"],
        date_from=date_from,
        date_to=date_to,
        reason=reason.strip(),
        reference=(reference or "").strip()[:100],
        created_by=user,
        request=request,
    )


def hold_release(*, hold: Hold, user) -> Hold:
    updated = Hold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=user
    )
    if updated != 1:
        raise ValidationError(_("Spärren är redan hävd."))
    hold.refresh_from_db()
    return hold
