-- The editors' desk, part two (issue 21): the articles list filtered by a
-- QA check (`check=`), read from the open flags of that check alone.
-- Keep in step with the other dialect's 0014_desk_terms.sql.
CREATE INDEX qa_flags_open_by_check ON qa_flags (check_name, article_id) WHERE resolved_at IS NULL;
