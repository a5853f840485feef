-- The team, the audit log and suggestions from outside (issue 21, points 6
-- and 7). Keep in step with ../postgres/0013_team.sql.

-- Every user so far was made on the server's command line and could do
-- everything the desk offers: they stay admins. The desk's admins create
-- editors (team.rs).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('admin', 'editor'));

-- Who did what to which object, when: one row per desk or API action,
-- written in the action's own transaction (audit.rs). No foreign keys: the
-- record outlives the user, key, article or term it names.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    actor_kind TEXT    NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system')),
    action     TEXT    NOT NULL,
    object     TEXT    NOT NULL,
    detail     TEXT    NOT NULL
);
-- Newest first, whole or filtered by who or by what (keyset on id).
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

-- LibreTranslate's POST /suggest: a better translation of a text, waiting
-- for an editor (suggestions.rs). `dedup_key` is the SHA-256 of the pair
-- and both texts, so one open suggestion is stored once however often it
-- is sent (texts are too long for an index of their own on PostgreSQL).
CREATE TABLE suggestions (
    id             INTEGER PRIMARY KEY,
    source_lang    TEXT    NOT NULL,
    target_lang    TEXT    NOT NULL,
    source_text    TEXT    NOT NULL CHECK (source_text <> ''),
    source_norm    TEXT    NOT NULL,
    suggested_text TEXT    NOT NULL CHECK (suggested_text <> ''),
    dedup_key      TEXT    NOT NULL,
    submitted_by   TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'accepted', 'rejected')),
    created_at     INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     INTEGER
);
CREATE UNIQUE INDEX suggestions_open_once ON suggestions (dedup_key) WHERE state = 'open';
CREATE INDEX suggestions_by_state ON suggestions (state, id);
