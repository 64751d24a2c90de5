-- Version 4: several active replicas. Each process registers here with the gRPC address its peers forward requests
-- to, and renews the row with its shard leases; the live rows decide how the shards are split. Task ids come from
-- blocks of this sequence (block << 32 onwards), so that replicas never hand out the same id.
CREATE TABLE cluster_members (
    owner TEXT NOT NULL PRIMARY KEY,
    --
    address TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE task_id_blocks;
