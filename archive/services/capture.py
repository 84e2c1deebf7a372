"""Capture: appending records to the hash chain.

All appends go through ``_append``: it locks the chain head row (select_for_update; SQLite
serialises writers anyway), computes the hashes in Python and writes the records with one COPY
on PostgreSQL (from COPY_THRESHOLD records; bulk_create below that and elsewhere), inside the
caller's transaction.
"""

import datetime
import hashlib
import json
from collections.abc import Collection, Iterable
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from archive.canonical import canonical_json, record_hash, sha256_text
from archive.models import (
    EVENT_RECORD_TYPES,
    GENESIS_SHA256,
    ArchiveRecord,
    ChainHead,
    InformationClass,
    ItemKind,
    RecordType,
)

FORMAT = "ludvika-social-archive/1"
REMOVED_VISIBILITIES = frozenset({"hidden", "deleted", "removed", "unpublished"})
BULK_BATCH_SIZE = 2000
COPY_THRESHOLD = 20


def _lock_head() -> ChainHead:
    try:
        return ChainHead.objects.select_for_update().get(name="main")
    except ChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                ChainHead.objects.create(name="main")
        except IntegrityError:
            pass
        return ChainHead.objects.select_for_update().get(name="main")


def _as_datetime(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        result = value
    else:
        result = parse_datetime(str(value))
        if result is None:
            raise ValidationError(_("Ogiltig tidpunkt i ögonblicksbilden: %(value)s") % {"value": value})
    if timezone.is_naive(result):
        result = timezone.make_aware(result, datetime.UTC)
    return result


def _ref(value: Any) -> tuple[int | None, str]:
    """A department/board reference given as {"id", "name"}, a name, or an id."""
    if isinstance(value, dict):
        ref_id = value.get("id")
        return (int(ref_id) if ref_id not in (None, "") else None), str(value.get("name") or "")
    if isinstance(value, int):
        return value, ""
    return None, str(value or "")


def _information_class(record_type: str, snapshot: dict) -> str:
    if snapshot.get("case_number"):
        return InformationClass.REGISTERED_ITEM
    if snapshot.get("kind") == ItemKind.DM:
        return InformationClass.RECEIVED_DOCUMENT
    if record_type == RecordType.REMOVAL_SNAPSHOT or snapshot.get("visibility") in REMOVED_VISIBILITIES:
        return InformationClass.REMOVED_COMMENT
    return InformationClass.PUBLIC_COMMENT


def _columns(snapshot: dict) -> dict:
    """The index columns copied out of a snapshot."""
    if not isinstance(snapshot, dict):
        raise ValidationError(_("Ögonblicksbilden måste vara ett objekt."))
    channel = snapshot.get("channel") or {}
    author = snapshot.get("author") or {}
    source = snapshot.get("source") or {}
    _dept_id, dept_name = _ref(channel.get("department"))
    board_id, board_name = _ref(channel.get("board"))
    channel_id = channel.get("id")
    return {
        "channel_id": int(channel_id) if channel_id not in (None, "") else None,
        "channel_name": str(channel.get("name") or "")[:200],
        "channel_account_id": str(channel.get("account_id") or "")[:200],
        "channel_public_url": str(channel.get("public_url") or "")[:500],
        "channel_department": dept_name[:200],
        "channel_board_id": board_id,
        "channel_board": board_name[:200],
        "platform": str(snapshot.get("platform") or channel.get("platform") or "")[:20],
        "platform_id": str(snapshot.get("platform_id") or "")[:300],
        "kind": str(snapshot.get("kind") or "")[:20],
        "version": int(snapshot.get("version") or 1),
        "author_platform_id": str(author.get("platform_id") or "")[:300],
        "author_name": str(author.get("name") or "")[:300],
        "item_created_at": _as_datetime(snapshot.get("created_at")),
        "received_at": _as_datetime(snapshot.get("received_at")),
        "visibility": str(snapshot.get("visibility") or "")[:30],
        "source_item_id": source.get("item_id"),
        "source_version_id": source.get("version_id"),
    }


def _search_text(snapshot: dict) -> str:
    author = snapshot.get("author") or {}
    return "\n".join(part for part in (str(snapshot.get("text") or ""), str(author.get("name") or "")) if part)


RECORD_FIELDS = ArchiveRecord._meta.concrete_fields
RECORD_ATTNAMES = [f.attname for f in RECORD_FIELDS]
CODES_INDEX = RECORD_ATTNAMES.index("codes")
_FIELDS_BY_ATTNAME = {f.attname: f for f in RECORD_FIELDS}
_values_of = itemgetter(*RECORD_ATTNAMES)


def _record_values(
    *, pk, sequence: int, record_type: str, content: dict, columns: dict, search_text: str, previous: str, now
) -> tuple[dict, str]:
    """The field values (attname → value) of the next record in the chain, and its record hash."""
    content["archived_at"] = now
    content_text = canonical_json(content)
    content_sha = sha256_text(content_text)
    record_sha = record_hash(sequence, record_type, content_sha, previous)
    columns = dict(columns)
    information_class = columns.pop("information_class", None) or (
        _information_class(record_type, content.get("snapshot") or {})
        if record_type != RecordType.CSAM_MARKING
        else InformationClass.REMOVED_COMMENT
    )
    values = {
        "codes": [],
        **columns,
        "id": pk,
        "sequence": sequence,
        "record_type": record_type,
        "information_class": information_class,
        "content": content_text,
        "content_sha256": content_sha,
        "previous_sha256": previous,
        "record_sha256": record_sha,
        "search_text": search_text,
        "created_at": now,
    }
    if values["received_at"] is None:
        values["received_at"] = now
    # Fields no capture sets (culled_at, culled_by: a new record is never a tombstone) get their
    # defaults, as the model's constructor would give them.
    for attname in _FIELDS_BY_ATTNAME.keys() - values.keys():
        values[attname] = _FIELDS_BY_ATTNAME[attname].get_default()
    return values, record_sha


# Ids for a COPY, drawn in one query. The sequence is looked up once (a materialised CTE): written
# inline, the lookup and the text-to-regclass cast would run for every id.
NEXTVAL_SQL = (
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
    "SELECT nextval(s.seq) FROM s, generate_series(1, %s)"
)
EMPTY_CODES = json.dumps([])


def _append_copy(
    entries: Iterable[tuple[str, dict, dict, str]], *, count: int, sequence: int, previous: str, now, returning: bool
) -> tuple[list[ArchiveRecord], int, str]:
    """PostgreSQL: ids drawn from the identity sequence in one query, then every record hashed and
    written to one COPY as it is computed, so the server stores (and indexes, and computes the
    search vector of) each row while the next ones are being built and hashed. Returns the records
    (with ``returning``; built as the ORM builds loaded rows, Model.from_db) and the new chain head
    (sequence, record hash)."""
    qn = connection.ops.quote_name
    table = ArchiveRecord._meta.db_table
    records = []
    with connection.cursor() as cursor:
        cursor.execute(NEXTVAL_SQL, [table, ArchiveRecord._meta.pk.column, count])
        ids = [r[0] for r in cursor.fetchall()]
        columns_sql = ", ".join(qn(f.column) for f in RECORD_FIELDS)
        with cursor.cursor.copy(f"COPY {qn(table)} ({columns_sql}) FROM STDIN") as copy:
            for pk, (record_type, content, columns, search_text) in zip(ids, entries, strict=True):
                sequence += 1
                values, previous = _record_values(
                    pk=pk, sequence=sequence, record_type=record_type, content=content, columns=columns,
                    search_text=search_text, previous=previous, now=now,
                )
                row = list(_values_of(values))
                codes = row[CODES_INDEX]
                row[CODES_INDEX] = json.dumps(codes) if codes else EMPTY_CODES
                copy.write_row(row)
                if returning:
                    row[CODES_INDEX] = codes
                    records.append(ArchiveRecord.from_db("default", RECORD_ATTNAMES, row))
    return records, sequence, previous


def _append(
    entries: Iterable[tuple[str, dict, dict, str]], *, count: int | None = None, returning: bool = True
) -> list[ArchiveRecord]:
    """Append (record_type, content, columns, search_text) entries to the chain, in order.

    With ``count`` (their number), ``entries`` may be produced lazily: on PostgreSQL each is built
    while the previous rows are being stored. Building one must not query the database (the COPY
    holds the connection). Without ``returning`` the PostgreSQL path builds no model instances and
    returns an empty list."""
    if count is None:
        entries = list(entries)
        count = len(entries)
    if not count:
        return []
    with transaction.atomic():
        head = _lock_head()
        now = timezone.now()
        sequence = head.sequence
        previous = head.record_sha256 or GENESIS_SHA256
        if connection.vendor == "postgresql" and count >= COPY_THRESHOLD:
            records, sequence, previous = _append_copy(
                entries, count=count, sequence=sequence, previous=previous, now=now, returning=returning
            )
        else:
            records = []
            for record_type, content, columns, search_text in entries:
                values, previous = _record_values(
                    pk=None, sequence=sequence + 1, record_type=record_type, content=content, columns=columns,
                    search_text=search_text, previous=previous, now=now,
                )
                sequence += 1
                records.append(ArchiveRecord(**values))
            if len(records) != count:
                raise ValueError("the number of archive entries does not match their count")
            ArchiveRecord.objects.bulk_create(records, batch_size=BULK_BATCH_SIZE)
        ChainHead.objects.filter(pk=head.pk).update(sequence=sequence, record_sha256=previous, updated_at=now)
    return records


def _item_version_entries(snapshots: Iterable[dict]):
    for snapshot in snapshots:
        columns = _columns(snapshot)
        content = {"format": FORMAT, "record_type": RecordType.ITEM_VERSION.value, "snapshot": snapshot}
        yield RecordType.ITEM_VERSION.value, content, columns, _search_text(snapshot)


def capture_item_versions(*, snapshots: Collection[dict], returning: bool = True) -> list[ArchiveRecord]:
    """Archive inbound item versions, in order, inside the caller's transaction.

    Each snapshot is the self-contained dict described in docs/archive.md ("channel", "platform",
    "platform_id", "kind", "version", "thread", "author", "text", "attachments", "created_at",
    "edited_at", "received_at", "visibility", "raw", "source"; optional "case_number").

    ``snapshots`` is a list or any sized iterable; a lazy one (see channels.services.ingest) has
    each snapshot built while the previous records are being stored, and must not query the
    database while it builds them. ``returning=False`` (the inbound store, which has no use for
    them) skips building the record instances and returns an empty list.
    """
    return _append(_item_version_entries(snapshots), count=len(snapshots), returning=returning)


def capture_item_version(*, snapshot: dict) -> ArchiveRecord:
    return capture_item_versions(snapshots=[snapshot])[0]


def _user_ref(user) -> dict | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() if hasattr(user, "get_full_name") else "",
    }


