#!/usr/bin/env bash
# Tempora with many open workflows (issue 24 item 4). For each store in STORES and each size in SIZES, on a fresh
# database and a freshly launched server (start-dev on SQLite, schema setup + `tempora start` on PostgreSQL, as
# bench/run.sh does it):
#   1. the driver (`tempora-bench --scale --scale-phase open`) starts SIZE ScaleWorkflow runs, half with a 1 h timer,
#      half waiting on a signal only, waits until each ran its first workflow task, lets the server idle 10 s and
#      records its RSS and the database bytes per open run (SQLite file + WAL; pg_database_size of the main database),
#      its RSS again 70 s after (once the idle settle ran) and its peak RSS while they opened;
#   2. the server is stopped (SIGTERM) and started again on the same database;
#   3. the driver (`--scale-phase drain`) times start-up (process start to the first answered DescribeNamespace) and
#      the server's CPU by then, reads RSS 10 s later, then signals every run and times their completion.
# One JSON line of kind "scale" per (store, size) goes to stdout and to $RESULTS: open_workflows, store, rss_mb,
# rss_settled_mb, rss_peak_mb, rss_after_restart_mb, rss_after_drain_mb, startup_s, server_cpu_ms_per_wf (during start), db_bytes_per_wf,
# drain_wf_per_s, open_s (time to open them all).
#
#   bash bench/scale.sh                                   # 10k, 50k, 100k on SQLite and PostgreSQL
#   SIZES=10000 STORES=sqlite bash bench/scale.sh         # a quick check
#
# Settings (environment, defaults in brackets): SIZES ["10000 50000 100000"], STORES ["sqlite postgres"],
# CONCURRENCY [200] requests in flight, TIMEOUT_S [1200] per phase, TEMPORA_BIN [publish this tree] to measure
# another build, RESULTS [bench/results/scale-DATE-COMMIT.jsonl], SERVER_ARGS [none] extra server flags,
# TEMPORA_TEST_PG_PORT [55432]. Only 127.0.0.1 is used; on exit the script stops exactly the processes it started
# and drops the databases it created.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SIZES=${SIZES:-10000 50000 100000}
STORES=${STORES:-sqlite postgres}
CONCURRENCY=${CONCURRENCY:-200}
TIMEOUT_S=${TIMEOUT_S:-1200}
SERVER_ARGS=${SERVER_ARGS:-}
COMMIT=$(git rev-parse --short HEAD)
RESULTS=${RESULTS:-$ROOT/bench/results/scale-$(date -u +%Y%m%d-%H%M%S)-$COMMIT.jsonl}
PG_PORT=${TEMPORA_TEST_PG_PORT:-55432}

