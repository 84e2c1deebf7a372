"""Bulk inserts that return ids: COPY on PostgreSQL, bulk_create elsewhere.

On PostgreSQL the ids are drawn from the table's identity sequence in one query and the rows are
written with COPY, several times faster than a multi-row INSERT built by the ORM; on SQLite
bulk_create (which returns ids there) does the same job."""

from __future__ import annotations

import json
from operator import itemgetter

from django.db import connection, models

CHUNK = 500


def _copy_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def dump_json(value) -> str:
    """The text written for a JSON column (jsonb keeps no key order or spacing of its own)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dumped(value, json_cache: dict) -> str:
    # The same payload often goes into two tables (an item and its first version): dump it once.
    key = id(value)
    dumped = json_cache.get(key)
    if dumped is None or dumped[0] is not value:
        dumped = json_cache[key] = (value, dump_json(value))
    return dumped[1]


def _value(field: models.Field, row: dict, json_cache: dict):
    if field.attname in row:
        value = row[field.attname]
    elif field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    else:
        value = ""
    if isinstance(field, models.JSONField):
        return _dumped(value, json_cache)
    return value


# The sequence is looked up once per query (a materialised CTE): written inline, the lookup and
# the text-to-regclass cast would run for every id, which costs eight times as much.
NEXTVAL_SQL = (
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
    "SELECT nextval(s.seq) FROM s, generate_series(1, %s)"
)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Draw ``count`` ids from the table's identity sequence in one query (PostgreSQL)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(NEXTVAL_SQL, [model._meta.db_table, model._meta.pk.column, count])
        return [r[0] for r in cursor.fetchall()]


def insert_rows(
    model: type[models.Model], rows: list[dict], *, json_cache: dict | None = None, ids: list[int] | None = None
) -> list[int]:
    """Insert ``rows`` (attname → value; absent fields get their defaults) and return the new ids
    in order. Runs in the caller's transaction. ``json_cache`` may be shared between calls that
    insert the same JSON objects (it keeps each object alive with its text). On PostgreSQL ``ids``
    may be given (drawn beforehand with allocate_ids), one per row."""
    json_cache = {} if json_cache is None else json_cache
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs, batch_size=CHUNK)
        if all(o.pk for o in objs):
            return [o.pk for o in objs]
        raise RuntimeError("this database cannot return ids from a bulk insert")
    qn = connection.ops.quote_name
    table = model._meta.db_table
    fields = _copy_fields(model)
    columns = ", ".join([qn(model._meta.pk.column), *(qn(f.column) for f in fields)])
    if ids is None:
        ids = allocate_ids(model, len(rows))
    keys = rows[0].keys()
    uniform = len(fields) > 1 and all(f.attname in keys for f in fields) and all(row.keys() == keys for row in rows)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
        if uniform:
            # Every row names every field (the ingest's case): take the values out with one
            # itemgetter per row and dump only the JSON columns.
            values_of = itemgetter(*(f.attname for f in fields))
            json_positions = [i + 1 for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *values_of(row)]
                for i in json_positions:
                    values[i] = _dumped(values[i], json_cache)
                copy.write_row(values)
        else:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row([pk, *(_value(f, row, json_cache) for f in fields)])
    return ids
