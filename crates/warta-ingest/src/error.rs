//! The one error type of the ingest stage. Each variant is a kind a caller
//! answers differently: the HTTP side maps `Invalid` to 422 and `TooLarge`
//! and `Malformed` to 400 (warta-server's `error.rs`), `warta import` counts
//! an `Invalid` item as failed and goes on, and stops at anything else.

use warta_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A field is missing or wrong; `field` names it (a JSON field of the
    /// article, or `body` when the body as a whole does not fit).
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// A field is over one of the newsroom's size limits ([`crate::Limits`]).
    #[error("{message}")]
    TooLarge { field: String, message: String },
    /// The request body is not JSON at all.
    #[error("request body is not valid JSON: {0}")]
    Malformed(String),
    /// Bytes that are not a feed warta can read: not XML or JSON Feed, not
    /// RSS or Atom, or in an encoding warta cannot decode. The message is a
    /// whole sentence.
    #[error("{0}")]
    Feed(String),
    /// Not a page of the WordPress REST API's `wp/v2/posts`.
    #[error("not a WordPress `wp/v2/posts` JSON page: {0}")]
    WordPress(String),
    /// The database failed while storing an import: not the item's fault.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IngestError {
    /// A 422-style error naming `field`.
    pub fn field(field: &str, message: impl Into<String>) -> IngestError {
        IngestError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The field at fault, when the error has one.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            IngestError::Invalid { field, .. } => field.as_deref(),
            IngestError::TooLarge { field, .. } => Some(field),
            _ => None,
        }
    }
}
