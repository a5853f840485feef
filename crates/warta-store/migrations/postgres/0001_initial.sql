-- warta schema, PostgreSQL dialect. Keep in step with ../sqlite/0001_initial.sql:
-- same tables, columns, constraints and indexes; only types differ
-- (BIGINT for every integer so Rust reads i64 everywhere; identity keys).
-- Every timestamp is unix epoch milliseconds, UTC.

CREATE TABLE articles (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug             TEXT    NOT NULL UNIQUE,
    current_revision BIGINT  NOT NULL CHECK (current_revision >= 1),
    -- Copies of the current revision's, so front pages and feeds walk an index.
    source_lang      TEXT    NOT NULL,
    published_at     BIGINT  NOT NULL,
    deleted_at       BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX articles_newest ON articles (published_at, id) WHERE deleted_at IS NULL;

CREATE TABLE revisions (
    article_id   BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision     BIGINT  NOT NULL CHECK (revision >= 1),
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    author       TEXT,
    published_at BIGINT  NOT NULL,
    source_lang  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- One row per (article, language): the text a reader sees in that language.
-- History lives in `revisions` (source) and `translation_memory` (corrections).
CREATE TABLE versions (
    article_id    BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang          TEXT    NOT NULL,
    revision      BIGINT  NOT NULL CHECK (revision >= 1),
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    body_html     TEXT    NOT NULL,
    origin        TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    state         TEXT    NOT NULL CHECK (state IN ('published', 'held')),
    model_id      TEXT,
    quality_json  TEXT,
    outdated      BOOLEAN NOT NULL DEFAULT FALSE,
    translated_at BIGINT  NOT NULL,
    reviewed_by   TEXT,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (article_id, lang),
    CHECK (origin = 'human' OR model_id IS NOT NULL),
    CHECK (origin = 'human' OR outdated = FALSE)
);

CREATE TABLE segments (
    article_id  BIGINT  NOT NULL,
    lang        TEXT    NOT NULL,
    idx         BIGINT  NOT NULL CHECK (idx >= 0),
    source_text TEXT    NOT NULL,
    target_text TEXT    NOT NULL,
    PRIMARY KEY (article_id, lang, idx),
    FOREIGN KEY (article_id, lang) REFERENCES versions (article_id, lang) ON DELETE CASCADE
);

-- Human entries are keyed by source alone: a correction holds whatever model
-- or glossary produced the text it corrected. Machine entries are only valid
-- for the model and glossary that produced them.
CREATE TABLE translation_memory (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    src_lang         TEXT    NOT NULL,
    trg_lang         TEXT    NOT NULL,
    source_hash      TEXT    NOT NULL,
    source_text      TEXT    NOT NULL,
    target_text      TEXT    NOT NULL,
    origin           TEXT    NOT NULL CHECK (origin IN ('machine', 'human')),
    model_id         TEXT,
    glossary_version BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    hits             BIGINT  NOT NULL DEFAULT 0,
    CHECK (origin = 'human' OR model_id IS NOT NULL)
);
CREATE UNIQUE INDEX tm_human_key ON translation_memory (src_lang, trg_lang, source_hash)
    WHERE origin = 'human';
CREATE UNIQUE INDEX tm_machine_key ON translation_memory (src_lang, trg_lang, source_hash, model_id, glossary_version)
    WHERE origin = 'machine';

CREATE TABLE glossary (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_term    TEXT    NOT NULL CHECK (source_term <> ''),
    target_lang    TEXT    NOT NULL,
    target_term    TEXT    NOT NULL CHECK (target_term <> ''),
    case_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    note           TEXT,
    created_at     BIGINT  NOT NULL,
    UNIQUE (target_lang, source_term)
);

-- A single counter bumped by every glossary change; translation memory entries
-- made under an older glossary no longer match.
CREATE TABLE glossary_version (
    id      BIGINT  PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO glossary_version (id, version) VALUES (1, 0);

CREATE TABLE qa_flags (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang        TEXT    NOT NULL,
    revision    BIGINT  NOT NULL,
    segment_idx BIGINT,
    check_name  TEXT    NOT NULL,
    severity    TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    detail      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX qa_flags_by_version ON qa_flags (article_id, lang, revision);

CREATE TABLE jobs (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id       BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision         BIGINT  NOT NULL,
    lang             TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'waiting_for_model', 'done', 'failed', 'superseded')),
    attempts         BIGINT  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_after        BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    last_error       TEXT,
    waiting_pair     TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
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
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE CHECK (username <> ''),
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (name <> ''),
    key_hash   TEXT    NOT NULL UNIQUE,
    prefix     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    revoked_at BIGINT
);
