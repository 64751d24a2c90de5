-- Version 7: the Nexus endpoint registry, cluster-wide. One row per endpoint: its id (a UUID), its name (unique), the
-- version each write expects and increments, its target — a worker target (namespace id and task queue) or an
-- external one (a URL), never both —, its description (a serialized Payload, NULL when none), when it was created and
-- last modified (unix milliseconds; NULL until the first update). The target namespace is indexed: a namespace an
-- endpoint targets may not be deleted.
CREATE TABLE nexus_endpoints (
    id TEXT NOT NULL PRIMARY KEY,
    --
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    target_namespace_id TEXT,
    target_task_queue TEXT,
    target_url TEXT,
    description BLOB,
    created_time INTEGER NOT NULL,
    last_modified_time INTEGER,
    CHECK ((target_namespace_id IS NOT NULL AND target_task_queue IS NOT NULL AND target_url IS NULL)
        OR (target_namespace_id IS NULL AND target_task_queue IS NULL AND target_url IS NOT NULL))
);
CREATE UNIQUE INDEX nexus_endpoints_by_name ON nexus_endpoints (name);
CREATE INDEX nexus_endpoints_by_target_namespace ON nexus_endpoints (target_namespace_id);
