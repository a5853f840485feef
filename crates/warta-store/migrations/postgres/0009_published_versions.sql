-- What readers see of each article in each language: the last version of
-- it that was published (see ../sqlite/0009_published_versions.sql, kept in
-- step with this file).
CREATE TABLE published_versions (
    article_id         BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang               TEXT    NOT NULL,
    revision           BIGINT  NOT NULL CHECK (revision >= 1),
    title              TEXT    NOT NULL,
    summary            TEXT    NOT NULL,
    body_html          TEXT    NOT NULL,
    origin             TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    model_id           TEXT,
    reviewed_by        TEXT,
    translated_at      BIGINT  NOT NULL,
    first_published_at BIGINT  NOT NULL,
    corrected_at       BIGINT,
    updated_at         BIGINT  NOT NULL,
    PRIMARY KEY (article_id, lang)
);
INSERT INTO published_versions (article_id, lang, revision, title, summary, body_html, origin,
    model_id, reviewed_by, translated_at, first_published_at, corrected_at, updated_at)
SELECT article_id, lang, revision, title, summary, body_html, origin, model_id, reviewed_by,
       translated_at, translated_at, NULL, updated_at
FROM versions WHERE state = 'published';

ALTER TABLE versions ADD COLUMN hold_reason TEXT;
ALTER TABLE versions ADD COLUMN held_at BIGINT;

CREATE TABLE translation_holds (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang       TEXT   NOT NULL,
    held_by    TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, lang)
);

CREATE CONSTRAINT TRIGGER site_generation_published
AFTER INSERT OR UPDATE OR DELETE ON published_versions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_site_generation();
