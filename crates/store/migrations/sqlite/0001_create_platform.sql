-- Organisation, accounts, sessions, API tokens, login throttling and the append-only audit log.
-- Timestamps are UTC text in one fixed format (YYYY-MM-DDTHH:MM:SS.ffffffZ) so they sort and
-- compare as text; ids are UUIDv7 as 16-byte blobs.

CREATE TABLE units (
    id          BLOB PRIMARY KEY NOT NULL,
    parent_id   BLOB REFERENCES units(id),
    kind        TEXT NOT NULL CHECK (kind IN ('municipality','administration','department','unit','team')),
    name        TEXT NOT NULL,
    -- name folded in Rust (full Unicode lower-case), for uniqueness among siblings
    name_key    TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
-- Sibling names are unique, and there is exactly one root (the municipality).
CREATE UNIQUE INDEX units_parent_name ON units (coalesce(parent_id, x''), name_key);
CREATE UNIQUE INDEX units_single_root ON units ((parent_id IS NULL)) WHERE parent_id IS NULL;

CREATE TABLE users (
    id             BLOB PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    password_hash  TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE grants (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL CHECK (role IN ('admin','leader','coordinator','caseworker','lawyer','viewer','panelist')),
    unit_id     BLOB NOT NULL REFERENCES units(id),
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, role, unit_id)
) STRICT;
CREATE INDEX grants_unit ON grants (unit_id);

CREATE TABLE sessions (
    id_hash       BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users(id),
    token_hash  BLOB NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE login_failures (
    id           BLOB PRIMARY KEY NOT NULL,
    username     TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);

CREATE TABLE audit_events (
    id              BLOB PRIMARY KEY NOT NULL,
    at              TEXT NOT NULL,
    actor_id        BLOB,
    actor_username  TEXT,
    action          TEXT NOT NULL,
    resource_kind   TEXT NOT NULL,
    resource_id     TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('success','failure','denied')),
    client_addr     TEXT,
    request_id      TEXT,
    details         TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_action ON audit_events (action, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
