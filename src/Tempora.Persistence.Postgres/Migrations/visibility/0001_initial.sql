-- Tempora visibility schema (database `temporal_visibility`), version 1: the searchable summary of every run.
-- Rows are written by the visibility role (issue 5); the table exists from the start so that the schema tool,
-- the start-up version check and operators' backups cover both databases the same way.
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
    history_length BIGINT,
    memo BYTEA,
    search_attributes JSONB,
    PRIMARY KEY (namespace_id, run_id)
);