def snapshot_for_removal(*, snapshot: dict, decided_by, codes: list[str], reason: str) -> ArchiveRecord:
    """Archive-before-act: the content-and-sender snapshot of an item version that is to be hidden or
    deleted, with the decision (who, codes, reason) fixed at the moment of the decision.

    Runs in the caller's transaction; the caller queues the platform action referencing the returned
    record, so the action cannot exist unless this record commits.
    """
    codes = [str(code) for code in (codes or []) if str(code).strip()]
    if not codes:
        raise ValidationError(_("Ange minst en kod ur listan över otillåtet innehåll."))
    if not (reason or "").strip():
        raise ValidationError(_("Ange ett skäl för beslutet."))
    columns = _columns(snapshot)
    columns["codes"] = codes
    content = {
        "format": FORMAT,
        "record_type": RecordType.REMOVAL_SNAPSHOT.value,
        "snapshot": snapshot,
        "decision": {"decided_by": _user_ref(decided_by), "codes": codes, "reason": reason.strip()},
    }
    return _append([(RecordType.REMOVAL_SNAPSHOT.value, content, columns, _search_text(snapshot))])[0]


def _csam_metadata(snapshot: dict) -> dict:
    """What of a suspected-CSAM item may be kept: identity, timestamps and hashes, never content."""
    channel = snapshot.get("channel") or {}
    author = snapshot.get("author") or {}
    thread = snapshot.get("thread") or {}
    return {
        "channel": channel,
        "platform": snapshot.get("platform"),
        "platform_id": snapshot.get("platform_id"),
        "kind": snapshot.get("kind"),
        "version": snapshot.get("version"),
        "thread": {"root_platform_id": thread.get("root_platform_id"), "parent_platform_id": thread.get("parent_platform_id")},
        "author": {"platform_id": author.get("platform_id"), "profile_url": author.get("profile_url")},
        "created_at": snapshot.get("created_at"),
        "received_at": snapshot.get("received_at"),
        "attachments": [
            {"media_type": a.get("media_type"), "sha256": a.get("sha256"), "size": a.get("size")}
            for a in (snapshot.get("attachments") or [])
        ],
        "text_sha256": hashlib.sha256(str(snapshot.get("text") or "").encode("utf-8")).hexdigest(),
        "original_sha256": sha256_text(canonical_json(snapshot)),
    }


