-- What readers see of each article in each language: the last version of
-- it that was published. `versions` holds the newest translation, which may
-- be `held` (the publishing policy, or an editor's hold, keeps it for
-- review); a held version never replaces what readers see, so a revised
-- article's earlier translation stays up (with a note that the original
-- changed) until an editor approves the new one. Written in the same
-- transaction as the version it copies (warta-store's versions.rs).
-- `corrected_at`: when a published text was replaced by another of the same
-- source revision (a correction, shown to readers with its date).
-- Keep in step with ../postgres/0009_published_versions.sql.
CREATE TABLE published_versions (
    article_id         INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang               TEXT    NOT NULL,
    revision           INTEGER NOT NULL CHECK (revision >= 1),
    title              TEXT    NOT NULL,
    summary            TEXT    NOT NULL,
    body_html          TEXT    NOT NULL,
    origin             TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    model_id           TEXT,
    reviewed_by        TEXT,
    translated_at      INTEGER NOT NULL,
    first_published_at INTEGER NOT NULL,
    corrected_at       INTEGER,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (article_id, lang)
);
INSERT INTO published_versions (article_id, lang, revision, title, summary, body_html, origin,
    model_id, reviewed_by, translated_at, first_published_at, corrected_at, updated_at)
SELECT article_id, lang, revision, title, summary, body_html, origin, model_id, reviewed_by,
       translated_at, translated_at, NULL, updated_at
FROM versions WHERE state = 'published';

-- Why the newest version is held (null when it is published).
ALTER TABLE versions ADD COLUMN hold_reason TEXT;
-- When the newest version was held: the age `/metrics` reports.
ALTER TABLE versions ADD COLUMN held_at INTEGER;

-- Translations a newsroom holds by hand (the API's `hold`): every machine
-- version of the article in the language waits for an editor until the
-- hold is released.
CREATE TABLE translation_holds (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL,
    held_by    TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, lang)
);

CREATE TRIGGER site_generation_published_insert AFTER INSERT ON published_versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_published_update AFTER UPDATE ON published_versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_published_delete AFTER DELETE ON published_versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
