# Shared by backup.sh, restore.sh and restore_drill.sh. Reads the same environment as the app
# (DATABASE_URL, MEDIA_ROOT, ARCHIVE_EXPORT_ROOT), with the app's defaults.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
if [ -f "$ROOT/.env" ]; then set -a; . "$ROOT/.env"; set +a; fi
MEDIA_ROOT="${MEDIA_ROOT:-$ROOT/var/media}"
ARCHIVE_EXPORT_ROOT="${ARCHIVE_EXPORT_ROOT:-$ROOT/var/archive-exports}"
PG_BIN="${PG_BIN:-}"
pg() { if [ -n "$PG_BIN" ]; then "$PG_BIN/$1" "${@:2}"; else "$@"; fi; }

require_postgres_url() {
  case "${DATABASE_URL:-}" in
    postgres://*|postgresql://*) ;;
    *) echo "DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db)" >&2; exit 2 ;;
  esac
}

# The same URL with another database name (the maintenance database for CREATE/DROP DATABASE).
url_with_db() {
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
PYEOF
}

db_name() {
  "$PY" - "$1" <<'PYEOF'
import sys
from urllib.parse import unquote, urlsplit
print(unquote(urlsplit(sys.argv[1]).path.lstrip("/")))
PYEOF
}

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
