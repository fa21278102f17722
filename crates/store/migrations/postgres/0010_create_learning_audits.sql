-- Learning audits (lærende audit): the audit with its chosen indicators and reflection
-- questions, the organisations and the panel, the material, each participant's nominations
-- with their reflections, and what the meeting agreed per indicator. The follow-up plan is
-- actions that point to the audit instead of a round.

CREATE TABLE learning_audits (
    id               UUID PRIMARY KEY NOT NULL,
    code             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    framework        TEXT NOT NULL,
    theme            INTEGER NOT NULL,
    purpose          TEXT NOT NULL DEFAULT '',
    -- The reflection questions as a JSON array of strings, in their order.
    questions        TEXT NOT NULL,
    created_by_name  TEXT,
    created_at       TIMESTAMPTZ NOT NULL
);

-- Every indicator of the audit's theme: included, or left out with the reason.
CREATE TABLE learning_audit_indicators (
    audit_id   UUID NOT NULL REFERENCES learning_audits(id),
    code       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    included   BOOLEAN NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    -- What the meeting agreed; versioned so two note-takers do not overwrite each other.
    notes           TEXT NOT NULL DEFAULT '',
    recommendation  TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    updated_by_name TEXT,
    PRIMARY KEY (audit_id, code)
);

CREATE TABLE learning_audit_organisations (
    id        UUID PRIMARY KEY NOT NULL,
    audit_id  UUID NOT NULL REFERENCES learning_audits(id),
    name      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    UNIQUE (audit_id, name)
);

CREATE TABLE learning_audit_members (
    audit_id         UUID NOT NULL REFERENCES learning_audits(id),
    user_id          UUID NOT NULL REFERENCES users(id),
    organisation_id  UUID REFERENCES learning_audit_organisations(id),
    panel_role       TEXT NOT NULL CHECK (panel_role IN ('facilitator','referent','member','participant')),
    PRIMARY KEY (audit_id, user_id)
);

-- A report or practice description: an uploaded file (kept here, never on a path a name
-- could choose) or a reference to where it is kept.
CREATE TABLE learning_audit_materials (
    id               UUID PRIMARY KEY NOT NULL,
    audit_id         UUID NOT NULL REFERENCES learning_audits(id),
    organisation_id  UUID NOT NULL REFERENCES learning_audit_organisations(id),
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('report','practice','other')),
    reference        TEXT NOT NULL DEFAULT '',
    file_name        TEXT,
    content_type     TEXT,
    size             BIGINT,
    sha256           TEXT,
    content          BYTEA,
    only_indicator   TEXT,
    added_by_name    TEXT,
    added_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX learning_audit_materials_audit ON learning_audit_materials (audit_id);

-- One participant's best example for one indicator, with the answers to the reflection
-- questions (a JSON array in the questions' order).
CREATE TABLE learning_audit_nominations (
    audit_id     UUID NOT NULL REFERENCES learning_audits(id),
    user_id      UUID NOT NULL REFERENCES users(id),
    indicator    TEXT NOT NULL,
    material_id  UUID NOT NULL REFERENCES learning_audit_materials(id),
    excerpt      TEXT NOT NULL DEFAULT '',
    answers      TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (audit_id, user_id, indicator)
);

CREATE TABLE learning_audit_points (
    id               UUID PRIMARY KEY NOT NULL,
    audit_id         UUID NOT NULL REFERENCES learning_audits(id),
    indicator        TEXT NOT NULL,
    heading          TEXT NOT NULL,
    point            TEXT NOT NULL,
    created_by_name  TEXT,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX learning_audit_points_audit ON learning_audit_points (audit_id);

ALTER TABLE actions ADD COLUMN learning_audit_id UUID REFERENCES learning_audits(id);
CREATE INDEX actions_learning_audit ON actions (learning_audit_id);
