-- The editors' desk, part two (issue 21). Keep in step with
-- ../postgres/0014_desk_terms.sql.

-- The articles list filtered by a QA check (`check=`), read from the open
-- flags of that check alone.
CREATE INDEX qa_flags_open_by_check ON qa_flags (check_name, article_id) WHERE resolved_at IS NULL;

-- Search by part of the slug or of the current title without reading
-- every title (a substring LIKE can use no ordinary index): FTS5's trigram
-- tokenizer indexes every three-character run of each article's slug and
-- current title, so a needle of three or more characters finds its
-- articles from the index (desk.rs narrows with it, then applies the LIKE).
-- Kept by triggers, whichever of the revision row and the article's
-- `current_revision` is written first.
CREATE VIRTUAL TABLE article_search USING fts5(slug, title, tokenize = 'trigram');
INSERT INTO article_search (rowid, slug, title)
    SELECT a.id, a.slug, r.title FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision;
CREATE TRIGGER article_search_new_revision AFTER INSERT ON revisions
    WHEN new.revision = (SELECT current_revision FROM articles WHERE id = new.article_id)
BEGIN
    DELETE FROM article_search WHERE rowid = new.article_id;
    INSERT INTO article_search (rowid, slug, title)
        SELECT id, slug, new.title FROM articles WHERE id = new.article_id;
END;
CREATE TRIGGER article_search_current_revision AFTER UPDATE OF current_revision ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = new.id;
    INSERT INTO article_search (rowid, slug, title)
        SELECT new.id, new.slug, r.title FROM revisions r
        WHERE r.article_id = new.id AND r.revision = new.current_revision;
END;
CREATE TRIGGER article_search_gone AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;
