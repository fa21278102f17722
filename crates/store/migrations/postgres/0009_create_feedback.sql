-- Feedback around a round: its meetings (information before, results after, stop-op), the
-- cases a results meeting uses as examples, each caseworker's written feedback with their
-- acknowledgement and answer, and the caseworkers' consent to a case being used as an example.

CREATE TABLE round_meetings (
    id               UUID PRIMARY KEY NOT NULL,
    round_id         UUID NOT NULL REFERENCES rounds(id),
    kind             TEXT NOT NULL CHECK (kind IN ('information','results','stop_op')),
    held_on          TEXT NOT NULL,
    -- Names as a JSON array of strings.
    participants     TEXT NOT NULL DEFAULT '[]',
    key_points       TEXT NOT NULL,
    created_by       UUID,
    created_by_name  TEXT,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX round_meetings_round ON round_meetings (round_id, held_on);

-- A case of the round presented as an example. Shown only while its caseworker's consent
-- stands (example_consents), so a withdrawal takes effect without deleting anything.
CREATE TABLE meeting_examples (
    id               UUID PRIMARY KEY NOT NULL,
    meeting_id       UUID NOT NULL REFERENCES round_meetings(id),
    -- The case key as the round shows it (never a CPR number).
    case_key         TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    added_by_name    TEXT,
    added_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, case_key)
);

-- One written feedback per caseworker (as the case records name them, lower-cased) and round.
CREATE TABLE caseworker_feedback (
    id               UUID PRIMARY KEY NOT NULL,
    round_id         UUID NOT NULL REFERENCES rounds(id),
    caseworker       TEXT NOT NULL,
    body             TEXT NOT NULL,
    written_by       UUID,
    written_by_name  TEXT,
    written_at       TIMESTAMPTZ NOT NULL,
    acknowledged_at  TIMESTAMPTZ,
    answer           TEXT NOT NULL DEFAULT '',
    answered_at      TIMESTAMPTZ,
    -- Bumped by every change, so a change made on a stale page is refused, not lost.
    version          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (round_id, caseworker)
);

-- The caseworker's standing answer per case of a round; its history is in the audit log.
CREATE TABLE example_consents (
    round_id         UUID NOT NULL REFERENCES rounds(id),
    case_key         TEXT NOT NULL,
    caseworker       TEXT NOT NULL,
    given            BOOLEAN NOT NULL,
    changed_by_name  TEXT,
    changed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, case_key)
);