def _csam_marked_send(*, marking: ArchiveRecord, marked_by) -> None:
    """Tell the apps that keep live copies (archive.signals.csam_marked), in the marking's transaction:
    a receiver that fails rolls the marking back."""
    from archive.signals import csam_marked

    csam_marked.send(
        sender=ArchiveRecord, channel_id=marking.channel_id, platform_id=marking.platform_id,
        marking_sequence=marking.sequence, marked_by=marked_by,
    )


def capture_csam_marking(*, snapshot: dict, police_report_reference: str, marked_by, note: str = "") -> ArchiveRecord:
    """Archive a suspected child sexual abuse material item as a marking only.

    The item's text, attachments (URLs), raw payload and author name never enter the archive: the
    record holds identity metadata, SHA-256 hashes and the police-report reference. The live copies
    are purged by the receivers of archive.signals.csam_marked, in the same transaction.
    """
    from archive.services.redaction import redact_quotes_of

    with transaction.atomic():
        marking = _csam_marking_append(
            snapshot=snapshot, police_report_reference=police_report_reference, marked_by=marked_by, note=note
        )
        redact_quotes_of(channel_id=marking.channel_id, platform_id=marking.platform_id,
                         text=str(snapshot.get("text") or ""), marking_sequence=marking.sequence, actor=marked_by)
        _csam_marked_send(marking=marking, marked_by=marked_by)
    return marking


