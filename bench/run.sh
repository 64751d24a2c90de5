#!/usr/bin/env bash
# Tempora's benchmark matrix (issues 7 and 24). Publishes tempora and the load driver in Release, then runs, each on a
# fresh database and a freshly launched server (SQLite: `start-dev` on a new file; PostgreSQL: schema setup + `start`
# on a new database pair), every server with eager workflow start switched on (system.enableEagerWorkflowStart):
#   - start-up: `tempora start-dev` launched STARTUP_REPEAT times until an SDK client connects (median)
#   - MODES "open": the SDK driver, N workflows × ACTIVITIES with at most CONCURRENCY starts in flight, REPEAT times
#   - MODES "closed": the SDK driver in closed loop with eager start (each of C loops awaits its workflow's result
#     before the next start), CLOSED_REPEAT times: C=1 (CL1_N workflows) and C=CL100_C (CL100_N workflows). The first
#     SQLite C=1 run also measures IDLE_S seconds of idle before its load and IDLE_S after it.
#   - MODES "raw": the raw driver (`tempora-bench --raw`: the worker protocol over plain gRPC, no SDK), open mode with
#     eager start, RAW_N workflows at RAW_C: the server's ceiling in workflows/s
#   - LIGHT_N > 0: SQLite, LIGHT_N workflows at concurrency 1 (open mode), after IDLE_S seconds of idle measurement
#   - LINEARITY=1: SQLite, LINEARITY_N workflows × 1 activity at CONCURRENCY
#   - PEERS=1: Restate and DBOS from PEERS_DIR, in the same MODES (open: N at CONCURRENCY, REPEAT times; closed:
#     CLOSED_LOOP=1 at C=1 with CL1_N and at CL100_C with CL100_N, CLOSED_REPEAT times, the first C=1 run with IDLE_S of
#     idle), then the PostgreSQL floor (pgbench) PEERS_FLOOR times. Their PostgreSQL runs on PEERS_PG_PORT, so the test
#     cluster of scripts/postgres.sh keeps running.
# One JSON line per run goes to stdout and to $RESULTS (the peers' lines with a "label" added); with REPORT=1
# bench/report.py then rewrites docs/performance.md from that file. See bench/README.md.
#
#   bash bench/run.sh                                      # the standard matrix (about 10 min on 2 quiet cores; 14 with PEERS=1)
#   N=200 CL1_N=100 CL100_N=200 RAW_N=500 ACTIVITIES=1 STARTUP=0 IDLE_S=5 REPORT=0 bash bench/run.sh   # a quick check
#
# Settings (environment, defaults in brackets): MODES ["open closed raw"]; STORES ["sqlite postgres"];
# open: N [2000], CONCURRENCY [100], ACTIVITIES ["1 10"], REPEAT [1] (it was 2 before the closed loop and the raw
# driver joined the matrix: the default invocation must stay near 30 min); closed: CL1_N [1000], CL100_N [2000],
# CL100_C [100], CLOSED_REPEAT [2]; raw: RAW_N [5000], RAW_C [200], RAW_ARGS ["--eager-start"]; PAYLOAD_BYTES [16];
# IDLE_S [60] (0: no idle measurement); LIGHT_N [0]; STARTUP [1], STARTUP_REPEAT [5]; LINEARITY [0], LINEARITY_N
# [20000]; PEERS [0], PEERS_DIR [../shared/peers], PEERS_PG_PORT [21432], PEERS_TMP [$TMPDIR/tempora-peers-PORT],
# PEERS_FLOOR [1]; TIMEOUT_S [600] per run; REPORT [1]; RESULTS [bench/results/DATE-COMMIT.jsonl]; BENCH_ARGS [none]:
# extra driver flags for every load run (`tempora-bench --help`); TEMPORA_TEST_PG_PORT [55432].
#
# Only 127.0.0.1 is used. Every wait is bounded; the driver stops itself after TIMEOUT_S. On exit the script stops
# exactly the processes it started, drops the databases it created, and stops the test PostgreSQL cluster only if it
# started it. The peers' scripts start and stop their own PostgreSQL (in PEERS_TMP) and servers.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MODES=${MODES:-open closed raw}
N=${N:-2000}
CONCURRENCY=${CONCURRENCY:-100}
REPEAT=${REPEAT:-1}
STORES=${STORES:-sqlite postgres}
ACTIVITIES=${ACTIVITIES:-1 10}
CL1_N=${CL1_N:-1000}
CL100_N=${CL100_N:-2000}
CL100_C=${CL100_C:-100}
CLOSED_REPEAT=${CLOSED_REPEAT:-2}
RAW_N=${RAW_N:-5000}
RAW_C=${RAW_C:-200}
RAW_ARGS=${RAW_ARGS---eager-start}
PAYLOAD_BYTES=${PAYLOAD_BYTES:-16}
LIGHT_N=${LIGHT_N:-0}
IDLE_S=${IDLE_S:-60}
STARTUP=${STARTUP:-1}
STARTUP_REPEAT=${STARTUP_REPEAT:-5}
LINEARITY=${LINEARITY:-0}
LINEARITY_N=${LINEARITY_N:-20000}
PEERS=${PEERS:-0}
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
PEERS_PG_PORT=${PEERS_PG_PORT:-21432}
PEERS_TMP=${PEERS_TMP:-${TMPDIR:-/tmp}/tempora-peers-$PEERS_PG_PORT}
PEERS_FLOOR=${PEERS_FLOOR:-1}
TIMEOUT_S=${TIMEOUT_S:-600}
REPORT=${REPORT:-1}
BENCH_ARGS=${BENCH_ARGS:-}   # extra driver flags for every load run, e.g. "--grpc-compression none"
COMMIT=$(git rev-parse --short HEAD)
RESULTS=${RESULTS:-$ROOT/bench/results/$(date -u +%Y%m%d-%H%M%S)-$COMMIT.jsonl}
PG_PORT=${TEMPORA_TEST_PG_PORT:-55432}

