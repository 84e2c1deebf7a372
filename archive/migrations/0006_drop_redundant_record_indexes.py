"""Drop the archive record indexes no query needs: every captured record paid for each of them.

* channel_id and information_class alone: the composite indexes (channel_id, platform_id) and
  (information_class, received_at) lead with them and serve every query that filters on them.
* source_version_id, created_at, culled_by_id: no query filters or sorts on them.
* PostgreSQL's varchar_pattern_ops "_like" twins of information_class, author_platform_id and
  record_sha256: nothing filters these columns with LIKE or startswith. The plain author_platform_id
  index and the unique constraint on record_sha256 stay; the model cannot express "no _like index",
  so those two are dropped with SQL (Django drops them with IF EXISTS should the fields change).

Constraints are untouched: culled_by's foreign key is kept as it is (its index is dropped with SQL,
not with AlterField, which would drop and re-validate the constraint).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

TABLE = "archive_archiverecord"
# Names Django gave them in 0001 (the same on every database).
CULLED_BY_INDEX = "archive_archiverecord_culled_by_id_4a84959d"
LIKE_INDEXES = {
    "archive_archiverecord_author_platform_id_fd24e3a0_like": "author_platform_id",
    "archive_archiverecord_record_sha256_d76e403f_like": "record_sha256",
}


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LIKE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in LIKE_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ("{column}" varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_attachment_record_type"),
    ]

    operations = [
        migrations.AlterField(
            model_name="archiverecord",
            name="channel_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="kanal-id"),
        ),
        migrations.AlterField(
            model_name="archiverecord",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="arkiverad"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="archiverecord",
                    name="culled_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="culled_records",
                        to="archive.gallringprotocol",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{CULLED_BY_INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{CULLED_BY_INDEX}" ON "{TABLE}" ("culled_by_id")',
                ),
            ],
        ),
        migrations.AlterField(
            model_name="archiverecord",
            name="information_class",
            field=models.CharField(
                choices=[
                    ("public_comment", "Publik kommentar eller inlägg"),
                    ("removed_comment", "Avpublicerad eller raderad kommentar"),
                    ("received_document", "Direktmeddelande / inkommen handling"),
                    ("registered_item", "Diariefört ärende"),
                ],
                max_length=30,
                verbose_name="informationsklass",
            ),
        ),
        migrations.AlterField(
            model_name="archiverecord",
            name="source_version_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes),
    ]
