-- Tempora main schema (database `temporal`), version 1. Same tables as the SQLite schema; key columns first.

CREATE TABLE namespaces (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    --
    info BYTEA NOT NULL,
    config BYTEA NOT NULL
);

CREATE TABLE executions (
    namespace_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    --
    db_version BIGINT NOT NULL,
    next_event_id BIGINT NOT NULL,
    status INTEGER NOT NULL,
    state BYTEA NOT NULL,
    PRIMARY KEY (namespace_id, workflow_id, run_id)
);

CREATE TABLE current_executions (
    namespace_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    --
    run_id TEXT NOT NULL,
    create_request_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    first_execution_run_id TEXT NOT NULL,
    PRIMARY KEY (namespace_id, workflow_id)
);

-- One row per batch of events written by one transaction; data is a serialized temporal.api.history.v1.History.
CREATE TABLE history_node (
    namespace_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    first_event_id BIGINT NOT NULL,
    --
    last_event_id BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (namespace_id, workflow_id, run_id, first_event_id)
);

-- Durable timers: user timers, timeouts, retries. Deleted by the transition that handles them.
CREATE TABLE timer_tasks (
    task_id BIGINT NOT NULL PRIMARY KEY,
    --
    fire_time TIMESTAMPTZ NOT NULL,
    namespace_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX timer_tasks_by_run ON timer_tasks (namespace_id, workflow_id, run_id);

-- Matching backlog: workflow and activity tasks not yet started by a worker.
CREATE TABLE tasks (
    task_id BIGINT NOT NULL PRIMARY KEY,
    --
    namespace_id TEXT NOT NULL,
    task_queue TEXT NOT NULL,
    task_type INTEGER NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    scheduled_event_id BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    created_time TIMESTAMPTZ NOT NULL
);
CREATE INDEX tasks_by_run ON tasks (namespace_id, workflow_id, run_id);