log() { echo "[$(date +%H:%M:%S)] run.sh: $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tempora-bench.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS" "$(dirname "$RESULTS")"
SERVER_PID=
PG_DBS=()
PG_STARTED=0       # this script started the test cluster: stop it at exit
FAILED=0
# Eager workflow start is off by default (as in Temporal 1.28); the closed-loop and raw runs ask for it. start-dev
# takes the switch as a flag, `tempora start` from its config file's dynamicConfig section.
EAGER_FLAG=(--dynamic-config-value system.enableEagerWorkflowStart=true)
START_CONFIG=$WORK/tempora-start.json
echo '{ "dynamicConfig": { "system.enableEagerWorkflowStart": true } }' >"$START_CONFIG"

has_mode() { [[ " $MODES " == *" $1 "* ]]; }

# stop_server, as_postgres, drop_databases (bench/lib.sh) use SERVER_PID, PG_DBS, PG_PORT and log from here.
source "$ROOT/bench/lib.sh"

cleanup() {
    local status=$?
    stop_server
    if [ ${#PG_DBS[@]} -gt 0 ]; then drop_databases; fi
    if [ "$PG_STARTED" = 1 ]; then bash scripts/postgres.sh stop || true; fi
    rm -rf "$WORK/tempora" "$WORK/bench"
    log "logs: $LOGS"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------------------------
log "publishing tempora and the driver (Release) into $WORK"
# As the container image publishes it: for this platform, ReadyToRun (src/Tempora.Cli/Tempora.Cli.csproj); the driver too
# (bench/Tempora.Bench/Tempora.Bench.csproj: otherwise its JIT runs inside the measured window).
RID="linux-$(case "$(uname -m)" in aarch64|arm64) echo arm64 ;; *) echo x64 ;; esac)"
timeout 900 dotnet publish src/Tempora.Cli -c Release -r "$RID" --self-contained false -o "$WORK/tempora" >"$LOGS/publish-tempora.log" 2>&1 \
    || { tail -20 "$LOGS/publish-tempora.log" >&2; exit 1; }
timeout 900 dotnet publish bench/Tempora.Bench -c Release -r "$RID" -o "$WORK/bench" >"$LOGS/publish-bench.log" 2>&1 \
    || { tail -20 "$LOGS/publish-bench.log" >&2; exit 1; }
TEMPORA=$WORK/tempora/tempora
DRIVER=$WORK/bench/tempora-bench

# --- the run's description: machine, commit, settings (first line of the results file) -------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_version=$( ([ -n "$pg_bin" ] && "$pg_bin/postgres" --version) 2>/dev/null || true)
DIRTY=$([ -z "$(git status --porcelain --untracked-files=no)" ] && echo false || echo true) \
COMMIT=$COMMIT PG_VERSION=$pg_version DOTNET_VERSION=$(dotnet --version) \
N=$N CONCURRENCY=$CONCURRENCY REPEAT=$REPEAT PAYLOAD_BYTES=$PAYLOAD_BYTES BENCH_ARGS=$BENCH_ARGS \
MODES=$MODES STORES=$STORES CL1_N=$CL1_N CL100_N=$CL100_N CL100_C=$CL100_C CLOSED_REPEAT=$CLOSED_REPEAT \
RAW_N=$RAW_N RAW_C=$RAW_C RAW_ARGS=$RAW_ARGS IDLE_S=$IDLE_S PEERS=$PEERS \
python3 - >>"$RESULTS" <<'PY'
import json, os, platform, datetime
def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"
def mem_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1048576, 1)
e = os.environ
print(json.dumps({
    "kind": "meta",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": e["COMMIT"], "dirty": e["DIRTY"] == "true",
    "nproc": os.cpu_count(), "cpu_model": cpu_model(), "mem_gib": mem_gib(),
    "kernel": platform.release(), "dotnet": e["DOTNET_VERSION"], "postgres": e.get("PG_VERSION", ""),
    "n": int(e["N"]), "concurrency": int(e["CONCURRENCY"]), "repeat": int(e["REPEAT"]),
    "payload_bytes": int(e["PAYLOAD_BYTES"]), "bench_args": e.get("BENCH_ARGS", ""),
    "modes": e["MODES"].split(), "stores": e["STORES"].split(),
    "cl1_n": int(e["CL1_N"]), "cl100_n": int(e["CL100_N"]), "cl100_c": int(e["CL100_C"]),
    "closed_repeat": int(e["CLOSED_REPEAT"]), "raw_n": int(e["RAW_N"]), "raw_c": int(e["RAW_C"]),
    "raw_args": e.get("RAW_ARGS", ""), "idle_s": int(e["IDLE_S"]), "peers": e["PEERS"] == "1",
}))
PY
log "results: $RESULTS"

record() { # one JSON line from the driver -> stdout and the results file
    local line=$1
    if [[ $line == \{* ]]; then
        echo "$line"
        echo "$line" >>"$RESULTS"
    fi
}

# start_server NAME CMD... : launches the server, waits (bounded) for its banner, sets SERVER_PID, SERVER_ADDR and
# SERVER_METRICS (its /metrics URL, from the banner).
start_server() {
    local name=$1 i
    shift
    local out=$LOGS/$name.log
    "$@" >"$out" 2>&1 &
    SERVER_PID=$!
    SERVER_ADDR=
    for ((i = 0; i < 600; i++)); do
        SERVER_ADDR=$(sed -n 's/^Server: *//p' "$out" | head -1)
        SERVER_METRICS=$(sed -n 's/^Metrics: *//p' "$out" | head -1)
        [ -n "$SERVER_ADDR" ] && [ -n "$SERVER_METRICS" ] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server exited before it was ready:"; tail -20 "$out" >&2; SERVER_PID=; return 1
        fi
        sleep 0.1
    done
    log "server not ready within 60 s:"; tail -20 "$out" >&2
    stop_server
    return 1
}

# drive LABEL STORE ARGS... : runs the driver against the running server and records its line.
drive() {
    local label=$1 store=$2 status=0
    shift 2
    # shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
    timeout $((TIMEOUT_S + 300)) "$DRIVER" --address "$SERVER_ADDR" --server-pid "$SERVER_PID" --server-metrics "$SERVER_METRICS" \
        --label "$label" --store "$store" --payload-bytes "$PAYLOAD_BYTES" --timeout-s "$TIMEOUT_S" \
        "$@" $BENCH_ARGS >"$WORK/line.json" 2>>"$LOGS/driver.log" || status=$?
    record "$(tail -1 "$WORK/line.json")"
    if [ "$status" != 0 ]; then
        log "run $label failed (exit $status); the driver said:"
        tail -5 "$LOGS/driver.log" >&2
        FAILED=1
    fi
}

# run_sqlite LABEL DRIVER-ARGS... : start-dev on a new SQLite file, one driver run, stop.
run_sqlite() {
    local label=$1
    shift
    local dir=$WORK/$label
    mkdir -p "$dir"
    log "== $label (SQLite)"
    start_server "$label" env -u TEMPORA_CONFIG "$TEMPORA" start-dev --ip 127.0.0.1 --port 0 --metrics-port 0 --http-port 0 \
        --headless --log-level warn --db-filename "$dir/tempora.db" "${EAGER_FLAG[@]}" || { FAILED=1; return 0; }
    drive "$label" sqlite "$@"
    stop_server
    rm -rf "$dir"
}

PG_READY=0
pg_ensure() {
    [ "$PG_READY" = 1 ] && return 0
    if ! bash scripts/postgres.sh status; then PG_STARTED=1; fi
    eval "$(bash scripts/postgres.sh)"
    PG_READY=1
}

# run_postgres LABEL DRIVER-ARGS... : schema setup on a new database pair, `tempora start`, one driver run, stop, drop.
run_postgres() {
    local label=$1
    shift
    pg_ensure
    local db
    db="bench_$(date +%s)_$RANDOM"
    local vis="${db}_vis"
    PG_DBS=("$db" "$vis")
    log "== $label (PostgreSQL, databases $db, $vis)"
    local -a pgenv=(env -u TEMPORA_CONFIG TEMPORA_DB=postgres TEMPORA_DB_HOST=127.0.0.1 TEMPORA_DB_PORT="$PG_PORT"
        TEMPORA_DB_USER=temporal TEMPORA_DB_PASSWORD=temporal TEMPORA_DB_NAME="$db" TEMPORA_VISIBILITY_DB_NAME="$vis"
        TEMPORA_DB_SSL_MODE=Disable)
    if ! timeout 120 "${pgenv[@]}" "$TEMPORA" schema setup >"$LOGS/$label-schema.log" 2>&1; then
        log "schema setup failed:"; tail -20 "$LOGS/$label-schema.log" >&2; FAILED=1; drop_databases; return 0
    fi
    start_server "$label" "${pgenv[@]}" "$TEMPORA" start --config "$START_CONFIG" --ip 127.0.0.1 --port 0 --metrics-port 0 \
        --ui-port 0 --http-port 0 --log-level warn --log-format text || { FAILED=1; drop_databases; return 0; }
    local pg_pid
    pg_pid=$(head -1 "$TEMPORA_TEST_PG_DATA/postmaster.pid")
    drive "$label" postgres "$@" --db-pid "$pg_pid" --pg-visibility-database "$vis" \
        --pg-stats "Host=127.0.0.1;Port=$PG_PORT;Username=temporal;Password=temporal;Database=$db"
    stop_server
    drop_databases
}

# --- the matrix --------------------------------------------------------------------------------------------------
if [ "$STARTUP" = 1 ]; then
    log "== start-up (start-dev, $STARTUP_REPEAT launches)"
    timeout 900 "$DRIVER" --measure-startup --tempora-binary "$TEMPORA" --repeat "$STARTUP_REPEAT" --label startup \
        >"$WORK/line.json" 2>>"$LOGS/driver.log" || { log "start-up measurement failed; see $LOGS/driver.log"; FAILED=1; }
    record "$(tail -1 "$WORK/line.json")"
fi

# run_store STORE LABEL DRIVER-ARGS... : one run on a fresh server of that store.
run_store() {
    local store=$1
    shift
    case $store in
        sqlite) run_sqlite "$@" ;;
        postgres) run_postgres "$@" ;;
        *) log "unknown store $store"; exit 2 ;;
    esac
}

if has_mode open; then
    for ((r = 1; r <= REPEAT; r++)); do
        for store in $STORES; do
            for k in $ACTIVITIES; do
                run_store "$store" "$store-a$k-n$N-c$CONCURRENCY-r$r" --workflows "$N" --concurrency "$CONCURRENCY" --activities "$k"
            done
        done
    done
fi

if has_mode closed; then
    for ((r = 1; r <= CLOSED_REPEAT; r++)); do
        for store in $STORES; do
            idle=()
            if [ "$r" = 1 ] && [ "$store" = sqlite ] && [ "$IDLE_S" -gt 0 ]; then idle=(--idle-s "$IDLE_S" --idle-after-s "$IDLE_S"); fi
            # Every workflow traced (--phases): the slowest 1 % and where their time went (phases_ms.slowest_1pct).
            run_store "$store" "$store-closed-c1-n$CL1_N-r$r" --workflows "$CL1_N" --concurrency 1 --activities 1 \
                --closed-loop --eager-start --phases "$CL1_N" "${idle[@]}"
            run_store "$store" "$store-closed-c$CL100_C-n$CL100_N-r$r" --workflows "$CL100_N" --concurrency "$CL100_C" \
                --activities 1 --closed-loop --eager-start
        done
    done
fi

if has_mode raw; then
    for store in $STORES; do
        # shellcheck disable=SC2086 # RAW_ARGS is a list of flags
        run_store "$store" "$store-raw-n$RAW_N-c$RAW_C" --raw --workflows "$RAW_N" --concurrency "$RAW_C" --activities 1 $RAW_ARGS
    done
fi

if [ "$LIGHT_N" -gt 0 ]; then
    run_sqlite "sqlite-a1-n$LIGHT_N-c1-light" --workflows "$LIGHT_N" --concurrency 1 --activities 1 --idle-s "$IDLE_S"
fi

if [ "$LINEARITY" = 1 ]; then
    run_sqlite "sqlite-a1-n$LINEARITY_N-c$CONCURRENCY-linearity" --workflows "$LINEARITY_N" --concurrency "$CONCURRENCY" --activities 1
fi

# run_peer SCRIPT LABEL ENV... : one run of a peer's (or the floor's) script; its last line, labelled, is recorded.
run_peer() {
    local script=$1 label=$2 status=0
    shift 2
    log "== $label ($script)"
    # The peers' lib.sh reads PG_PORT and PEERS_TMP; run-all.sh (not used here) would read PEERS as its list.
    env -u PEERS PG_PORT="$PEERS_PG_PORT" PEERS_TMP="$PEERS_TMP" TIMEOUT_S="$TIMEOUT_S" "$@" \
        timeout $((TIMEOUT_S + 600)) bash "$PEERS_DIR/$script" >"$WORK/peer.json" 2>>"$LOGS/peers.log" || status=$?
    local line
    line=$(tail -1 "$WORK/peer.json")
    if [[ $line == \{* ]]; then
        record "$(LABEL=$label python3 -c 'import json, os, sys; d = json.loads(sys.stdin.read()); d["label"] = os.environ["LABEL"]; print(json.dumps(d))' <<<"$line")"
    fi
    if [ "$status" != 0 ]; then
        log "peer run $label failed (exit $status); see $LOGS/peers.log"
        FAILED=1
    fi
}

if [ "$PEERS" = 1 ]; then
    # lib.sh writes the port into postgresql.conf when it creates the data directory: one made for another port
    # would start PostgreSQL there (the test cluster's port, by default).
    conf=$PEERS_TMP/pg-data/postgresql.conf
    if [ -f "$conf" ] && [ "$(sed -n 's/^port = //p' "$conf" | tail -1)" != "$PEERS_PG_PORT" ]; then
        log "$conf is not for port $PEERS_PG_PORT: set PEERS_TMP to another directory (or remove that one); peers skipped"
        FAILED=1
    else
        mkdir -p "$PEERS_TMP"
        for peer in restate dbos; do
            if has_mode open; then
                for ((r = 1; r <= REPEAT; r++)); do
                    run_peer "$peer/run.sh" "$peer-n$N-c$CONCURRENCY-r$r" N="$N" CONCURRENCY="$CONCURRENCY" IDLE_S=0
                done
            fi
            if has_mode closed; then
                for ((r = 1; r <= CLOSED_REPEAT; r++)); do
                    idle=0
                    if [ "$r" = 1 ]; then idle=$IDLE_S; fi
                    run_peer "$peer/run.sh" "$peer-closed-c1-n$CL1_N-r$r" N="$CL1_N" CONCURRENCY=1 CLOSED_LOOP=1 IDLE_S="$idle"
                    run_peer "$peer/run.sh" "$peer-closed-c$CL100_C-n$CL100_N-r$r" N="$CL100_N" CONCURRENCY="$CL100_C" CLOSED_LOOP=1 IDLE_S=0
                done
            fi
        done
        for ((r = 1; r <= PEERS_FLOOR; r++)); do
            run_peer pgfloor/run.sh "pgbench-floor-r$r"
        done
    fi
fi

if [ "$REPORT" = 1 ]; then
    python3 bench/report.py "$RESULTS" --out docs/performance.md
    log "wrote docs/performance.md"
fi
log "done; results in $RESULTS"
exit $FAILED
