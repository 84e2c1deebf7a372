#!/usr/bin/env bash
# Back up everything the installation cannot recompute: the PostgreSQL database (pg_dump, custom
# format), the media folder (attachment copies, DM hand-off receipts) and the archive export folder.
#
#   scripts/backup.sh [BACKUP_DIR]      (default: $BACKUP_DIR or ./var/backups)
#
# Writes BACKUP_DIR/<UTC timestamp>/ with db.dump, media.tar.gz, archive-exports.tar.gz, MANIFEST
# and SHA256SUMS, and prints that folder's path. Keep copies off the machine (see docs/operations.md).
source "$(dirname "$0")/_common.sh"
require_postgres_url

dest_root="${1:-${BACKUP_DIR:-$ROOT/var/backups}}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dest="$dest_root/$stamp"
mkdir -p "$dest"
umask 077

log "pg_dump → $dest/db.dump"
pg pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dest/db.dump"

for pair in "media:$MEDIA_ROOT" "archive-exports:$ARCHIVE_EXPORT_ROOT"; do
  name="${pair%%:*}"; folder="${pair#*:}"
  mkdir -p "$folder"
  log "tar $folder → $dest/$name.tar.gz"
  tar -C "$folder" -czf "$dest/$name.tar.gz" .
done

{
  echo "created_utc=$stamp"
  echo "database=$(db_name "$DATABASE_URL")"
  echo "media_root=$MEDIA_ROOT"
  echo "archive_export_root=$ARCHIVE_EXPORT_ROOT"
  echo "pg_dump=$(pg pg_dump --version)"
} > "$dest/MANIFEST"
(cd "$dest" && sha256sum db.dump media.tar.gz archive-exports.tar.gz MANIFEST > SHA256SUMS)
log "backup complete"
echo "$dest"
