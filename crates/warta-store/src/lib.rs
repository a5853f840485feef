//! The store stage: warta's one database access layer.
//!
//! Everything warta must remember lives behind [`Store`]: articles and their
//! source revisions, the per-language versions readers see (with their
//! segments and QA flags), the translation jobs, the translation memory, the
//! glossary, newsroom users with their roles and sessions, API keys, the
//! audit log of what people did, and translations suggested from outside. The same code
//! runs on SQLite (the embedded default: one file, WAL) and on PostgreSQL
//! (many workers on many machines); [`Store::connect`] picks the backend from
//! the URL and brings the schema up to date from the migrations in
//! `migrations/{sqlite,postgres}`.
//!
//! What the store guarantees, so callers do not have to:
//! - a revision is durable and its jobs are enqueued in the same transaction,
//!   so once an ingest call returns, the translation will happen even across
//!   crashes (DESIGN.md, "Nothing accepted is ever lost");
//! - a job is leased by one worker at a time, and a lease that runs out makes
//!   the job available again (crash recovery);
//! - a machine translation never replaces a human one; a human one whose
//!   source changed is kept and marked outdated;
//! - secrets are stored only as hashes (argon2 for passwords, SHA-256 for API
//!   keys and session tokens).
//!
//! What the store must never do: speak HTTP, render pages, segment, translate
//! or run QA checks. It stores what those stages produce and answers their
//! questions; the policy of *when* to translate or publish lives with them.
//! Password hashing is CPU-bound and runs on blocking threads, never on the
//! async runtime.
//!
//! Timestamps are unix epoch milliseconds (UTC) everywhere, as `i64`: the one
//! representation both databases store and compare natively. Times are taken
//! from the clock of the process that calls the store.

mod error;
mod types;

mod articles;
mod audit;
mod auth;
mod desk;
mod glossary;
mod imports;
mod jobs;
mod publish;
mod qa;
mod requeue;
mod review;
mod site;
mod suggestions;
mod team;
mod tm;
mod versions;
mod webhooks;

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use audit::{
    Actor, ActorKind, AuditAction, AuditEntry, AuditFilter, AuditPage, MAX_AUDIT_PAGE,
};
pub use auth::{LoginLimit, LoginVerdict, Scope, Scopes, API_KEY_PREFIX};
pub use desk::{
    ArticleFilter, ArticlePage, ArticleQuery, DeskArticle, DeskCounts, DeskCursor, DeskLanguage,
    DeskPage, DeskStatus, FlagDismissal, MAX_DESK_PAGE, MAX_DISMISSAL_CHARS, MAX_SEARCH_CHARS,
};
pub use error::{Result, StoreError};
pub use glossary::{
    glossary_tsv, parse_glossary_tsv, suggest_terms, GlossaryEntry, GlossaryFields, GlossaryImport,
    GlossarySnapshot, GlossaryTsv, NewGlossaryEntry, RefusedLine, TermRendering, TermSuggestion,
    TsvLine, MAX_NOTE_CHARS, MAX_TERM_CHARS, MAX_TERM_SUGGESTIONS, TERM_WINDOW, TSV_COLUMNS,
    TSV_MEDIA_TYPE,
};
pub use publish::{
    AfterPublish, HeldSummary, Lease, NewWebhookEvent, Publication, PublishOutcome, Scores,
    TranslationHold, VersionApproval,
};
pub use qa::{Check, NewQaFlag, QaFlag, Severity};
pub use review::{severity_rank, Approval, ReviewItem, SegmentApproval, MAX_QUEUE_PAGE};
pub use site::{ReadableVersion, SiteEntry};
pub use suggestions::{
    NewSuggestion, Suggestion, SuggestionState, MAX_SUGGESTION_CHARS, MAX_SUGGESTION_PAGE,
};
pub use team::{check_new_password, Role, TeamMember, MIN_PASSWORD_CHARS};
pub use tm::{tm_source_hash, NewTmEntry, TmHit};
pub use types::*;
pub use webhooks::{WebhookDelivery, WEBHOOK_MAX_ATTEMPTS};

