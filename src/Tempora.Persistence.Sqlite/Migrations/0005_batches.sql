-- Version 5: batch operations. One row per batch: its state (Temporal's BatchOperationState number, to count and load
-- the running ones), the version each write expects and increments, its start time (lists are newest first), when a
-- closed batch expires (unix milliseconds; NULL while running), the shard of its job id, whose owner runs it, and its
-- data (owned by the worker role, opaque here). batch_items holds the executions a batch applies to, in order, with
-- each one's outcome (0 not done yet, 1 done, 2 failed) and, for a failure, its message.
CREATE TABLE batches (
    namespace_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    --
    shard_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    state INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    expire_time INTEGER,
    data BLOB NOT NULL,
    PRIMARY KEY (namespace_id, job_id)
);
CREATE INDEX batches_by_shard ON batches (shard_id, state);
CREATE INDEX batches_by_start ON batches (namespace_id, start_time DESC, job_id);

CREATE TABLE batch_items (
    namespace_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    --
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    message TEXT,
    PRIMARY KEY (namespace_id, job_id, seq)
);
