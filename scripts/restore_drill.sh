#!/usr/bin/env bash
# Restore drill, safe to run against production: back up the database in DATABASE_URL, restore the
# backup into a scratch database (and scratch media/export folders), run verify_archive on it and
# compare the row counts of the queue, the inbound store, the outbox and the archive with the
# source. Exit 0 only if everything matches. The scratch database and folders are removed at the end.
#
#   scripts/restore_drill.sh            (DRILL_DATABASE: scratch name, default <db>_restore_drill)
source "$(dirname "$0")/_common.sh"
require_postgres_url

source_url="$DATABASE_URL"
drill_name="${DRILL_DATABASE:-$(db_name "$source_url")_restore_drill}"
drill_url="$(url_with_db "$source_url" "$drill_name")"
work="$(mktemp -d "${TMPDIR:-/tmp}/restore-drill.XXXXXX")"
admin_url="$(url_with_db "$source_url" "${PG_MAINTENANCE_DB:-postgres}")"
cleanup() {
  pg psql --quiet --no-psqlrc --dbname="$admin_url" -c "DROP DATABASE IF EXISTS \"$drill_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

counts() {
  DATABASE_URL="$1" "$PY" "$ROOT/manage.py" shell -c "
from django.apps import apps
for label in ('platform_channels.Item', 'platform_channels.ItemVersion', 'platform_channels.OutboxAction', 'moderation.QueueEntry',
              'moderation.AuditEvent', 'archive.ArchiveRecord', 'registry.Channel'):
    model = apps.get_model(label)
    print(label, model.objects.count())
from moderation.models import QueueEntry
print('queue-open', QueueEntry.objects.filter(state__in=('new', 'claimed', 'forwarded')).count())
"
}

log "counting rows in the source database"
counts "$source_url" > "$work/source.counts"
backup="$(scripts_dir="$(dirname "$0")"; "$scripts_dir/backup.sh" "$work/backup")"
log "restoring into scratch database $drill_name"
DATABASE_URL="$drill_url" MEDIA_ROOT="$work/media" ARCHIVE_EXPORT_ROOT="$work/exports" \
  "$(dirname "$0")/restore.sh" "$backup" --yes
log "verify_archive on the restored copy"
DATABASE_URL="$drill_url" "$PY" "$ROOT/manage.py" verify_archive
counts "$drill_url" > "$work/restored.counts"
if ! diff -u "$work/source.counts" "$work/restored.counts"; then
  echo "RESTORE DRILL FAILED: row counts differ" >&2
  exit 1
fi
(cd "$work/media" && find . -type f | sort) > "$work/restored.media"
(cd "$MEDIA_ROOT" && find . -type f | sort) > "$work/source.media"
if ! diff -u "$work/source.media" "$work/restored.media"; then
  echo "RESTORE DRILL FAILED: media files differ" >&2
  exit 1
fi
echo "RESTORE DRILL OK: $(wc -l < "$work/source.counts") counts match, verify_archive passed, $(wc -l < "$work/source.media") media files restored"
