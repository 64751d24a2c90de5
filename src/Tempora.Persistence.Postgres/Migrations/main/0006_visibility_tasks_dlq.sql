-- Version 6: the visibility outbox's dead-letter queue. A row the visibility database refuses (a data error: a
-- string jsonb or text cannot hold, a value out of range) is moved here with the error, in the transaction that
-- takes it off visibility_tasks, so that it is not retried forever ahead of every row after it. Inspect it with
-- SELECT; delete it once handled (the run's next visibility change writes a fresh row anyway).
CREATE TABLE visibility_tasks_dlq (
    task_id BIGINT NOT NULL PRIMARY KEY,
    --
    namespace_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    data BYTEA,
    error TEXT NOT NULL,
    parked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
