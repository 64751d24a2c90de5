#!/usr/bin/env bash
# The TypeScript end-to-end suite (tests/typescript): the official Temporal TypeScript SDK from npm, as client and
# worker, against a real `tempora start-dev` on loopback (SQLite in a temporary directory, ports the OS picks).
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
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        # setsid made the server its own process group: `dotnet run` and the server it started stop together.
        kill -TERM -- "-$server_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT
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

sa_flags=()
for sa in "${search_attributes[@]}"; do
    sa_flags+=(--search-attribute "$sa")
done
# Port 0 everywhere: the server binds ports the OS picks and prints them, so no other process can hold them.
setsid dotnet run --no-build --project src/Tempora.Cli -- start-dev \
    --db-filename "$work/tempora.db" -p 0 --ui-port 0 --metrics-port 0 --headless --log-level warn \
    "${sa_flags[@]}" >"$work/server.log" 2>&1 &
server_pid=$!

# The banner ("Server:     127.0.0.1:PORT", "Metrics:    http://127.0.0.1:PORT/metrics") comes once both listen.
address="" metrics_port=""
for _ in $(seq 1 600); do
    address="$(sed -n 's/^Server: *\([0-9.]*:[0-9]*\)$/\1/p' "$work/server.log")"
    metrics_port="$(sed -n 's|^Metrics: *http://[0-9.]*:\([0-9]*\)/metrics$|\1|p' "$work/server.log")"
    if [ -n "$address" ] && [ -n "$metrics_port" ]; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$address" ] || [ -z "$metrics_port" ]; then
    echo "Tempora did not start within 60 s; its output:" >&2
    cat "$work/server.log" >&2
    finish 0 1 0 1
fi
if ! dotnet run --no-build --project src/Tempora.Cli -- health -p "$metrics_port"; then
    echo "Tempora at $address is not ready; its output:" >&2
    cat "$work/server.log" >&2
    finish 0 1 0 1
fi

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
for pass in cache-on cache-off; do
    echo "== TypeScript suite, workflow cache ${pass#cache-}"
    max_cached=""
    if [ "$pass" = cache-off ]; then
        max_cached=0
    fi
    tap="$work/$pass.tap"
    pass_status=0
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
done
stop_server
if ((status != 0)); then
    echo "Tempora's output (warnings and errors):"
    cat "$work/server.log"
fi
finish "$passed" "$failed" "$skipped" "$status"