/// SQLite's "database is locked" (SQLITE_BUSY, code 5).
fn is_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("5"))
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Tuning knobs with defaults that suit one newsroom on one machine.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Pool size. SQLite serialises writers anyway; readers benefit.
    pub max_connections: u32,
    /// How many times a job may be leased before it is given up as `failed`.
    /// Counted at lease time, so a worker that crashes mid-job uses one up.
    pub max_attempts: u32,
    /// How long an SQLite writer waits for another writer before failing.
    pub sqlite_busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            max_attempts: 5,
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A handle on the database. Cheap to clone; clones share the pool.
#[derive(Clone)]
pub struct Store {
    db: Db,
    max_attempts: i64,
    /// Changes to published content committed by this process (site.rs).
    site_changes: Arc<AtomicU64>,
    /// Signalled after this process commits runnable jobs (see
    /// [`Store::jobs_queued`]).
    queued: Arc<tokio::sync::Notify>,
    /// Who the audited actions through this handle are recorded as
    /// ([`Store::acting_as`]).
    actor: Arc<Actor>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The SQL that differs between the backends; everything else is written once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// How a transaction that will write begins. SQLite's default `BEGIN` is
    /// deferred: a transaction that reads and then writes can fail with
    /// SQLITE_BUSY at the upgrade, which the busy timeout does not cover.
    /// `BEGIN IMMEDIATE` takes the write lock up front (waiting politely), so
    /// writers queue instead of failing. PostgreSQL locks rows as it goes.
    fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }
}

/// Runs `$body` once per backend with `$pool` bound to the concrete pool and
/// `$dialect` to its [`Dialect`]. The body is written once and type-checked
/// against both databases; SQL in it must be portable (`$1` placeholders work
/// on both) or chosen through the dialect.
macro_rules! with_db {
    ($store:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => {
                #[allow(unused_variables)]
                let $dialect = $crate::Dialect::Sqlite;
                $body
            }
            $crate::Db::Postgres($pool) => {
                #[allow(unused_variables)]
                let $dialect = $crate::Dialect::Postgres;
                $body
            }
        }
    };
}
pub(crate) use with_db;

