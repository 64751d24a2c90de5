-- Version 5: a transition is written in one round trip. Its statements go in one batch without an explicit
-- transaction (PostgreSQL runs such a batch as one implicit transaction), so a condition that does not hold — the
-- shard's fencing token, the run's version, the current-run pointer — must raise an error inside the batch to roll
-- it back. tempora_require raises SQLSTATE TP001 with the condition's name as the message.
CREATE FUNCTION tempora_require(ok BOOLEAN, what TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = 'TP001', MESSAGE = what;
    END IF;
    RETURN TRUE;
END
$$;
