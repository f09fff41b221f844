#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback for the storage tests and print a connection URL.
# Idempotent: reuses the running cluster, the role and the database when they exist.
#   scripts/start_postgres.sh    -> postgresql+psycopg://zkm:zkm@127.0.0.1:5432/zkm_test
set -euo pipefail
role="${ZKM_PG_ROLE:-zkm}"
password="${ZKM_PG_PASSWORD:-zkm}"
database="${ZKM_PG_DATABASE:-zkm_test}"

command -v pg_lsclusters >/dev/null 2>&1 || { echo "start_postgres: install Debian's postgresql" >&2; exit 1; }
cluster_line="$(pg_lsclusters --no-header | head -n 1)"
if [ -z "$cluster_line" ]; then
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  pg_createcluster "$version" main >&2
  cluster_line="$(pg_lsclusters --no-header | head -n 1)"
fi
read -r version name port status _ <<<"$cluster_line"
if [ "$status" != "online" ]; then
  # pg_ctlcluster may print notes ("Removed stale pid file.") on stdout: keep stdout for the URL.
  pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 50); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.2
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "start_postgres: server did not come up" >&2; exit 1; }

as_postgres() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]; then
  as_postgres -c "CREATE ROLE $role LOGIN PASSWORD '$password' CREATEDB" >/dev/null
fi
if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
  as_postgres -c "CREATE DATABASE $database OWNER $role" >/dev/null
fi
# The tests drop their databases WITH (FORCE); an autovacuum worker may be connected to one,
# and terminating it needs pg_signal_backend.
as_postgres -c "GRANT pg_signal_backend TO $role" >/dev/null
echo "postgresql+psycopg://$role:$password@127.0.0.1:$port/$database"