log() { echo "[$(date +%H:%M:%S)] scale.sh: $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tempora-scale.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS" "$(dirname "$RESULTS")"
SERVER_PID=
PG_DBS=()
PG_STARTED=0
FAILED=0

# stop_server, as_postgres, drop_databases (bench/lib.sh) use SERVER_PID, PG_DBS, PG_PORT and log from here.
source "$ROOT/bench/lib.sh"

cleanup() {
    local status=$?
    stop_server
    if [ ${#PG_DBS[@]} -gt 0 ]; then drop_databases; fi
    if [ "$PG_STARTED" = 1 ]; then bash scripts/postgres.sh stop || true; fi
    rm -rf "$WORK/tempora" "$WORK/bench" "$WORK"/sqlite-*
    log "logs: $LOGS"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------------------------
RID="linux-$(case "$(uname -m)" in aarch64|arm64) echo arm64 ;; *) echo x64 ;; esac)"
if [ -n "${TEMPORA_BIN:-}" ]; then
    TEMPORA=$TEMPORA_BIN
else
    log "publishing tempora (Release) into $WORK"
    timeout 900 dotnet publish src/Tempora.Cli -c Release -r "$RID" --self-contained false -o "$WORK/tempora" >"$LOGS/publish-tempora.log" 2>&1 \
        || { tail -20 "$LOGS/publish-tempora.log" >&2; exit 1; }
    TEMPORA=$WORK/tempora/tempora
fi
log "publishing the driver (Release)"
timeout 900 dotnet publish bench/Tempora.Bench -c Release -r "$RID" -o "$WORK/bench" >"$LOGS/publish-bench.log" 2>&1 \
    || { tail -20 "$LOGS/publish-bench.log" >&2; exit 1; }
DRIVER=$WORK/bench/tempora-bench
log "results: $RESULTS"

# start_server NAME CMD... : launches the server, waits (bounded) for its banner, sets SERVER_PID and SERVER_ADDR.
start_server() {
    local name=$1 i
    shift
    local out=$LOGS/$name.log
    "$@" >"$out" 2>&1 &
    SERVER_PID=$!
    SERVER_ADDR=
    for ((i = 0; i < 1200; i++)); do
        SERVER_ADDR=$(sed -n 's/^Server: *//p' "$out" | head -1)
        [ -n "$SERVER_ADDR" ] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server exited before it was ready:"; tail -20 "$out" >&2; SERVER_PID=; return 1
        fi
        sleep 0.1
    done
    log "server not ready within 120 s:"; tail -20 "$out" >&2
    stop_server
    return 1
}

# The restarted server must listen where the driver expects it: a fixed free port per run, chosen now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# scale STORE SIZE LAUNCH... : the open phase, a restart, the drain phase. LAUNCH is the server command line.
scale() {
    local store=$1 size=$2 port=$3
    shift 3
    local label="scale-$store-$size" state=$WORK/$store-$size.state.json tq="scale-$store-$size-$RANDOM"
    local -a common=(--address "127.0.0.1:$port" --label "$label" --store "$store" --open "$size" --scale --task-queue "$tq"
        --scale-state "$state" --concurrency "$CONCURRENCY" --timeout-s "$TIMEOUT_S" --connect-timeout-s 300
        --max-cached-workflows 2000 "${DRIVER_DB_ARGS[@]}")
    log "== $label: open $size workflows"
    start_server "$label-open" "$@" || { FAILED=1; return 0; }
    if ! timeout $((TIMEOUT_S + 120)) "$DRIVER" "${common[@]}" --scale-phase open --server-pid "$SERVER_PID" \
        2>>"$LOGS/driver.log"; then
        log "open phase of $label failed"; tail -5 "$LOGS/driver.log" >&2; FAILED=1; stop_server; return 0
    fi
    stop_server
    log "== $label: restart and drain"
    "$@" >"$LOGS/$label-restart.log" 2>&1 &
    SERVER_PID=$!
    local status=0
    timeout $((TIMEOUT_S + 120)) "$DRIVER" "${common[@]}" --scale-phase drain --server-pid "$SERVER_PID" \
        >"$WORK/line.json" 2>>"$LOGS/driver.log" || status=$?
    local line
    line=$(tail -1 "$WORK/line.json")
    if [[ $line == \{* ]]; then echo "$line"; echo "$line" >>"$RESULTS"; fi
    if [ "$status" != 0 ]; then log "drain phase of $label failed"; tail -5 "$LOGS/driver.log" >&2; FAILED=1; fi
    stop_server
}

for store in $STORES; do
    for size in $SIZES; do
        port=$(free_port)
        case $store in
            sqlite)
                dir=$WORK/sqlite-$size
                mkdir -p "$dir"
                DRIVER_DB_ARGS=(--db-file "$dir/tempora.db")
                # shellcheck disable=SC2086 # SERVER_ARGS is a list of flags
                scale sqlite "$size" "$port" env -u TEMPORA_CONFIG "$TEMPORA" start-dev --ip 127.0.0.1 --port "$port" \
                    --metrics-port 0 --http-port 0 --headless --log-level warn --db-filename "$dir/tempora.db" $SERVER_ARGS
                rm -rf "$dir"
                ;;
            postgres)
                if [ -z "${TEMPORA_TEST_PG_DATA:-}" ]; then
                    if ! bash scripts/postgres.sh status; then PG_STARTED=1; fi
                    eval "$(bash scripts/postgres.sh)"
                fi
                db="scale_$(date +%s)_$RANDOM"
                PG_DBS=("$db" "${db}_vis")
                pgenv=(env -u TEMPORA_CONFIG TEMPORA_DB=postgres TEMPORA_DB_HOST=127.0.0.1 TEMPORA_DB_PORT="$PG_PORT"
                    TEMPORA_DB_USER=temporal TEMPORA_DB_PASSWORD=temporal TEMPORA_DB_NAME="$db" TEMPORA_VISIBILITY_DB_NAME="${db}_vis"
                    TEMPORA_DB_SSL_MODE=Disable)
                if ! timeout 120 "${pgenv[@]}" "$TEMPORA" schema setup >"$LOGS/$db-schema.log" 2>&1; then
                    log "schema setup failed:"; tail -20 "$LOGS/$db-schema.log" >&2; FAILED=1; drop_databases; continue
                fi
                DRIVER_DB_ARGS=(--pg-stats "Host=127.0.0.1;Port=$PG_PORT;Username=temporal;Password=temporal;Database=$db")
                # shellcheck disable=SC2086
                scale postgres "$size" "$port" "${pgenv[@]}" "$TEMPORA" start --ip 127.0.0.1 --port "$port" --metrics-port 0 --http-port 0 \
                    --ui-port 0 --log-level warn --log-format text $SERVER_ARGS
                drop_databases
                ;;
            *) log "unknown store $store"; exit 2 ;;
        esac
    done
done
log "done; results in $RESULTS"
exit $FAILED
