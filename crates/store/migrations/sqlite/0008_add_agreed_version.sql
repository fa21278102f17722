-- Agreed answers count their replacements, so a round's data stamp (what its cached results
-- are checked against) changes with every replacement, whatever the clocks say.
ALTER TABLE agreed_answers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
