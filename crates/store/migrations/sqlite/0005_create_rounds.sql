-- Rounds (tilsynsrunder): the plan, the cases drawn for it, one review per case and level,
-- the answers (one row per item, versioned so two saves never silently overwrite each other),
-- agreed answers after reconciliation, escalations and the caseworkers' replies.

CREATE TABLE rounds (
    id                   BLOB PRIMARY KEY NOT NULL,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('broad','thematic','continuous')),
    state                TEXT NOT NULL CHECK (state IN ('draft','sampled','reviewing','analysing','reporting','closed')),
    template_version_id  BLOB NOT NULL REFERENCES template_versions(id),
    sample_id            BLOB REFERENCES samples(id),
    plan                 TEXT NOT NULL,
    -- Unit names the round covers (JSON list; empty = the whole register).
    scope                TEXT NOT NULL,
    created_by           BLOB REFERENCES users(id),
    created_by_name      TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;

CREATE TABLE round_cases (
    round_id    BLOB NOT NULL REFERENCES rounds(id),
    case_key    TEXT NOT NULL,
    -- The deepest level the case is in (1 to 3).
    depth       INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 3),
    -- The case as registered when it was drawn: reviews read these facts, not later imports.
    record      TEXT NOT NULL,
    unit        TEXT,
    caseworker  TEXT,
    PRIMARY KEY (round_id, case_key)
) STRICT;

CREATE TABLE reviews (
    id            BLOB PRIMARY KEY NOT NULL,
    round_id      BLOB NOT NULL REFERENCES rounds(id),
    case_key      TEXT NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    reviewer_id   BLOB REFERENCES users(id),
    -- Others taking part (the caseworker, a lawyer's sparring): JSON list of user ids.
    participants  TEXT NOT NULL DEFAULT '[]',
    due           TEXT,
    status        TEXT NOT NULL CHECK (status IN ('open','submitted')),
    -- Sections marked "ikke relevant": JSON object section key → reason.
    marks         TEXT NOT NULL DEFAULT '{}',
    answered      INTEGER NOT NULL DEFAULT 0,
    applicable    INTEGER NOT NULL DEFAULT 0,
    -- Bumped by every change, so a submit knows it saw the latest answers.
    version       INTEGER NOT NULL DEFAULT 0,
    submitted_at  TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (round_id, case_key, level)
) STRICT;
CREATE INDEX reviews_reviewer ON reviews (reviewer_id);

CREATE TABLE answers (
    review_id        BLOB NOT NULL REFERENCES reviews(id),
    item_key         TEXT NOT NULL,
    value            TEXT NOT NULL,
    remark           TEXT NOT NULL,
    -- The answer a date rule suggested, when there was one.
    prefill          TEXT,
    override_reason  TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL,
    updated_by       BLOB,
    updated_by_name  TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (review_id, item_key)
) STRICT;

CREATE TABLE agreed_answers (
    round_id         BLOB NOT NULL REFERENCES rounds(id),
    case_key         TEXT NOT NULL,
    item_key         TEXT NOT NULL,
    value            TEXT NOT NULL,
    note             TEXT NOT NULL,
    decided_by       BLOB,
    decided_by_name  TEXT,
    decided_at       TEXT NOT NULL,
    PRIMARY KEY (round_id, case_key, item_key)
) STRICT;

CREATE TABLE escalations (
    id            BLOB PRIMARY KEY NOT NULL,
    round_id      BLOB NOT NULL REFERENCES rounds(id),
    case_key      TEXT NOT NULL,
    review_id     BLOB REFERENCES reviews(id),
    reason        TEXT NOT NULL,
    owner_id      BLOB REFERENCES users(id),
    due           TEXT NOT NULL,
    created_by    BLOB,
    created_by_name TEXT,
    created_at    TEXT NOT NULL,
    closed_at     TEXT,
    closed_by_name TEXT,
    closing_note  TEXT
) STRICT;
CREATE INDEX escalations_owner ON escalations (owner_id);

CREATE TABLE replies (
    id           BLOB PRIMARY KEY NOT NULL,
    round_id     BLOB NOT NULL REFERENCES rounds(id),
    case_key     TEXT NOT NULL,
    author_id    BLOB,
    author_name  TEXT,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX replies_case ON replies (round_id, case_key);