def _csam_marking_append(*, snapshot: dict, police_report_reference: str, marked_by, note: str = "") -> ArchiveRecord:
    if not (police_report_reference or "").strip():
        raise ValidationError(_("Ange polisanmälans referens."))
    metadata = _csam_metadata(snapshot)
    columns = _columns(metadata)
    columns["author_name"] = ""
    content = {
        "format": FORMAT,
        "record_type": RecordType.CSAM_MARKING.value,
        "marking": {
            "metadata": metadata,
            "police_report_reference": police_report_reference.strip(),
            "marked_by": _user_ref(marked_by),
            "note": note.strip(),
        },
    }
    return _append([(RecordType.CSAM_MARKING.value, content, columns, "")])[0]


def csam_mark_captured(*, record: ArchiveRecord, police_report_reference: str, marked_by, note: str = "") -> ArchiveRecord:
    """Replace an already captured item's content with a CSAM marking.

    Writes a marking record (metadata, hashes, police-report reference, derived from the first
    record of the item) and turns every record of the same platform item into a tombstone in the
    same transaction: content, search text and author fields are cleared, the hashes stay (so
    ``verify_archive`` still verifies). The marking names the sequence numbers it replaced. Then
    archive.signals.csam_marked is sent, in the same transaction, so the live copies are purged too.
    """
    from archive.services.gallring import allow_archive_changes
    from archive.services.redaction import redact_quotes_of

    if not (police_report_reference or "").strip():
        raise ValidationError(_("Ange polisanmälans referens."))
    if record.record_type == RecordType.CSAM_MARKING or record.is_tombstone:
        raise ValidationError(_("Posten är redan markerad eller gallrad."))
    with transaction.atomic():
        affected = ArchiveRecord.objects.select_for_update().filter(culled_at__isnull=True).exclude(
            record_type=RecordType.CSAM_MARKING
        )
        if record.platform_id:
            affected = affected.filter(channel_id=record.channel_id, platform_id=record.platform_id)
        else:
            affected = affected.filter(pk=record.pk)
        rows = list(affected.order_by("sequence").values_list("pk", "sequence", "content"))
        snapshot = json.loads(rows[0][2]).get("snapshot") or {}
        marking = _csam_marking_append(
            snapshot=snapshot, police_report_reference=police_report_reference, marked_by=marked_by,
            note=(note + "\n" if note else "") + "replaces records " + ", ".join(str(r[1]) for r in rows),
        )
        allow_archive_changes()
        ArchiveRecord.objects.filter(pk__in=[r[0] for r in rows])._gallring_update(
            content="", search_text="", author_name="", author_platform_id="", culled_at=timezone.now()
        )
        # The records that quote the item (replies' thread context) are redacted, provably.
        redact_quotes_of(channel_id=record.channel_id, platform_id=record.platform_id,
                         text=str(snapshot.get("text") or ""), marking_sequence=marking.sequence, actor=marked_by)
        # Last, still inside the transaction: the live copies go with the archived ones or not at all.
        _csam_marked_send(marking=marking, marked_by=marked_by)
    return marking


# The columns an event record copies from the latest record of the item it is about, so that holds,
# requests, data-subject extracts and gallring find it with the item.
ITEM_COLUMNS = (
    "channel_id", "channel_name", "channel_account_id", "channel_public_url", "channel_department",
    "channel_board_id", "channel_board", "platform", "platform_id", "kind", "version", "author_platform_id",
    "author_name", "item_created_at", "information_class",
)


