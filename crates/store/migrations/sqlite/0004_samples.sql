-- Drawn samples (udtræk): the inputs that make a draw repeatable (algorithm, seed, frame,
-- strata, allocation, level sizes, the fingerprint of the register it was drawn from) and its
-- result with the explanation per stratum. Never changed once written.

CREATE TABLE samples (
    id               BLOB PRIMARY KEY NOT NULL,
    algorithm        TEXT NOT NULL,
    -- The u64 seed as decimal text: it does not fit a signed 64-bit column.
    seed             TEXT NOT NULL,
    spec             TEXT NOT NULL,
    level_sizes      TEXT NOT NULL,
    -- The units the frame was limited to (JSON list of names; empty = the whole register).
    scope            TEXT NOT NULL,
    register_sha256  TEXT NOT NULL,
    eligible         INTEGER NOT NULL,
    result           TEXT NOT NULL,
    created_by       BLOB,
    created_by_name  TEXT,
    created_at       TEXT NOT NULL
) STRICT;

CREATE TRIGGER samples_immutable_update BEFORE UPDATE ON samples
BEGIN
    SELECT RAISE(ABORT, 'samples are immutable');
END;

-- The sampler reads the whole register, so this index only cost time: inserting a million
-- cases into it in random order made a SQLite import three times slower.
DROP INDEX cases_frame;
