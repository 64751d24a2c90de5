-- Version 8: schedules. One row per schedule: its state (owned by the worker role, opaque here), the version each
-- write expects and increments, when its owner must look at it next (NULL: only a request wakes it), and the shard
-- of its scheduler key, whose owner drives it. visibility_run_id is the run id of the visibility row the schedule is
-- listed through (NULL until one is written), so that deleting the schedule enqueues the deletion of that row.
CREATE TABLE schedules (
    namespace_id TEXT NOT NULL,
    schedule_id TEXT NOT NULL,
    --
    shard_id INTEGER NOT NULL,
    version BIGINT NOT NULL,
    next_wake_time TIMESTAMPTZ,
    visibility_run_id TEXT,
    state BYTEA NOT NULL,
    PRIMARY KEY (namespace_id, schedule_id)
);
CREATE INDEX schedules_by_shard ON schedules (shard_id);
