-- The site generation: a counter that changes in the same transaction as
-- anything a public page shows (an article, its source revisions, its
-- language versions), so a page cache keyed on it can never serve a page
-- older than its key. Bumped by triggers, not by the Rust code, so that no
-- write path — present or future, this process or another one sharing the
-- database — can forget it. Writes that change nothing a reader sees
-- (confidence scores, the reviewer's name) leave it alone.
-- Keep in step with ../postgres/0007_site_generation.sql.
CREATE TABLE site_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO site_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER site_generation_articles_insert AFTER INSERT ON articles
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_articles_update AFTER UPDATE ON articles
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_articles_delete AFTER DELETE ON articles
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER site_generation_revisions_insert AFTER INSERT ON revisions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_revisions_update AFTER UPDATE ON revisions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_revisions_delete AFTER DELETE ON revisions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER site_generation_versions_insert AFTER INSERT ON versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
-- Every column a page, feed or sitemap reads; not quality_json, reviewed_by.
CREATE TRIGGER site_generation_versions_update
AFTER UPDATE OF article_id, lang, revision, title, summary, body_html, origin, state, model_id,
                outdated, translated_at, updated_at ON versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER site_generation_versions_delete AFTER DELETE ON versions
BEGIN UPDATE site_generation SET generation = generation + 1 WHERE id = 1; END;
