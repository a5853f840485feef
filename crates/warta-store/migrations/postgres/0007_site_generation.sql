-- The site generation: a counter that changes in the same transaction as
-- anything a public page shows (an article, its source revisions, its
-- language versions), so a page cache keyed on it can never serve a page
-- older than its key, on any node sharing this database. Bumped by
-- triggers, not by the Rust code, so that no write path can forget it.
-- Writes that change nothing a reader sees (confidence scores, the
-- reviewer's name) leave it alone.
--
-- The triggers are deferred to commit: the counter row is one lock every
-- publishing transaction takes, so it is taken last, when the transaction
-- holds every other lock it will ever need and waits for nothing else.
-- Taken mid-transaction it could close a deadlock cycle with a transaction
-- that locked a job or article row first.
-- Keep in step with ../sqlite/0007_site_generation.sql.
CREATE TABLE site_generation (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO site_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION bump_site_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE site_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER site_generation_articles
AFTER INSERT OR UPDATE OR DELETE ON articles
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_site_generation();

CREATE CONSTRAINT TRIGGER site_generation_revisions
AFTER INSERT OR UPDATE OR DELETE ON revisions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_site_generation();

-- Every column a page, feed or sitemap reads; not quality_json, reviewed_by.
CREATE CONSTRAINT TRIGGER site_generation_versions
AFTER INSERT OR DELETE OR UPDATE OF article_id, lang, revision, title, summary, body_html, origin, state,
                                    model_id, outdated, translated_at, updated_at ON versions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_site_generation();
