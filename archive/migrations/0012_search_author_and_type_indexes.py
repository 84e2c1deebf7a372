"""Archive search by sender alone or by record type alone without reading every record (PostgreSQL).

A sender is searched by id or by part of the name (``author_name ILIKE '%x%'``, which Django writes
as ``UPPER(author_name::text) LIKE UPPER(...)``): a trigram index on that expression serves it. The
record types other than incoming versions are few: a partial index holds only them, newest first,
so a search for removal snapshots, registrations or blocks reads those rows only. Each index is paid
for by every captured record; see the note on ArchiveRecord's indexes.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS archive_rec_author_trgm ON archive_archiverecord "
    "USING gin ((UPPER(author_name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS archive_rec_rare_type ON archive_archiverecord (record_type, received_at, sequence) "
    "WHERE record_type <> 'item_version'",
]
BACKWARD = [
    "DROP INDEX IF EXISTS archive_rec_rare_type",
    "DROP INDEX IF EXISTS archive_rec_author_trgm",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0011_redaction"),
    ]

    operations = [migrations.RunPython(forward, backward)]
