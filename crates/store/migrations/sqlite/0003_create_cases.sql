-- The case register: cases imported from the case systems' extracts, one row per (source,
-- external id), the record kept whole as JSON beside the columns that frames filter on.
-- No CPR number is ever stored: the person key is a keyed hash made before anything is written.

CREATE TABLE case_imports (
    id            BLOB PRIMARY KEY NOT NULL,
    source        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    new_cases     INTEGER NOT NULL,
    changed       INTEGER NOT NULL,
    unchanged     INTEGER NOT NULL,
    gone          INTEGER NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    id              BLOB PRIMARY KEY NOT NULL,
    source          TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    record          TEXT NOT NULL,
    record_sha256   TEXT NOT NULL,
    case_type       TEXT NOT NULL,
    unit            TEXT,
    caseworker      TEXT,
    area            TEXT,
    -- ISO dates (YYYY-MM-DD), comparable as text on both engines.
    measure_start   TEXT,
    measure_end     TEXT,
    -- Still in the newest extract of its source.
    present         INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
    first_import_id BLOB NOT NULL,
    last_import_id  BLOB NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (source, external_id)
) STRICT;
CREATE INDEX cases_frame ON cases (case_type, measure_start);

CREATE TABLE mapping_profiles (
    name        TEXT PRIMARY KEY NOT NULL,
    source      TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
