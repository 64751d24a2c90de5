-- Version 3: task rows carry their shard, so that loading one shard's tasks reads only its rows, and transfer tasks
-- (work on another run: start a child, notify a parent, parent close policy, signal or cancel a workflow) get a table
-- apart from timers. Rows written before keep shard_id 0 here: the shard is an FNV-1a hash SQL cannot compute, so the
-- server assigns it, and moves the transfer kinds out of timer_tasks, when it starts (UpgradeLegacyTasksAsync).
ALTER TABLE timer_tasks ADD COLUMN shard_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX timer_tasks_by_shard ON timer_tasks (shard_id, fire_time, task_id);

ALTER TABLE tasks ADD COLUMN shard_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_by_shard ON tasks (shard_id, task_id);

CREATE TABLE transfer_tasks (
    task_id INTEGER NOT NULL PRIMARY KEY,
    --
    shard_id INTEGER NOT NULL,
    namespace_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX transfer_tasks_by_shard ON transfer_tasks (shard_id, task_id);
CREATE INDEX transfer_tasks_by_run ON transfer_tasks (namespace_id, workflow_id, run_id);
