-- The editors' desk (issue 21): what the articles list filters on, and
-- flags an editor dismissed as false. Keep in step with
-- ../postgres/0012_desk.sql.

-- Each status the list filters by is read from the few rows that have it,
-- never by walking every article (warta-store's desk.rs names the query of
-- each status; these are the rows they walk).
CREATE INDEX versions_held ON versions (article_id, lang) WHERE state = 'held';
CREATE INDEX versions_by_person ON versions (article_id, lang)
    WHERE origin = 'human' OR reviewed_by IS NOT NULL;
CREATE INDEX jobs_failed ON jobs (article_id, revision, lang) WHERE state = 'failed';
CREATE INDEX jobs_unfinished ON jobs (article_id, revision, lang)
    WHERE state IN ('queued', 'running', 'waiting_for_model');
-- Counting what readers see per language, and the open flags with the
-- revision they belong to, from an index alone.
CREATE INDEX published_versions_by_lang ON published_versions (lang);
CREATE INDEX qa_flags_open ON qa_flags (article_id, lang, revision) WHERE resolved_at IS NULL;
-- The few deleted articles, which every state leaves out.
CREATE INDEX articles_deleted ON articles (id) WHERE deleted_at IS NOT NULL;
-- Only a revised article can have a translation of an older revision.
CREATE INDEX articles_revised ON articles (id) WHERE current_revision > 1 AND deleted_at IS NULL;

-- An editor's verdict that a flag was wrong: the flag is resolved with the
-- reason kept on it (a re-run of the checks that finds it again keeps it
-- dismissed), and the dismissal is recorded here, where it stays even when
-- the flag is later replaced: the count per check is how often the editors
-- found that check wrong. No foreign keys: the record outlives the flag.
ALTER TABLE qa_flags ADD COLUMN dismissed_reason TEXT;
CREATE TABLE flag_dismissals (
    id         INTEGER PRIMARY KEY,
    flag_id    INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    lang       TEXT    NOT NULL,
    revision   INTEGER NOT NULL,
    check_name TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    editor     TEXT    NOT NULL,
    reason     TEXT    NOT NULL CHECK (reason <> ''),
    created_at INTEGER NOT NULL
);
CREATE INDEX flag_dismissals_by_check ON flag_dismissals (check_name);
