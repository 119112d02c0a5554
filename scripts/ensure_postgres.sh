#!/usr/bin/env bash
# Make sure the local PostgreSQL answers and the target database has PostGIS.
# Usage: ensure_postgres.sh HOST PORT DATABASE
set -euo pipefail
host=${1:-127.0.0.1} port=${2:-5432} db=${3:-test}
if ! pg_isready -q -h "$host" -p "$port"; then
  echo "PostgreSQL is not answering on $host:$port; starting the local cluster."
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$version" ]]; then
    echo "No PostgreSQL cluster found under /etc/postgresql: install postgresql-15 or set TEST_DATABASE_URL." >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
  if ! pg_isready -q -h "$host" -p "$port"; then
    echo "PostgreSQL $version did not start on $host:$port; see /var/log/postgresql/." >&2
    exit 1
  fi
fi
if ! psql -h "$host" -p "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
  createdb -h "$host" -p "$port" "$db"
fi
psql -q -h "$host" -p "$port" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" \
  || { echo "Could not enable PostGIS in $db: is postgresql-15-postgis-3 installed?" >&2; exit 1; }
