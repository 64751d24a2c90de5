# Shell helpers bench/run.sh and bench/scale.sh share (sourced, not run). They use the caller's SERVER_PID, PG_DBS,
# PG_PORT, TEMPORA_TEST_PG_BIN, TEMPORA_TEST_PG_DATA and log().

# Stops the server the caller started (SIGTERM, SIGKILL after 30 s) and forgets it.
stop_server() {
    local pid=$SERVER_PID i
    SERVER_PID=
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 300; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "server $pid did not stop within 30 s; SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

drop_databases() {
    local db
    for db in "${PG_DBS[@]}"; do
        as_postgres "$TEMPORA_TEST_PG_BIN/psql" -X -q -h "$TEMPORA_TEST_PG_DATA" -p "$PG_PORT" -U postgres -d postgres \
            -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >&2 || log "could not drop database $db"
    done
    PG_DBS=()
}
