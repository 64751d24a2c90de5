#!/usr/bin/env bash
# Starts (or reuses) a private PostgreSQL cluster for the tests and prints the environment the tests read.
#   eval "$(bash scripts/postgres.sh)"
#   bash scripts/postgres.sh status   # exit 0 when the cluster is running
#   bash scripts/postgres.sh stop     # stops it if it runs (bench/run.sh, before the peers use the same port)
# The cluster listens on 127.0.0.1:${TEMPORA_TEST_PG_PORT:-55432}; role `temporal` (password `temporal`, CREATEDB)
# owns the test databases, as in the CloudNativePG layout. Needs Debian's postgresql package.
set -euo pipefail

port=${TEMPORA_TEST_PG_PORT:-55432}
data=${TEMPORA_TEST_PG_DATA:-${TMPDIR:-/tmp}/tempora-test-pg-$port}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2
    exit 1
fi

# PostgreSQL refuses to run as root; the package's postgres user runs it then.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
    start) ;;
    status)
        [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
        exit ;;
    stop)
        if [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2
        fi
        exit ;;
    *)
        echo "usage: $0 [start|status|stop]" >&2
        exit 2 ;;
esac

if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >&2
    cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
shared_buffers = 128MB
CONF
fi

if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >&2
fi

as_owner "$bin/psql" -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN
    CREATE ROLE temporal LOGIN PASSWORD 'temporal' CREATEDB;
  END IF;
END $$;
SQL

echo "export TEMPORA_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=temporal;Password=temporal'"
echo "export TEMPORA_TEST_PG_DATA='$data'"
echo "export TEMPORA_TEST_PG_BIN='$bin'"