def item_columns(*, channel_id: int | None, platform_id: str = "", record_sequence: int | None = None) -> dict:
    """The index columns of the item's latest live record (or of one record), for an event about it."""
    records = ArchiveRecord.objects.filter(culled_at__isnull=True)
    if platform_id:
        records = records.filter(channel_id=channel_id, platform_id=platform_id)
    elif record_sequence is not None:
        records = records.filter(sequence=record_sequence)
    else:
        return {"channel_id": channel_id}
    # The item's own records first: an event record copies its class from them.
    row = (
        records.exclude(record_type__in=EVENT_RECORD_TYPES).order_by("-sequence").values(*ITEM_COLUMNS).first()
        or records.order_by("-sequence").values(*ITEM_COLUMNS).first()
    )
    if row is None:
        return {"channel_id": channel_id, "platform_id": platform_id or ""}
    return row


def capture_event(
    *, record_type: str, target: dict, event: dict, actor=None, columns: dict | None = None,
    search_text: str = "", at: datetime.datetime | None = None, snapshot: dict | None = None,
) -> ArchiveRecord:
    """Append a record about an item (or a record): a registration, a sekretess marking, something seen
    on the platform, a block, a redaction. ``target`` names what it is about ({"channel_id",
    "platform_id"} or {"record_sequence"}); ``event`` is what happened. The record takes the item's
    columns (channel, author, information class) unless ``columns`` gives them; ``received_at`` is
    the moment of the event."""
    if record_type not in RecordType.values:
        raise ValueError(f"unknown record type {record_type}")
    moment = at or timezone.now()
    if snapshot is not None:
        # A record that carries the document itself (a registration): its own columns.
        base = {k: v for k, v in _columns(snapshot).items() if k not in ("received_at", "source_item_id",
                                                                        "source_version_id")}
        search_text = search_text or _search_text(snapshot)
    else:
        base = item_columns(
            channel_id=target.get("channel_id"), platform_id=str(target.get("platform_id") or ""),
            record_sequence=target.get("record_sequence"),
        )
    cols = {**base, **(columns or {})}
    cols["received_at"] = moment
    cols.setdefault("version", 1)
    content = {
        "format": FORMAT,
        "record_type": record_type,
        "target": target,
        "event": event,
        "actor": _user_ref(actor),
        "at": moment.isoformat(),
    }
    if snapshot is not None:
        content["snapshot"] = snapshot
    return _append([(record_type, content, cols, search_text)])[0]


VISIBILITY_EVENT_TEXT = {
    ("hidden", True): "dold direkt på plattformen, utan att det gjordes i verktyget",
    ("deleted", True): "borttagen direkt på plattformen, utan att det gjordes i verktyget",
    ("hidden", False): "dold på plattformen (åtgärd i verktyget)",
    ("deleted", False): "borttagen på plattformen (åtgärd i verktyget)",
}


def capture_platform_events(*, events: list[dict]) -> list[ArchiveRecord]:
    """Archive what was seen happening on the platform (inside the caller's transaction): a change of
    an item's visibility (hidden, shown again, removed), including a removal made outside the tool.

    Each event is {"item": {channel, platform, platform_id, kind, author, created_at}, "previous":
    str, "new": str, "seen_how": "poll" | "webhook" | "reconciliation", "outside_tool": bool}. The
    record holds what, when and how it was seen, not the text (the item's versions hold that)."""
    now = timezone.now()
    entries = []
    for event in events:
        item = dict(event["item"])
        item["visibility"] = event["new"]
        columns = {k: v for k, v in _columns(item).items() if k not in ("source_item_id", "source_version_id")}
        columns["received_at"] = now
        columns["information_class"] = _information_class(RecordType.PLATFORM_EVENT, item)
        outside = bool(event.get("outside_tool"))
        description = VISIBILITY_EVENT_TEXT.get((event["new"], outside)) or (
            f"synlighet ändrad från {event['previous']} till {event['new']}")
        content = {
            "format": FORMAT,
            "record_type": RecordType.PLATFORM_EVENT.value,
            "target": {"channel_id": columns["channel_id"], "platform_id": columns["platform_id"]},
            "event": {
                "event": "visibility_changed", "previous_visibility": event["previous"],
                "new_visibility": event["new"], "seen_how": event["seen_how"], "outside_tool": outside,
                "description": description,
            },
            "item": item,
            "at": now.isoformat(),
        }
        entries.append((RecordType.PLATFORM_EVENT.value, content, columns, ""))
    return _append(entries)


def channel_snapshot(channel) -> dict:
    """What a record says about its channel (a registry Channel): a copy, so that a record stays
    readable whatever later happens to the registry."""
    department = channel.department
    return {
        "id": channel.pk,
        "name": channel.name,
        "platform": channel.platform,
        "public_url": channel.public_url,
        "account_id": channel.account_id,
        "department": department.name,
        "board": {"id": department.board_id, "name": department.board.name},
    }
