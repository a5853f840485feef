//! The publish stage: renders warta's public site.
//!
//! This crate turns view structs into bytes: article pages, front pages and
//! the not-found page (HTML, via compiled askama templates), the stylesheet,
//! RSS feeds, the sitemap, and the HTTP caching decisions (ETag, 304) for
//! them. It owns how the site looks and what it says in each language: the
//! `<html lang dir>`, canonical and hreflang links, the language switcher in
//! each language's own name, and — on machine translations — the disclaimer
//! in the page's language that links the authoritative original. Its texts
//! come from `messages.toml`, overridable per language by configuration.
//!
//! It never does I/O: no database, no HTTP server, no file access, no
//! clock. The server fetches the data, builds a [`Site`] once and a view per
//! request, calls a `render_*` function and serves the result. Article HTML
//! arrives already sanitised (ingest owns that) and is inserted as is.
//!
//! ```
//! use warta_core::{Lang, Slug};
//! use warta_site::*;
//!
//! let id = Lang::parse("id").unwrap();
//! let en = Lang::parse("en").unwrap();
//! let site = Site::new("Warta", "https://news.example", id, &[id, en], Messages::builtin()).unwrap();
//! let slug = Slug::parse("banjir-jakarta").unwrap();
//! let html = render_article(&ArticlePage {
//!     site: &site,
//!     lang: en,
//!     alternates: site.article_alternates(&slug, id, &[en]),
//!     canonical_url: site.article_url(en, &slug),
//!     title: "Floods in Jakarta".into(),
//!     summary: String::new(),
//!     body_html: "<p>Rain fell.</p>".into(),
//!     author: None,
//!     published_at: Timestamp::from_unix_secs(1_740_960_309),
//!     translated_at: Some(Timestamp::from_unix_secs(1_740_960_320)),
//!     corrected_at: None,
//!     origin: Origin::Machine { model: "id-en".into() },
//! });
//! assert!(html.contains(r#"data-warta="disclaimer""#));
//! ```

mod escape;
mod feed;
mod http;
mod messages;
mod pages;
mod sitemap;
mod style;
mod view;

pub use escape::escape;
pub use feed::render_feed;
pub use http::{etag_for, http_date, not_modified};
pub use messages::{Key, MessageOverrides, Messages};
pub use pages::{render_article, render_front_page, render_not_found};
pub use sitemap::{render_sitemap, render_sitemaps, SitemapLimits, Sitemaps};
pub use style::STYLESHEET;
pub use view::{
    Alternates, ArticlePage, ArticleSummary, Feed, FrontPage, LangLink, Origin, Site, SitemapEntry,
    STYLESHEET_PATH,
};
pub use warta_core::Timestamp;

/// Why the site could not be set up. Rendering itself cannot fail: these
/// errors come from configuration and from view data the server assembles.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("site messages: unknown language code `{0}`")]
    MessageLang(String),
    #[error("site messages: [{lang}] {key}: {why}")]
    Message {
        lang: &'static str,
        key: String,
        why: String,
    },
    #[error("built-in messages.toml does not parse: {0}")]
    BuiltinMessages(String),
    #[error("site base URL `{0}` {1}")]
    BaseUrl(String, &'static str),
    #[error("language versions of a page: {0}")]
    Alternates(&'static str),
}
