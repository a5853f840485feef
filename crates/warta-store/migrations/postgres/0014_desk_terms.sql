-- The editors' desk, part two (issue 21). Keep in step with
-- ../sqlite/0014_desk_terms.sql.

-- The articles list filtered by a QA check (`check=`), read from the open
-- flags of that check alone.
CREATE INDEX qa_flags_open_by_check ON qa_flags (check_name, article_id) WHERE resolved_at IS NULL;

-- Search by part of the slug or of a title without reading every title (a
-- substring ILIKE can use no B-tree): pg_trgm's GIN indexes answer
-- `ILIKE '%needle%'` from the needle's trigrams (three characters or
-- more). desk.rs narrows with them, then applies the exact rule. pg_trgm
-- ships with PostgreSQL (contrib) and is a trusted extension: the
-- database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX articles_slug_trgm ON articles USING gin (slug gin_trgm_ops);
CREATE INDEX revisions_title_trgm ON revisions USING gin (title gin_trgm_ops);
