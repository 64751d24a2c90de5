-- Version 13: worker deployments (issue 26), per namespace. A deployment's row holds its routing: the current build id
-- (NULL: unversioned), the ramping build id (NULL: no ramp; '': the unversioned ramp) and percentage, when each last
-- changed, the conflict token clients echo (it moves only with routing changes), the last
-- modifier's identity, and the row version every write is conditional on. A version's row holds its status and
-- routing times, its drainage (status, changed and last checked times) and its metadata (a serialized
-- VersionMetadata); a task queue's row says which queue and task type (1 workflow, 2 activity, 3 Nexus) a version's
-- pollers registered.
CREATE TABLE worker_deployments (
    namespace_id TEXT NOT NULL,
    name TEXT NOT NULL,
    --
    create_time TIMESTAMPTZ NOT NULL,
    current_build_id TEXT,
    current_changed_time TIMESTAMPTZ,
    ramping_build_id TEXT,
    ramp_percentage REAL NOT NULL DEFAULT 0,
    ramping_changed_time TIMESTAMPTZ,
    ramp_percentage_changed_time TIMESTAMPTZ,
    routing_changed_time TIMESTAMPTZ NOT NULL,
    conflict_token BIGINT NOT NULL,
    last_modifier_identity TEXT,
    row_version BIGINT NOT NULL,
    PRIMARY KEY (namespace_id, name)
);
CREATE TABLE worker_deployment_versions (
    namespace_id TEXT NOT NULL,
    deployment_name TEXT NOT NULL,
    build_id TEXT NOT NULL,
    --
    create_time TIMESTAMPTZ NOT NULL,
    status INTEGER NOT NULL,
    routing_update_time TIMESTAMPTZ,
    current_since_time TIMESTAMPTZ,
    ramping_since_time TIMESTAMPTZ,
    ramp_percentage REAL NOT NULL DEFAULT 0,
    first_activation_time TIMESTAMPTZ,
    last_deactivation_time TIMESTAMPTZ,
    drainage_status INTEGER NOT NULL DEFAULT 0,
    drainage_changed_time TIMESTAMPTZ,
    drainage_checked_time TIMESTAMPTZ,
    metadata BYTEA,
    PRIMARY KEY (namespace_id, deployment_name, build_id)
);
CREATE TABLE worker_deployment_task_queues (
    namespace_id TEXT NOT NULL,
    deployment_name TEXT NOT NULL,
    build_id TEXT NOT NULL,
    task_queue TEXT NOT NULL,
    task_type INTEGER NOT NULL,
    --
    registered_time TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (namespace_id, deployment_name, build_id, task_queue, task_type)
);
