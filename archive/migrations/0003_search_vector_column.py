"""PostgreSQL only: a stored tsvector column for full-text search, replacing the expression index.

A stored column means a search never recomputes to_tsvector for the rows it checks (bitmap recheck,
capped counts); gallring's emptying of search_text updates it automatically. Not a model field: the
ORM never writes it, and SQLite has no equivalent (search uses icontains there).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS archive_record_fts")
    schema_editor.execute(
        "ALTER TABLE archive_archiverecord ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('swedish'::regconfig, COALESCE(search_text, ''::text))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX archive_record_search_vector ON archive_archiverecord USING gin (search_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS archive_record_search_vector")
    schema_editor.execute("ALTER TABLE archive_archiverecord DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        "CREATE INDEX archive_record_fts ON archive_archiverecord "
        "USING gin (to_tsvector('swedish'::regconfig, COALESCE(search_text, ''::text)))"
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_requests_exports_access_log")]

    operations = [migrations.RunPython(forwards, backwards)]
