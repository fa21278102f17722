-- Reports as frozen snapshots (what went into a report, so it can be reproduced exactly), and
-- national reference values (Ankestyrelsen's Børnesagsbarometer) as data with year and source.

CREATE TABLE reports (
    id               BLOB PRIMARY KEY NOT NULL,
    round_id         BLOB NOT NULL REFERENCES rounds(id),
    -- committee, management, analyst or caseworker:USERNAME
    audience         TEXT NOT NULL,
    -- The report model (domain::report::Report) as JSON; every output renders from it.
    snapshot         TEXT NOT NULL,
    -- SHA-256 of the snapshot, printed in the report so a copy can be checked against it.
    fingerprint      TEXT NOT NULL,
    created_by       BLOB REFERENCES users(id),
    created_by_name  TEXT,
    created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX reports_round ON reports (round_id, created_at);

CREATE TABLE reference_values (
    item_key   TEXT NOT NULL,
    -- The year the figure belongs to (the last year of a combined period).
    year       INTEGER NOT NULL,
    period     TEXT NOT NULL,
    measure_da TEXT NOT NULL,
    measure_en TEXT NOT NULL,
    -- Share 0–1.
    share      REAL NOT NULL CHECK (share >= 0 AND share <= 1),
    source     TEXT NOT NULL,
    PRIMARY KEY (item_key, year)
) STRICT;

-- Børnesagsbarometret (domain.md § 1.6). Measured under serviceloven on Ankestyrelsen's own
-- sample: not directly comparable with a municipality's own review, and labelled so.
INSERT INTO reference_values (item_key, year, period, measure_da, measure_en, share, source) VALUES
 ('BL.BFU.FRIST_4M', 2023, '2023', 'Børnefaglig undersøgelse afsluttet inden for 4 måneder', 'Child assessment completed within 4 months', 0.34, 'Ankestyrelsen, Børnesagsbarometret 2023'),
 ('BL.BFU.FRIST_4M', 2024, '2024', 'Børnefaglig undersøgelse afsluttet inden for 4 måneder', 'Child assessment completed within 4 months', 0.50, 'Ankestyrelsen, Børnesagsbarometret 2024'),
 ('BL.UND.VURDERING_24T', 2022, '2020-22', 'Underretning vurderet inden for 24 timer', 'Notification assessed within 24 hours', 0.92, 'Ankestyrelsen, Børnesagsbarometret 2020-2022'),
 ('BL.UND.VURDERING_24T', 2023, '2023', 'Underretning vurderet inden for 24 timer', 'Notification assessed within 24 hours', 0.96, 'Ankestyrelsen, Børnesagsbarometret 2023'),
 ('BL.INDD.BOERNESAMTALE', 2022, '2020-22', 'Samtale med barnet før afgørelse', 'Conversation with the child before the decision', 0.57, 'Ankestyrelsen, Børnesagsbarometret 2020-2022'),
 ('BL.INDD.BOERNESAMTALE', 2023, '2023', 'Samtale med barnet før afgørelse om støtte', 'Conversation with the child before a support decision', 0.61, 'Ankestyrelsen, Børnesagsbarometret 2023'),
 ('BL.INDD.BOERNESAMTALE', 2024, '2024', 'Samtale med barnet før afgørelse', 'Conversation with the child before the decision', 0.65, 'Ankestyrelsen, Børnesagsbarometret 2024'),
 ('BL.OPF.FOERSTE_3M', 2022, '2020-22', 'Første opfølgning inden for 3 måneder', 'First follow-up within 3 months', 0.50, 'Ankestyrelsen, Børnesagsbarometret 2020-2022'),
 ('BL.OPF.FOERSTE_3M', 2024, '2024', 'Første opfølgning inden for 3 måneder', 'First follow-up within 3 months', 0.75, 'Ankestyrelsen, Børnesagsbarometret 2024');
