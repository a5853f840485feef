//! The store's one error type.

/// Why a store call did not do what was asked.
///
/// Callers map [`StoreError::NotFound`] to 404, [`StoreError::Conflict`] to
/// 409 and [`StoreError::Invalid`] to 422; the rest are server faults.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named thing does not exist (or no longer does).
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with what is stored: a duplicate unique key, or a
    /// job whose lease is held by another worker.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A worker tried to write the result of a job it no longer holds: its
    /// lease ran out and the job may be another worker's now (fencing).
    #[error("lease lost: {0}")]
    LeaseLost(String),
    /// A worker tried to write a translation made with a glossary that has
    /// changed since: it must translate again with the new one.
    #[error("glossary changed: {0}")]
    GlossaryChanged(String),
    /// The request itself is malformed (e.g. a machine version without model id).
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("database URL `{url}` not usable: {why}")]
    BadUrl { url: String, why: String },
    /// A stored value that no longer parses into its domain type: a schema or
    /// data bug, never user input.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("password hashing failed: {0}")]
    Password(String),
    #[error("operating system random source failed: {0}")]
    Random(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// A unique-key violation reported by either database.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(e)
            if e.as_database_error().is_some_and(|d| d.is_unique_violation()))
    }

    /// Errors after which running the same transaction again can succeed:
    /// a concurrent insert of the same key, or PostgreSQL giving up on a
    /// serialisation or deadlock.
    pub(crate) fn is_retryable(&self) -> bool {
        if self.is_unique_violation() {
            return true;
        }
        matches!(self, StoreError::Database(e)
            if e.as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|c| c == "40001" || c == "40P01"))
    }
}

/// Turn a unique violation into a [`StoreError::Conflict`] naming what clashed.
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        StoreError::Conflict(what())
    } else {
        e
    }
}
