#!/usr/bin/env bash
# Nightly backup of the store (kunshan-backup.timer runs it): pg_dump's custom format, which is
# compressed and lets pg_restore pick single tables; then dumps older than RETENTION_DAYS go.
#   DATABASE_URL=postgresql://… deploy/backup.sh [BACKUP_DIR]      prints the dump's path
# Put the password in ~/.pgpass rather than the URL: a URL's password shows in `ps`.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is not set}"
dir="${1:-${BACKUP_DIR:-/var/backups/kunshan-dashboard}}"
days="${RETENTION_DAYS:-30}"
[[ "$days" =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: RETENTION_DAYS must be a whole number ≥ 1" >&2; exit 2; }

url="${DATABASE_URL/+psycopg/}" # the app's SQLAlchemy driver suffix means nothing to libpq
case "$url" in
  postgresql://* | postgres://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL (SQLite: copy the file)" >&2; exit 2 ;;
esac

umask 077 # dumps hold personal data: readable by the service user only
mkdir -p "$dir"
target="$dir/kunshan-$(date -u +%Y%m%dT%H%M%SZ).dump"
# A dump is written under a temporary name and renamed when complete, so a failed or
# interrupted run never looks like a backup, and retention only runs after a good one.
pg_dump --format=custom --file="$target.partial" "$url"
mv "$target.partial" "$target"

# Retention by age in minutes (find's -mtime rounds to whole days).
find "$dir" -maxdepth 1 -type f -name 'kunshan-*.dump' -mmin "+$((days * 1440))" -delete
find "$dir" -maxdepth 1 -type f -name 'kunshan-*.dump.partial' -mmin +1440 -delete
echo "$target"
