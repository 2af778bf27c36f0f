#!/usr/bin/env bash
# Start a PostgreSQL server on loopback with a role and a database for the store's tests, and
# print the SQLAlchemy URL to use. Needs Debian's postgresql package; run as root.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start
fi
as_pg() { su postgres -c "$1"; }
for _ in $(seq 30); do as_pg "pg_isready -q -h 127.0.0.1" && break; sleep 1; done
if ! as_pg "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='csat'\"" | grep -q 1; then
  as_pg "psql -q -c \"CREATE ROLE csat LOGIN PASSWORD 'csat' CREATEDB\""
fi
if ! as_pg "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='csat_test'\"" | grep -q 1; then
  as_pg "createdb -O csat csat_test"
fi
echo "postgresql+psycopg://csat:csat@127.0.0.1:5432/csat_test"
