-- Where each imported article came from (`warta import feed|wordpress`):
-- the feed item's GUID or the WordPress post id, scoped by the site it came
-- from, names one slug forever. Re-running an import finds the article again
-- (unchanged or a new revision) instead of creating a second one, even after
-- the post's title or WordPress slug changed.
-- Keep in step with ../postgres/0006_imports.sql.
CREATE TABLE imports (
    -- `feed:<site>` or `wordpress:<site>`.
    source      TEXT   NOT NULL,
    external_id TEXT   NOT NULL,
    -- Not a foreign key: the slug is claimed before the article is stored,
    -- so that a crash in between leaves a claim the next run completes.
    slug        TEXT   NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (source, external_id)
);
