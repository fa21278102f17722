-- Follow-up actions (tiltag) of a round: owner, due date, status with its reason, the evidence
-- that one was done, links to questions, sections, units, a recommendation or an escalation,
-- and whether the linked questions are to be reviewed again in a later round.

CREATE TABLE actions (
    id               UUID PRIMARY KEY NOT NULL,
    -- The round that decided it (a learning audit's follow-up plan will have none).
    round_id         UUID REFERENCES rounds(id),
    description      TEXT NOT NULL,
    owner_id         UUID NOT NULL REFERENCES users(id),
    due              TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('planned','in_progress','done','dropped')),
    status_reason    TEXT NOT NULL DEFAULT '',
    evidence         TEXT NOT NULL DEFAULT '',
    -- domain::action::ActionLinks as JSON.
    links            TEXT NOT NULL DEFAULT '{}',
    reaudit          BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped by every change, so a change made on a stale page is refused, not lost.
    version          INTEGER NOT NULL DEFAULT 0,
    created_by       UUID,
    created_by_name  TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_by_name  TEXT,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX actions_round ON actions (round_id);
CREATE INDEX actions_owner ON actions (owner_id);
