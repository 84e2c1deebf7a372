#!/usr/bin/env bash
# Restore a backup made by backup.sh: checks the checksums, drops and recreates the database named
# in DATABASE_URL, restores the dump, and puts the media and archive export folders back (the
# current folders are moved aside to <folder>.before-restore-<timestamp>, not deleted).
#
#   scripts/restore.sh BACKUP_FOLDER --yes
#
# Stop web, worker, poller and beat first. Then run `python manage.py verify_archive`.
source "$(dirname "$0")/_common.sh"
require_postgres_url

src="${1:?usage: restore.sh BACKUP_FOLDER --yes}"
[ "${2:-}" = "--yes" ] || { echo "This replaces the database $(db_name "$DATABASE_URL"). Add --yes." >&2; exit 2; }
[ -f "$src/db.dump" ] || { echo "$src/db.dump not found" >&2; exit 2; }

log "checking $src/SHA256SUMS"
(cd "$src" && sha256sum --check --quiet SHA256SUMS)

name="$(db_name "$DATABASE_URL")"
admin_url="$(url_with_db "$DATABASE_URL" "${PG_MAINTENANCE_DB:-postgres}")"
log "recreating database $name"
pg psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 --dbname="$admin_url" \
  -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
log "pg_restore"
pg pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/db.dump"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
for pair in "media:$MEDIA_ROOT" "archive-exports:$ARCHIVE_EXPORT_ROOT"; do
  name="${pair%%:*}"; folder="${pair#*:}"
  if [ -d "$folder" ] && [ -n "$(ls -A "$folder" 2>/dev/null)" ]; then
    mv "$folder" "$folder.before-restore-$stamp"
  fi
  mkdir -p "$folder"
  tar -C "$folder" -xzf "$src/$name.tar.gz"
  log "restored $folder"
done
log "restore complete; now run: python manage.py verify_archive"
