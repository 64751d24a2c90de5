-- Version 2: shard leases. Executions hash into num_history_shards shards (fixed at the first start); a process owns
-- a shard while its lease is fresh, and range_id is the fencing token: taking a shard over increments it, and every
-- write checks it in its own transaction (under FOR KEY SHARE, which the takeover's FOR UPDATE waits for).
CREATE TABLE cluster_metadata (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    --
    num_history_shards INTEGER NOT NULL
);

CREATE TABLE shards (
    shard_id INTEGER NOT NULL PRIMARY KEY,
    --
    range_id BIGINT NOT NULL,
    owner TEXT,
    lease_expires_at TIMESTAMPTZ
);
