-- Question frameworks: templates, their versions (content as one JSON document, immutable once
-- published) and an index of items and legal references for listing and search.

CREATE TABLE templates (
    id                 BLOB PRIMARY KEY NOT NULL,
    key                TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('compliance','thematic','quality_model','theme_spots')),
    -- Standard content shipped with tilsyn: usable, never editable (the national template's version A).
    locked             INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    -- The version this template was copied from ("copy to own template").
    parent_version_id  BLOB,
    created_at         TEXT NOT NULL
) STRICT;

CREATE TABLE template_versions (
    id                 BLOB PRIMARY KEY NOT NULL,
    template_id        BLOB NOT NULL REFERENCES templates(id),
    number             INTEGER NOT NULL CHECK (number > 0),
    status             TEXT NOT NULL CHECK (status IN ('draft','published','retired')),
    title              TEXT NOT NULL,
    content            TEXT NOT NULL,
    content_sha256     TEXT NOT NULL,
    -- The version this one was derived from: the previous version, or the copied original.
    parent_version_id  BLOB REFERENCES template_versions(id),
    created_at         TEXT NOT NULL,
    published_at       TEXT,
    retired_at         TEXT,
    UNIQUE (template_id, number)
) STRICT;
CREATE UNIQUE INDEX template_versions_one_draft ON template_versions (template_id) WHERE status = 'draft';

CREATE TABLE template_items (
    version_id   BLOB NOT NULL REFERENCES template_versions(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    key          TEXT NOT NULL,
    section_key  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    scale_kind   TEXT NOT NULL,
    bearing      TEXT,
    text_da      TEXT NOT NULL,
    -- Lower-cased key, texts and criteria, for search.
    search       TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
) STRICT;
CREATE INDEX template_items_key ON template_items (key);

CREATE TABLE template_item_refs (
    version_id   BLOB NOT NULL,
    item_key     TEXT NOT NULL,
    law          TEXT NOT NULL,
    paragraph    TEXT NOT NULL,
    stk          TEXT,
    FOREIGN KEY (version_id, item_key) REFERENCES template_items (version_id, key) ON DELETE CASCADE
) STRICT;
CREATE INDEX template_item_refs_paragraph ON template_item_refs (paragraph);

-- A published version never changes: only draft → published → retired, and content only while
-- a draft. Enforced here as well as in the code, so no path (UI, API, CLI, SQL) can get round it.
CREATE TRIGGER template_versions_frozen BEFORE UPDATE ON template_versions
WHEN OLD.status <> 'draft' AND (
    NEW.content IS NOT OLD.content OR NEW.title IS NOT OLD.title
    OR NEW.template_id IS NOT OLD.template_id OR NEW.number IS NOT OLD.number
    OR NEW.parent_version_id IS NOT OLD.parent_version_id
    OR NEW.status = 'draft' OR (OLD.status = 'retired' AND NEW.status <> 'retired'))
BEGIN
    SELECT RAISE(ABORT, 'published template versions are immutable');
END;
CREATE TRIGGER template_versions_keep BEFORE DELETE ON template_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published template versions are immutable');
END;
CREATE TRIGGER template_items_frozen_insert BEFORE INSERT ON template_items
WHEN (SELECT status FROM template_versions WHERE id = NEW.version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published template versions are immutable');
END;
CREATE TRIGGER template_items_frozen_change BEFORE UPDATE ON template_items
WHEN (SELECT status FROM template_versions WHERE id = OLD.version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published template versions are immutable');
END;
CREATE TRIGGER template_items_frozen_delete BEFORE DELETE ON template_items
WHEN (SELECT status FROM template_versions WHERE id = OLD.version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published template versions are immutable');
END;
