-- Version 11: the secret replicas prove themselves to each other with (header tempora-cluster-secret) when none is
-- configured. The first process to start stores a random one; every other reads it. Whoever can read this table can
-- act as a replica, as whoever can write the other tables can change any workflow.
CREATE TABLE cluster_secrets (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    --
    secret TEXT NOT NULL
);
