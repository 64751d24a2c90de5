-- Version 2: visibility (the searchable summary of every run) and custom search attributes per namespace.
-- Times are unix microseconds (UTC); close_time and execution_duration (ns) are NULL while the run is open.
CREATE TABLE executions_visibility (
    namespace_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    --
    workflow_id TEXT NOT NULL,
    workflow_type_name TEXT NOT NULL,
    status INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    execution_time INTEGER NOT NULL,
    close_time INTEGER,
    task_queue TEXT NOT NULL,
    history_length INTEGER NOT NULL,
    history_size_bytes INTEGER NOT NULL,
    execution_duration INTEGER,
    state_transition_count INTEGER NOT NULL,
    parent_workflow_id TEXT,
    parent_run_id TEXT,
    root_workflow_id TEXT NOT NULL,
    root_run_id TEXT NOT NULL,
    memo BLOB,
    search_attributes TEXT,
    version INTEGER NOT NULL,
    PRIMARY KEY (namespace_id, run_id)
);
-- The fixed list order: open runs first, then most recently closed; then start time; then run id.
CREATE INDEX executions_visibility_order ON executions_visibility
    (namespace_id, COALESCE(close_time, 9223372036854775807) DESC, start_time DESC, run_id);

-- JSON object: custom search attribute name -> type name (Keyword, Text, Int, Double, Bool, Datetime, KeywordList).
ALTER TABLE namespaces ADD COLUMN custom_search_attributes TEXT NOT NULL DEFAULT '{}';
