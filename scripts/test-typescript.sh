#!/usr/bin/env bash
# The TypeScript end-to-end suite (tests/typescript): the official Temporal TypeScript SDK from npm, as client and
# worker, against a real `tempora start-dev` on loopback (SQLite in a temporary directory, ports the OS picks), and,
# when TEMPORA_TEST_POSTGRES names a PostgreSQL (scripts/postgres.sh), once more against two `tempora start` replicas
# on fresh databases there, the client talking to the first.
# Prints the tests' own output, then a closing "TypeScript: N passed, N failed[, N skipped]" line; exits non-zero
# when a test failed or the suite could not run.
#   --no-build   do not build src/Tempora.Cli first (scripts/test.sh has built the solution already)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_server=1
for arg in "$@"; do
    case "$arg" in
        --no-build) build_server=0 ;;
        *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
    esac
done

suite=tests/typescript
# The search attributes the tests set at start (tests/typescript/src/search-attributes.ts names the same ones).
search_attributes=(TsSuiteKeyword=Keyword TsSuiteInt=Int TsSuiteDatetime=Datetime)

work="$(mktemp -d)"
server_pids=()
stop_servers() {
    local pid
    for pid in "${server_pids[@]}"; do
        # setsid made each server its own process group: `dotnet run` and the server it started stop together.
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${server_pids[@]}"; do
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    server_pids=()
}
pg_databases=()
drop_databases() {
    local db
    for db in "${pg_databases[@]}"; do
        PGPASSWORD="$pg_password" "$TEMPORA_TEST_PG_BIN/psql" -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres \
            -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    pg_databases=()
}
trap 'stop_servers; drop_databases; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Always ends the script with the closing line, whatever stopped the suite.
finish() {
    local passed="$1" failed="$2" skipped="$3" status="$4"
    local summary="$passed passed, $failed failed"
    if ((skipped > 0)); then
        summary+=", $skipped skipped"
    fi
    echo
    echo "TypeScript: $summary"
    exit "$status"
}

# node_modules is not committed; npm ci installs exactly the lockfile's versions.
if [ ! -d "$suite/node_modules" ]; then
    (cd "$suite" && npm ci --no-audit --no-fund) || finish 0 1 0 1
fi
# tsc type-checks and compiles src/ into the git-ignored build/ (about a second); the worker bundles build/workflows.js.
(cd "$suite" && rm -rf build && npx --no-install tsc -p tsconfig.json) || finish 0 1 0 1
if ((build_server)); then
    dotnet build src/Tempora.Cli -c Debug --nologo -v quiet || finish 0 1 0 1
fi

# Starts `tempora ARGS…` in its own process group, logging to $work/NAME.log, and waits until it listens and answers
# its health check; sets $address. Port 0 everywhere: the server binds ports the OS picks and prints them in its
# banner ("Server:     127.0.0.1:PORT", "Metrics:    http://127.0.0.1:PORT/metrics"), so no other process can hold them.
start_server() {
    local name="$1" metrics_port="" pid
    shift
    setsid dotnet run --no-build --project src/Tempora.Cli -- "$@" >"$work/$name.log" 2>&1 &
    pid=$!
    server_pids+=("$pid")
    address=""
    for _ in $(seq 1 600); do
        address="$(sed -n 's/^Server: *\([0-9.]*:[0-9]*\)$/\1/p' "$work/$name.log")"
        metrics_port="$(sed -n 's|^Metrics: *http://[0-9.]*:\([0-9]*\)/metrics$|\1|p' "$work/$name.log")"
        if [ -n "$address" ] && [ -n "$metrics_port" ]; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    if [ -z "$address" ] || [ -z "$metrics_port" ]; then
        echo "Tempora ($name) did not start within 60 s; its output:" >&2
        cat "$work/$name.log" >&2
        return 1
    fi
    if ! dotnet run --no-build --project src/Tempora.Cli -- health -p "$metrics_port"; then
        echo "Tempora ($name) at $address is not ready; its output:" >&2
        cat "$work/$name.log" >&2
        return 1
    fi
}

