#!/usr/bin/env bash
# Restore a dump from backup.sh into a NEW database of the given name:
#   DATABASE_URL=postgresql://… deploy/restore.sh /var/backups/kunshan-dashboard/kunshan-….dump kunshan_restored
# It never writes into an existing database (so the live store cannot be overwritten by a
# slip): check the restored copy, then point DATABASE_URL at it (or rename the databases) and
# restart the app processes. The server is taken from ADMIN_URL, else from DATABASE_URL; the
# role needs CREATEDB.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: restore.sh DUMP_FILE NEW_DATABASE_NAME" >&2
  exit 2
fi
dump="$1"
name="$2"
# A plain identifier: it is put into SQL and URLs below without quoting worries.
[[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "restore.sh: database name must match [a-z_][a-z0-9_]*" >&2; exit 2; }
[[ -r "$dump" ]] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }
pg_restore --list "$dump" >/dev/null # a truncated or foreign file fails here, before anything is created

admin="${ADMIN_URL:-${DATABASE_URL:?set DATABASE_URL or ADMIN_URL}}"
admin="${admin/+psycopg/}"
base="${admin%%\?*}"              # without ?options
query="${admin#"$base"}"          # ?options, if any (sslmode, …)
server="${base%/*}"               # postgresql://user@host:port

if [[ -n "$(psql "$server/postgres$query" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]]; then
  echo "restore.sh: database $name already exists; choose a new name" >&2
  exit 3
fi
psql "$server/postgres$query" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$name\""
# One transaction: the new database is either a whole copy or (on error) left empty.
# --no-owner: the restoring role owns the objects, whatever role made the dump.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$server/$name$query" "$dump"
# Planner statistics are not part of a dump; without them the first pages are slow.
psql "$server/$name$query" -v ON_ERROR_STOP=1 -qc "ANALYZE"
echo "restored into $name"
