-- The case register: cases imported from the case systems' extracts, one row per (source,
-- external id), the record kept whole as JSON beside the columns that frames filter on.
-- No CPR number is ever stored: the person key is a keyed hash made before anything is written.

CREATE TABLE case_imports (
    id            UUID PRIMARY KEY,
    source        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    rows_read     BIGINT NOT NULL,
    new_cases     BIGINT NOT NULL,
    changed       BIGINT NOT NULL,
    unchanged     BIGINT NOT NULL,
    gone          BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE cases (
    id              UUID PRIMARY KEY,
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
    present         BOOLEAN NOT NULL DEFAULT TRUE,
    first_import_id UUID NOT NULL,
    last_import_id  UUID NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX cases_frame ON cases (case_type, measure_start);

CREATE TABLE mapping_profiles (
    name        TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
