-- Version 3: the visibility outbox. Visibility lives in its own database, so a transition cannot write it in its
-- own transaction; it enqueues the new row here instead (same transaction), and the visibility processor applies
-- the queue to temporal_visibility in order and deletes what it applied. data NULL means "delete the row".
CREATE TABLE visibility_tasks (
    task_id BIGSERIAL PRIMARY KEY,
    --
    namespace_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    data BYTEA
);

-- JSON object: custom search attribute name -> type name (Keyword, Text, Int, Double, Bool, Datetime, KeywordList).
ALTER TABLE namespaces ADD COLUMN custom_search_attributes TEXT NOT NULL DEFAULT '{}';
