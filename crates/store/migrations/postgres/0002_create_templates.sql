-- Question frameworks: templates, their versions (content as one JSON document, immutable once
-- published) and an index of items and legal references for listing and search.

CREATE TABLE templates (
    id                 UUID PRIMARY KEY,
    key                TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('compliance','thematic','quality_model','theme_spots')),
    -- Standard content shipped with tilsyn: usable, never editable (the national template's version A).
    locked             BOOLEAN NOT NULL DEFAULT FALSE,
    -- The version this template was copied from ("copy to own template").
    parent_version_id  UUID,
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE template_versions (
    id                 UUID PRIMARY KEY,
    template_id        UUID NOT NULL REFERENCES templates(id),
    number             INTEGER NOT NULL CHECK (number > 0),
    status             TEXT NOT NULL CHECK (status IN ('draft','published','retired')),
    title              TEXT NOT NULL,
    content            TEXT NOT NULL,
    content_sha256     TEXT NOT NULL,
    -- The version this one was derived from: the previous version, or the copied original.
    parent_version_id  UUID REFERENCES template_versions(id),
    created_at         TIMESTAMPTZ NOT NULL,
    published_at       TIMESTAMPTZ,
    retired_at         TIMESTAMPTZ,
    UNIQUE (template_id, number)
);
CREATE UNIQUE INDEX template_versions_one_draft ON template_versions (template_id) WHERE status = 'draft';

CREATE TABLE template_items (
    version_id   UUID NOT NULL REFERENCES template_versions(id) ON DELETE CASCADE,
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
);
CREATE INDEX template_items_key ON template_items (key);

CREATE TABLE template_item_refs (
    version_id   UUID NOT NULL,
    item_key     TEXT NOT NULL,
    law          TEXT NOT NULL,
    paragraph    TEXT NOT NULL,
    stk          TEXT,
    FOREIGN KEY (version_id, item_key) REFERENCES template_items (version_id, key) ON DELETE CASCADE
);
CREATE INDEX template_item_refs_paragraph ON template_item_refs (paragraph);

-- A published version never changes: only draft → published → retired, and content only while
-- a draft. Enforced here as well as in the code, so no path (UI, API, CLI, SQL) can get round it.
CREATE FUNCTION template_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'published template versions are immutable';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.content IS DISTINCT FROM OLD.content OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.template_id IS DISTINCT FROM OLD.template_id OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.parent_version_id IS DISTINCT FROM OLD.parent_version_id
        OR NEW.status = 'draft' OR (OLD.status = 'retired' AND NEW.status <> 'retired')) THEN
        RAISE EXCEPTION 'published template versions are immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER template_versions_frozen BEFORE UPDATE OR DELETE ON template_versions
    FOR EACH ROW EXECUTE FUNCTION template_versions_frozen();

CREATE FUNCTION template_items_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v UUID;
BEGIN
    IF TG_OP = 'INSERT' THEN v := NEW.version_id; ELSE v := OLD.version_id; END IF;
    IF (SELECT status FROM template_versions WHERE id = v) <> 'draft' THEN
        RAISE EXCEPTION 'published template versions are immutable';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER template_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON template_items
    FOR EACH ROW EXECUTE FUNCTION template_items_frozen();
