//! `warta-ingest` is the first stage of the data flow (`DESIGN.md`: "ingest:
//! validate + sanitize source HTML"): whatever a newsroom hands warta — a
//! CMS's JSON article, an RSS/Atom feed, a page of WordPress posts — becomes
//! a validated, sanitised [`warta_store::NewRevision`] here, or an
//! [`IngestError`] that names the field at fault.
//!
//! - [`ArticleInput`] is the article as the CMS API receives it, and
//!   [`ArticleInput::into_revision`] the one validation every path uses
//!   (titles, summaries and authors are plain text; the body is sanitised by
//!   `warta-html` and bounded by [`Limits`]).
//! - [`parse_feed`] reads a feed in any encoding (BOM, XML declaration,
//!   HTTP charset, else UTF-8 or a guess: [`charset`]) and never panics;
//!   [`parse_wordpress`] reads a `wp/v2/posts` page. Both give
//!   [`ImportItem`]s, which [`import_item`] validates like an API submission
//!   and stores through `warta-store`, idempotently.
//!
//! What it must never do: speak HTTP (no server types, no client — the
//! caller hands it bytes and, for a fetched feed, the response's charset),
//! translate, or write anything for input it refused.

mod article;
pub mod charset;
mod error;
mod feed;
mod guard;
mod import;
mod wordpress;

pub use article::{
    body_html, html_to_text, parse_json, parse_time, plain_text, required, ArticleInput, Limits,
    MAX_AUTHOR_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
};
pub use error::IngestError;
pub use feed::{parse_feed, ParsedFeed};
pub use import::{import_item, ImportItem, Imported, Newsroom, Outcome};
pub use wordpress::parse_wordpress;