# One node process runs every test (src/suite.test.ts), so the worker and its workflow bundle are made once. The
# second pass turns the worker's workflow cache off, so that every workflow task replays the run's full history, as
# the .NET suite's cache-off pass does. The spec reporter is what a reader sees; the TAP copy is what is counted.
status=0
passed=0 failed=0 skipped=0
tap_count() {
    local value
    value="$(sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$2" 2>/dev/null | tail -n 1)"
    echo "${value:-0}"
}
# One pass of the suite against $address; MAX_CACHED empty is the SDK's default workflow cache, 0 turns it off.
run_pass() {
    local pass="$1" max_cached="$2" tap="$work/$1.tap" pass_status=0 pass_failed
    echo "== TypeScript suite: $pass"
    (cd "$suite" && TEMPORA_TS_ADDRESS="$address" TEMPORA_TS_MAX_CACHED_WORKFLOWS="$max_cached" \
        timeout --kill-after=10s 600s node --test --test-timeout=60000 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" \
        build/suite.test.js) || pass_status=$?
    pass_failed=$(($(tap_count fail "$tap") + $(tap_count cancelled "$tap")))
    if ((pass_status != 0)); then
        status=$pass_status
        if ((pass_failed == 0)); then
            # node stopped before counting a failure (a crash, the timeout, a failed hook): the pass still failed.
            echo "node exited with status $pass_status"
            pass_failed=1
        fi
    fi
    passed=$((passed + $(tap_count pass "$tap")))
    failed=$((failed + pass_failed))
    skipped=$((skipped + $(tap_count skipped "$tap") + $(tap_count todo "$tap")))
}
# A server that does not come up fails its passes (each counted as one failed test) and the script.
server_failed() {
    status=1
    failed=$((failed + $1))
}

# start-dev on SQLite, the embedded default: the suite twice, the second time with the worker's workflow cache off
# so that every workflow task replays the run's full history (as the .NET suite's cache-off pass does).
sa_flags=()
for sa in "${search_attributes[@]}"; do
    sa_flags+=(--search-attribute "$sa")
done
if start_server start-dev start-dev --db-filename "$work/tempora.db" -p 0 --ui-port 0 --metrics-port 0 --http-port 0 --headless \
    --log-level warn "${sa_flags[@]}"; then
    run_pass "start-dev on SQLite, workflow cache on" ""
    run_pass "start-dev on SQLite, workflow cache off" 0
else
    server_failed 2
fi
stop_servers

# Two replicas on one PostgreSQL, the client on the first: requests for workflows of the second's shards are
# forwarded and polls fan out, the paths a single server never takes. Fresh databases, dropped at the end.
if [ -n "${TEMPORA_TEST_POSTGRES:-}" ]; then
    pg_value() { sed -n "s/.*$1=\([^;]*\).*/\1/p" <<<"$TEMPORA_TEST_POSTGRES"; }
    pg_host="$(pg_value Host)" pg_port="$(pg_value Port)" pg_user="$(pg_value Username)" pg_password="$(pg_value Password)"
    TEMPORA_TEST_PG_BIN="${TEMPORA_TEST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
    suffix="$(date +%s)_$$"
    pg_databases=("ts_main_$suffix" "ts_visibility_$suffix")
    export TEMPORA_DB=postgres TEMPORA_DB_HOST="$pg_host" TEMPORA_DB_PORT="$pg_port" TEMPORA_DB_USER="$pg_user" \
        TEMPORA_DB_PASSWORD="$pg_password" TEMPORA_DB_NAME="${pg_databases[0]}" TEMPORA_VISIBILITY_DB_NAME="${pg_databases[1]}"
    replica=(start --ip 127.0.0.1 -p 0 --ui-port 0 --metrics-port 0 --http-port 0 --log-level warn --log-format text)
    # The attributes are registered before the second replica starts, so that it loads them with the namespace.
    if dotnet run --no-build --project src/Tempora.Cli -- schema setup >"$work/schema.log" 2>&1 \
        && start_server replica-1 "${replica[@]}" && first="$address" \
        && (cd "$suite" && node build/register-search-attributes.js "$first") \
        && start_server replica-2 "${replica[@]}"; then
        address="$first"
        run_pass "two replicas on PostgreSQL, workflow cache on" ""
    else
        cat "$work/schema.log" >&2
        server_failed 1
    fi
    stop_servers
    drop_databases
fi
if ((status != 0)); then
    for log in "$work"/start-dev.log "$work"/replica-*.log; do
        [ -f "$log" ] || continue
        echo "Tempora's output, $(basename "$log" .log) (warnings and errors):"
        cat "$log"
    done
fi
finish "$passed" "$failed" "$skipped" "$status"
