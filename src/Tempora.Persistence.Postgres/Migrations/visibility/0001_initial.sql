-- Tempora visibility schema (database `temporal_visibility`), version 1: the searchable summary of every run.
-- Rows arrive from the main database's visibility_tasks outbox, applied in order of version.
CREATE TABLE executions_visibility (
    namespace_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    --
    workflow_id TEXT NOT NULL,
    workflow_type_name TEXT NOT NULL,
    status INTEGER NOT NULL,
    start_time TIMESTAMPTZ NOT NULL,
    execution_time TIMESTAMPTZ NOT NULL,
    close_time TIMESTAMPTZ,
    task_queue TEXT NOT NULL,
    history_length BIGINT NOT NULL,
    history_size_bytes BIGINT NOT NULL,
    execution_duration BIGINT,
    state_transition_count BIGINT NOT NULL,
    parent_workflow_id TEXT,
    parent_run_id TEXT,
    root_workflow_id TEXT NOT NULL,
    root_run_id TEXT NOT NULL,
    memo BYTEA,
    search_attributes JSONB,
    version BIGINT NOT NULL,
    PRIMARY KEY (namespace_id, run_id)
);
-- The fixed list order: open runs first, then most recently closed; then start time; then run id.
CREATE INDEX executions_visibility_order ON executions_visibility
    (namespace_id, COALESCE(close_time, 'infinity') DESC, start_time DESC, run_id);
