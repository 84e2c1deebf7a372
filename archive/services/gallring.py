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

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import (
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


def _holds_q() -> Q | None:
    combined = None
    for hold in Hold.objects.filter(released_at__isnull=True):
        q = Q()
        if hold.channel_id is not None:
            q &= Q(channel_id=hold.channel_id)
        if hold.author_platform_id:
            q &= Q(author_platform_id=hold.author_platform_id)
        if hold.date_from:
            q &= Q(received_at__date__gte=hold.date_from)
        if hold.date_to:
            q &= Q(received_at__date__lte=hold.date_to)
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


def gallring_run_rule(*, rule: RetentionRule, now: datetime.datetime | None = None) -> GallringProtocol | None:
    """Cull what one rule allows. Returns the protocol, or None for a "bevaras" rule."""
    if rule.keep_forever or not rule.retention_months:
        return None
    now = now or timezone.now()
    cutoff = months_before(now, rule.retention_months)
    with transaction.atomic():
        allow_archive_changes()
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
        rows = list(
            cullable.select_for_update()
            .order_by("sequence")
            .values_list("pk", "sequence", "record_sha256", "content_sha256", "received_at")
        )
        # Attachment records: their file goes too; the protocol keeps the file's SHA-256.
        file_sha = {
            pk: (json.loads(content).get("snapshot") or {}).get("attachment", {}).get("sha256") or ""
            for pk, content in cullable.filter(record_type=RecordType.ATTACHMENT).values_list("pk", "content")
        }
        span = cullable.aggregate(earliest=Min("received_at"), latest=Max("received_at"))
        protocol = GallringProtocol.objects.create(
            rule=rule,
            rule_snapshot=_rule_snapshot(rule),
            run_at=now,
            cutoff=cutoff,
            culled_count=len(rows),
            skipped_hold_count=skipped_hold,
            skipped_request_count=skipped_request,
            earliest=span["earliest"],
            latest=span["latest"],
            culled=[
                [seq, record_sha, content_sha, file_sha[pk]] if pk in file_sha else [seq, record_sha, content_sha]
                for pk, seq, record_sha, content_sha, _r in rows
            ],
        )
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 5000):
            ArchiveRecord.objects.filter(pk__in=ids[start : start + 5000])._gallring_update(
                content="", search_text="", author_name="", author_platform_id="", culled_at=now, culled_by=protocol
            )
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


def hold_create(
    *,
    user,
    reason: str,
    channel_id: int | None = None,
    channel_name: str = "",
    author_platform_id: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    reference: str = "",
) -> Hold:
    if not (reason or "").strip():
        raise ValidationError(_("Ange ett skäl för spärren."))
    if channel_id is None and not author_platform_id and not date_from and not date_to:
        raise ValidationError(_("Ange kanal, avsändare eller datumintervall för spärren."))
    if date_from and date_to and date_from > date_to:
        raise ValidationError(_("Startdatum måste vara före slutdatum."))
    return Hold.objects.create(
        channel_id=channel_id,
        channel_name=channel_name,
        author_platform_id=author_platform_id.strip(),
        date_from=date_from,
        date_to=date_to,
        reason=reason.strip(),
        reference=reference.strip(),
        created_by=user,
    )


def hold_release(*, hold: Hold, user) -> Hold:
    updated = Hold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=user
    )
    if updated != 1:
        raise ValidationError(_("Spärren är redan hävd."))
    hold.refresh_from_db()
    return hold