impl Store {
    /// Open (creating if needed) the database at `url` and apply pending
    /// migrations. Accepts `sqlite://path?mode=rwc`, `sqlite:path`, a bare
    /// file path, or `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    pub async fn connect_with(url: &str, opts: &StoreOptions) -> Result<Store> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            let options = sqlite_options(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL, not NORMAL: in WAL mode NORMAL can lose the last
                // commits on power loss, and an accepted revision must survive.
                // Newsroom write rates make the extra fsync free.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(opts.sqlite_busy_timeout);
            // Every connection is opened here, at startup, and kept: an
            // SQLite connection runs on its own thread, which inherits the
            // scheduling priority of the thread that opens it. Opened lazily,
            // some would be opened by a translation worker (which lowers its
            // own priority, worker.rs) and then serve the site's queries at
            // that lower priority. A local file gains nothing from recycling.
            //
            // Opening them all at once, each setting WAL mode, can meet
            // another process's checkpoint (or each other) and get SQLITE_BUSY
            // before any busy handler runs: retried briefly, as a person
            // would, instead of failing a command on a momentary lock.
            //
            // They are opened by this task, one after another, rather than
            // by sqlx's `min_connections`, which opens them from a spawned
            // task on whatever runtime thread runs it: `warta serve` runs its
            // request threads nicer than the crew (priority.rs), and a
            // database thread started from one would inherit that.
            let mut attempt = 0;
            let pool = loop {
                let opened = async {
                    let pool = SqlitePoolOptions::new()
                        .max_connections(opts.max_connections)
                        .max_lifetime(None)
                        .idle_timeout(None)
                        .connect_with(options.clone())
                        .await?;
                    let mut held = Vec::new();
                    for _ in 0..opts.max_connections {
                        held.push(pool.acquire().await?);
                    }
                    drop(held);
                    Ok::<_, sqlx::Error>(pool)
                }
                .await;
                match opened {
                    Err(e) if attempt < 20 && is_busy(&e) => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => break other?,
                }
            };
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        };
        tracing::debug!(backend = ?backend_of(&db), "store connected and migrated");
        Ok(Store {
            db,
            max_attempts: i64::from(opts.max_attempts.max(1)),
            site_changes: Arc::default(),
            queued: Arc::default(),
            actor: Arc::new(Actor::system()),
        })
    }

    /// Signalled whenever this process (any clone of this store) commits
    /// jobs a worker can run now: a new revision, a re-queue, an approval, a
    /// glossary change, a model installed. A worker waits on it instead of
    /// being woken by each caller; work queued by another process is seen
    /// on the worker's next poll.
    pub fn jobs_queued(&self) -> &tokio::sync::Notify {
        &self.queued
    }

    /// Called after committing runnable jobs.
    pub(crate) fn jobs_changed(&self) {
        self.queued.notify_waiters();
        // A worker between two waits takes the stored permit.
        self.queued.notify_one();
    }

    pub fn backend(&self) -> Backend {
        backend_of(&self.db)
    }

    /// Close the pool, waiting for connections to be returned. After this, a
    /// new [`Store::connect`] on the same URL sees every committed write.
    pub async fn close(&self) {
        with_db!(self, |pool, _d| pool.close().await)
    }
}

fn backend_of(db: &Db) -> Backend {
    match db {
        Db::Sqlite(_) => Backend::Sqlite,
        Db::Postgres(_) => Backend::Postgres,
    }
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions> {
    let bad = |why: &str| StoreError::BadUrl {
        url: url.to_string(),
        why: why.to_string(),
    };
    if url.is_empty() {
        return Err(bad("empty database URL"));
    }
    if url.contains(":memory:") || url.contains("mode=memory") {
        // Each pooled connection would get its own empty database.
        return Err(bad(
            "in-memory SQLite is not supported; use a file (tests use a temporary directory)",
        ));
    }
    if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).map_err(|e| bad(&e.to_string()))
    } else if url.contains("://") {
        Err(bad("expected sqlite://PATH, postgres://… or a file path"))
    } else {
        Ok(SqliteConnectOptions::new().filename(url))
    }
}

/// Now, as unix epoch milliseconds.
pub fn now_millis() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Random bytes from the operating system, hex-encoded. Used for API keys,
/// session tokens and CSRF tokens.
pub(crate) fn random_hex(n_bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; n_bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(hex::encode(buf))
}

pub(crate) fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_paths_and_sqlite_urls_are_sqlite_files() {
        assert_eq!(
            sqlite_options("/tmp/x.db").unwrap().get_filename(),
            std::path::Path::new("/tmp/x.db")
        );
        assert_eq!(
            sqlite_options("sqlite:///tmp/y.db?mode=rwc")
                .unwrap()
                .get_filename(),
            std::path::Path::new("/tmp/y.db")
        );
        assert_eq!(
            sqlite_options("data/warta.db").unwrap().get_filename(),
            std::path::Path::new("data/warta.db")
        );
    }

    #[test]
    fn memory_and_foreign_urls_are_refused_with_a_reason() {
        for url in ["sqlite::memory:", "", "mysql://localhost/x"] {
            let err = sqlite_options(url).unwrap_err().to_string();
            assert!(err.contains(url) || url.is_empty(), "{err}");
        }
    }

    #[test]
    fn sha256_matches_the_published_test_vector() {
        // FIPS 180-2 appendix B.1: SHA-256("abc").
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
