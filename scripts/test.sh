#!/usr/bin/env bash
# The project's one test command: builds and runs every test project in Tempora.slnx, then the TypeScript
# end-to-end suite (scripts/test-typescript.sh), then prints a closing "N passed, N failed[, N skipped]" line over
# both and exits non-zero when any of them failed. Extra arguments go to dotnet test (for example --filter
# "FullyQualifiedName~History") and leave the TypeScript suite out.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A private PostgreSQL cluster on loopback for the PostgreSQL contract tests and the third end-to-end pass
# (scripts/postgres.sh; it reuses a running one). TEMPORA_TEST_POSTGRES set by the caller wins.
if [ -z "${TEMPORA_TEST_POSTGRES:-}" ]; then
    eval "$(bash scripts/postgres.sh)"
fi
# The database-restart tests start clusters of their own from these binaries (tests/Tempora.EndToEnd.Tests/PrivatePostgres.cs).
export TEMPORA_TEST_PG_BIN="${TEMPORA_TEST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

# The real OpenID Connect provider the web UI's login tests start (tests/oidc-provider; node_modules is not committed).
if [ ! -d tests/oidc-provider/node_modules ]; then
    (cd tests/oidc-provider && npm ci --no-audit --no-fund)
fi
# The real S3-compatible server the archival tests start (tests/s3-server).
if [ ! -d tests/s3-server/node_modules ]; then
    (cd tests/s3-server && npm ci --no-audit --no-fund)
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# Tests of PostgreSQL-only behaviour (a database restart under the server, two replicas failing over) carry the
# trait Store=PostgresOnly and run in the PostgreSQL pass only.
status=0
dotnet test Tempora.slnx \
    --filter "Store!=PostgresOnly" \
    --logger "console;verbosity=normal" \
    --logger trx \
    --results-directory "$results" \
    "$@" || status=$?

# Second pass of the end-to-end suite with the worker's workflow cache off: every workflow task then replays the
# full history, which is what catches history the SDK cannot replay (tests/Tempora.EndToEnd.Tests/TemporalWorkerOptions.cs).
TEMPORA_TEST_MAX_CACHED_WORKFLOWS=0 dotnet test tests/Tempora.EndToEnd.Tests \
    --no-build \
    --filter "Store!=PostgresOnly" \
    --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=cache-off.trx" \
    --results-directory "$results" \
    "$@" || status=$?

# Third pass: the whole end-to-end suite on PostgreSQL (each server gets fresh `temporal`/`temporal_visibility`-style
# databases on the test cluster; tests/Tempora.EndToEnd.Tests/TestDatabase.cs).
TEMPORA_TEST_STORE=postgres dotnet test tests/Tempora.EndToEnd.Tests \
    --no-build \
    --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=postgres.trx" \
    --results-directory "$results" \
    "$@" || status=$?

# Fourth pass: the end-to-end suite (PostgreSQL-only tests aside, they start servers of their own) against a cluster
# of two replicas on one PostgreSQL; the client talks to the first, so requests about workflows on the second's
# shards are forwarded and polls fan out (tests/Tempora.EndToEnd.Tests/ServerFixture.cs).
TEMPORA_TEST_STORE=postgres TEMPORA_TEST_REPLICAS=2 dotnet test tests/Tempora.EndToEnd.Tests \
    --no-build \
    --filter "Store!=PostgresOnly" \
    --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=replicas.trx" \
    --results-directory "$results" \
    "$@" || status=$?

# The TypeScript end-to-end suite: the official TypeScript SDK against a real `tempora start-dev`, then two replicas on
# the test PostgreSQL (scripts/test-typescript.sh). Arguments mean a chosen subset of the dotnet tests, so it runs
# only without them.
ts_passed=0 ts_failed=0 ts_skipped=0
if [ "$#" -eq 0 ]; then
    bash scripts/test-typescript.sh --no-build | tee "$results/typescript.log" || status=$?
    ts_counts="$(sed -n 's/^TypeScript: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' "$results/typescript.log" | tail -n 1)"
    if [ -n "$ts_counts" ]; then
        read -r ts_passed ts_failed ts_skipped <<<"$ts_counts"
    else
        ts_failed=1 # the script ended without its closing line
    fi
fi

# Each test project writes one .trx file; its <Counters> element holds that project's totals. Skipped tests are
# counted in total but not in executed.
passed=$ts_passed failed=$ts_failed skipped=${ts_skipped:-0}
counter() {
    local value
    value="$(sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$2")"
    echo "${value:-0}"
}
while IFS= read -r line; do
    passed=$((passed + $(counter passed "$line")))
    failed=$((failed + $(counter failed "$line") + $(counter error "$line") + $(counter timeout "$line") + $(counter aborted "$line")))
    skipped=$((skipped + $(counter total "$line") - $(counter executed "$line")))
done < <(find "$results" -name '*.trx' -exec grep -ho '<Counters [^>]*>' {} + 2>/dev/null)

summary="$passed passed, $failed failed"
if ((skipped > 0)); then
    summary+=", $skipped skipped"
fi
echo
echo "$summary"
exit "$status"
