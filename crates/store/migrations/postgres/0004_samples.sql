-- Drawn samples (udtræk): the inputs that make a draw repeatable (algorithm, seed, frame,
-- strata, allocation, level sizes, the fingerprint of the register it was drawn from) and its
-- result with the explanation per stratum. Never changed once written.

CREATE TABLE samples (
    id               UUID PRIMARY KEY,
    algorithm        TEXT NOT NULL,
    -- The u64 seed as decimal text: it does not fit a signed 64-bit column.
    seed             TEXT NOT NULL,
    spec             TEXT NOT NULL,
    level_sizes      TEXT NOT NULL,
    -- The units the frame was limited to (JSON list of names; empty = the whole register).
    scope            TEXT NOT NULL,
    register_sha256  TEXT NOT NULL,
    eligible         BIGINT NOT NULL,
    result           TEXT NOT NULL,
    created_by       UUID,
    created_by_name  TEXT,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION samples_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'samples are immutable';
END;
$$;
CREATE TRIGGER samples_immutable_update BEFORE UPDATE ON samples
    FOR EACH ROW EXECUTE FUNCTION samples_immutable();

-- The sampler reads the whole register, so this index only cost time: inserting a million
-- cases into it in random order made a SQLite import three times slower.
DROP INDEX cases_frame;
