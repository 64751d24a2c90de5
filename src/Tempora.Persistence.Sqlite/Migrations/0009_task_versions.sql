-- Version 9: a backlog task of a run pinned to a worker deployment version (issue 26) keeps that version
-- ("deployment.build", NULL when the task is not pinned), so that after a restart or a shard's move it waits again in
-- that version's queue, as it did before.
ALTER TABLE tasks ADD COLUMN pinned_version TEXT;
