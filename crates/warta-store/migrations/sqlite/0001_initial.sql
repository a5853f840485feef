-- warta schema, SQLite dialect. Keep in step with ../postgres/0001_initial.sql:
-- same tables, columns, constraints and indexes; only types differ
-- (INTEGER for every integer, BOOLEAN stored as 0/1).
-- Every timestamp is unix epoch milliseconds, UTC.

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    slug             TEXT    NOT NULL UNIQUE,
    current_revision INTEGER NOT NULL CHECK (current_revision >= 1),
    -- Copies of the current revision's, so front pages and feeds walk an index.
    source_lang      TEXT    NOT NULL,
    published_at     INTEGER NOT NULL,
    deleted_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX articles_newest ON articles (published_at, id) WHERE deleted_at IS NULL;

CREATE TABLE revisions (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL CHECK (revision >= 1),
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    author       TEXT,
    published_at INTEGER NOT NULL,
    source_lang  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- One row per (article, language): the text a reader sees in that language.
-- History lives in `revisions` (source) and `translation_memory` (corrections).
CREATE TABLE versions (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang          TEXT    NOT NULL,
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    body_html     TEXT    NOT NULL,
    origin        TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    state         TEXT    NOT NULL CHECK (state IN ('published', 'held')),
    model_id      TEXT,
    quality_json  TEXT,
    outdated      BOOLEAN NOT NULL DEFAULT FALSE,
    translated_at INTEGER NOT NULL,
    reviewed_by   TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, lang),
    CHECK (origin = 'human' OR model_id IS NOT NULL),
    CHECK (origin = 'human' OR outdated = FALSE)
);

CREATE TABLE segments (
    article_id  INTEGER NOT NULL,
    lang        TEXT    NOT NULL,
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    source_text TEXT    NOT NULL,
    target_text TEXT    NOT NULL,
    PRIMARY KEY (article_id, lang, idx),
    FOREIGN KEY (article_id, lang) REFERENCES versions (article_id, lang) ON DELETE CASCADE
);

-- Human entries are keyed by source alone: a correction holds whatever model
-- or glossary produced the text it corrected. Machine entries are only valid
-- for the model and glossary that produced them.
CREATE TABLE translation_memory (
    id               INTEGER PRIMARY KEY,
    src_lang         TEXT    NOT NULL,
    trg_lang         TEXT    NOT NULL,
    source_hash      TEXT    NOT NULL,
    source_text      TEXT    NOT NULL,
    target_text      TEXT    NOT NULL,
    origin           TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    model_id         TEXT,
    glossary_version INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    hits             INTEGER NOT NULL DEFAULT 0,
    CHECK (origin = 'human' OR model_id IS NOT NULL)
);
CREATE UNIQUE INDEX tm_human_key ON translation_memory (src_lang, trg_lang, source_hash)
    WHERE origin = 'human';
CREATE UNIQUE INDEX tm_machine_key ON translation_memory (src_lang, trg_lang, source_hash, model_id, glossary_version)
    WHERE origin = 'machine';

CREATE TABLE glossary (
    id             INTEGER PRIMARY KEY,
    source_term    TEXT    NOT NULL CHECK (source_term <> ''),
    target_lang    TEXT    NOT NULL,
    target_term    TEXT    NOT NULL CHECK (target_term <> ''),
    case_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    note           TEXT,
    created_at     INTEGER NOT NULL,
    UNIQUE (target_lang, source_term)
);

-- A single counter bumped by every glossary change; translation memory entries
-- made under an older glossary no longer match.
CREATE TABLE glossary_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO glossary_version (id, version) VALUES (1, 0);

CREATE TABLE qa_flags (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang        TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    segment_idx INTEGER,
    check_name  TEXT    NOT NULL,
    severity    TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    detail      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX qa_flags_by_version ON qa_flags (article_id, lang, revision);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    article_id       INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision         INTEGER NOT NULL,
    lang             TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'waiting_for_model', 'done', 'failed', 'superseded')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_after        INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    last_error       TEXT,
    waiting_pair     TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (article_id, revision, lang),
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, revision) ON DELETE CASCADE,
    CHECK (state <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CHECK (state <> 'waiting_for_model' OR waiting_pair IS NOT NULL)
);
-- What the leasing query walks, oldest first: only the unfinished jobs, not
-- the ever-growing history of done ones.
CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (id) WHERE state = 'running';
CREATE INDEX jobs_waiting ON jobs (waiting_pair) WHERE state = 'waiting_for_model';

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE CHECK (username <> ''),
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (name <> ''),
    key_hash   TEXT    NOT NULL UNIQUE,
    prefix     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
