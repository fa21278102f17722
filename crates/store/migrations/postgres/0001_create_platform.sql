-- Organisation, accounts, sessions, API tokens, login throttling and the append-only audit log.

CREATE TABLE units (
    id          UUID PRIMARY KEY,
    parent_id   UUID REFERENCES units(id),
    kind        TEXT NOT NULL CHECK (kind IN ('municipality','administration','department','unit','team')),
    name        TEXT NOT NULL,
    -- name folded in Rust (full Unicode lower-case), for uniqueness among siblings
    name_key    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX units_parent_name ON units (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name_key);
CREATE UNIQUE INDEX units_single_root ON units ((parent_id IS NULL)) WHERE parent_id IS NULL;

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    password_hash  TEXT,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE grants (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL CHECK (role IN ('admin','leader','coordinator','caseworker','lawyer','viewer','panelist')),
    unit_id     UUID NOT NULL REFERENCES units(id),
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, role, unit_id)
);
CREATE INDEX grants_unit ON grants (unit_id);

CREATE TABLE sessions (
    id_hash       BYTEA PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users(id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    token_hash  BYTEA NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_failures (
    id           UUID PRIMARY KEY,
    username     TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);

CREATE TABLE audit_events (
    id              UUID PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL,
    actor_id        UUID,
    actor_username  TEXT,
    action          TEXT NOT NULL,
    resource_kind   TEXT NOT NULL,
    resource_id     TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('success','failure','denied')),
    client_addr     TEXT,
    request_id      TEXT,
    details         TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_action ON audit_events (action, at);

-- Append-only, also for a superuser connection (REVOKE would not bind the owner).
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
