//! The import edge for other publishing systems: RSS 2.0 and Atom feeds and
//! the WordPress REST API (`wp/v2/posts`) become the same [`ArticleInput`]
//! that `POST /api/v1/articles` takes, and go through the same validation,
//! sanitising and [`Store::create_or_revise`] — so their translations are
//! queued exactly as an API submission's are.
//!
//! Idempotence: each item is named by its source (`feed:<site>` or
//! `wordpress:<site>`) and its GUID or post id; [`Store::claim_import_slug`]
//! keeps the slug it was given, so a second run finds the same article and
//! stores nothing (or a new revision when the item changed).
//!
//! What this module must never do: fetch anything (the caller hands it bytes;
//! `warta import` does HTTP), or write anything for a file that does not
//! parse — parsing is all-or-nothing and happens before the first write.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use warta_core::Slug;
use warta_store::{RevisionNo, Store, StoreError};

use crate::configuration::Config;
use crate::ingest::{self, ArticleInput, MAX_SUMMARY_CHARS};

/// Slugs made from headlines stay shorter than the 120 allowed: a URL is
/// read by people too.
const MAX_DERIVED_SLUG: usize = 80;

/// One article to import, parsed and named but not yet validated.
#[derive(Debug)]
pub struct ImportItem {
    /// `feed:<site>` or `wordpress:<site>`: scopes `external_id`.
    pub source: String,
    /// The feed item's GUID (Atom `id`) or the WordPress post id.
    pub external_id: String,
    /// The slug a new article gets (before making it unique).
    pub wanted_slug: Slug,
    /// False when the source gave no date: a re-import then keeps the
    /// stored date instead of "now", or every run would be a new revision.
    pub dated: bool,
    /// Everything but the slug, as the CMS API would receive it.
    pub input: ArticleInput,
}

impl ImportItem {
    /// How to name the item in a message: its GUID or post id.
    pub fn label(&self) -> &str {
        &self.external_id
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("not an RSS 2.0 or Atom feed: {0}")]
    Feed(String),
    #[error("not a WordPress `wp/v2/posts` JSON page: {0}")]
    WordPress(String),
    /// An item that the CMS API would refuse with 422; the message names the
    /// field.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What importing one item did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Revised(RevisionNo),
    Unchanged,
    /// Deleted in warta since an earlier import: left deleted, because
    /// re-running an import must not undo an editor's decision.
    KeptDeleted,
}

#[derive(Debug)]
pub struct Imported {
    pub slug: Slug,
    pub outcome: Outcome,
}

/// Parse an RSS 2.0, Atom (or RSS 1.0 / JSON Feed) document. `base_url` is
/// where it was fetched from, for relative links. Each item's body is its full
/// content (`content:encoded`, Atom `content`) when present, else its
/// summary (`description`, Atom `summary`).
pub fn parse_feed(bytes: &[u8], base_url: Option<&str>) -> Result<Vec<ImportItem>, ImportError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_url)
        // feed-rs's default id for an item without a GUID hashes the link
        // *and the title*, so a corrected headline would look like a new
        // item. The link alone names it; the title only as a last resort.
        .id_generator(|links, title, _| {
            links
                .first()
                .map(|l| l.href.clone())
                .or_else(|| title.as_ref().map(|t| t.content.trim().to_string()))
                .unwrap_or_default()
        })
        .build();
    let feed = parser
        .parse(bytes)
        .map_err(|e| ImportError::Feed(e.to_string()))?;
    // The site: the feed's own page (RSS `channel/link`, Atom
    // `link rel=alternate`), else the feed's id.
    let site = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.trim_end_matches('/').to_string())
        .unwrap_or_else(|| feed.id.clone());
    let source = format!("feed:{site}");
    let mut items = Vec::with_capacity(feed.entries.len());
    for (i, e) in feed.entries.into_iter().enumerate() {
        let external_id = e.id.trim().to_string();
        if external_id.is_empty() {
            return Err(ImportError::Feed(format!(
                "item {} has no guid, link or title to name it by",
                i + 1
            )));
        }
        let title = e.title.map(|t| text_of(&t.content)).unwrap_or_default();
        let summary_html = e.summary.map(|t| t.content).unwrap_or_default();
        let content = e
            .content
            .and_then(|c| c.body)
            .filter(|b| !b.trim().is_empty());
        let (body_html, summary) = match content {
            Some(body) => (as_html(&body), ingest::html_to_text(&summary_html)),
            // The summary is all there is: it is the body, not also a lede.
            None => (as_html(&summary_html), String::new()),
        };
        let link = e.links.first().map(|l| l.href.clone());
        let wanted_slug = link
            .as_deref()
            .and_then(slug_from_link)
            .or_else(|| Slug::from_text(&title, MAX_DERIVED_SLUG))
            .unwrap_or_else(|| hashed_slug("item", &external_id));
        let date = e.published.or(e.updated);
        items.push(ImportItem {
            source: source.clone(),
            external_id,
            wanted_slug,
            dated: date.is_some(),
            input: ArticleInput {
                slug: None,
                title: Some(title),
                summary: Some(excerpt(&summary)),
                body_html: Some(body_html),
                author: e
                    .authors
                    .into_iter()
                    .find_map(|p| p.name.filter(|n| !n.trim().is_empty())),
                published_at: date.map(|d| d.to_rfc3339()),
            },
        });
    }
    Ok(items)
}

/// A post as the WordPress REST API serves it (`GET /wp-json/wp/v2/posts`);
/// only the fields warta uses.
#[derive(Deserialize)]
struct WpPost {
    id: u64,
    #[serde(default)]
    slug: String,
    title: Rendered,
    content: Rendered,
    #[serde(default)]
    excerpt: Option<Rendered>,
    /// `2024-03-01T01:00:00`: UTC without an offset.
    #[serde(default)]
    date_gmt: Option<String>,
    #[serde(default)]
    link: Option<String>,
}

#[derive(Deserialize)]
struct Rendered {
    #[serde(default)]
    rendered: String,
    /// Password-protected posts serve an empty `rendered`.
    #[serde(default)]
    protected: bool,
}

/// Parse one page of `wp/v2/posts` (a JSON array of posts).
pub fn parse_wordpress(bytes: &[u8]) -> Result<Vec<ImportItem>, ImportError> {
    let posts: Vec<WpPost> =
        serde_json::from_slice(bytes).map_err(|e| ImportError::WordPress(e.to_string()))?;
    let mut items = Vec::with_capacity(posts.len());
    for p in posts {
        // Post ids are per site; the site is the origin of the post's link.
        let site = p.link.as_deref().map(origin).unwrap_or_default();
        let title = text_of(&p.title.rendered);
        let wanted_slug = Slug::from_text(&percent_decode(&p.slug), warta_core::MAX_SLUG_LEN)
            .or_else(|| Slug::from_text(&title, MAX_DERIVED_SLUG))
            .unwrap_or_else(|| hashed_slug("post", &p.id.to_string()));
        let date = p.date_gmt.filter(|d| !d.is_empty()).map(|d| {
            if d.ends_with('Z') {
                d
            } else {
                format!("{d}Z")
            }
        });
        items.push(ImportItem {
            source: format!("wordpress:{site}"),
            external_id: p.id.to_string(),
            wanted_slug,
            dated: date.is_some(),
            input: ArticleInput {
                slug: None,
                title: Some(title),
                summary: Some(excerpt(
                    &p.excerpt
                        .map(|e| ingest::html_to_text(&e.rendered))
                        .unwrap_or_default(),
                )),
                // Left empty for a protected post: ingest refuses it by name.
                body_html: Some(if p.content.protected {
                    String::new()
                } else {
                    p.content.rendered
                }),
                author: None,
                published_at: date,
            },
        });
    }
    Ok(items)
}

/// Validate, name and store one item; see the module doc for idempotence.
pub async fn import_item(
    store: &Store,
    config: &Config,
    item: ImportItem,
) -> Result<Imported, ImportError> {
    let mut input = item.input;
    input.slug = Some(item.wanted_slug.to_string());
    // The same validation and sanitising as the CMS API, before any write.
    let mut rev = input
        .into_revision(config.source, warta_store::now_millis(), &config.limits)
        .map_err(|e| ImportError::Invalid(e.message))?;
    let slug = store
        .claim_import_slug(&item.source, &item.external_id, &item.wanted_slug)
        .await?;
    rev.slug = slug.clone();
    match store.article(&slug).await {
        Ok(a) if a.deleted_at.is_some() => {
            return Ok(Imported {
                slug,
                outcome: Outcome::KeptDeleted,
            })
        }
        Ok(a) if !item.dated => rev.published_at = a.published_at,
        Ok(_) | Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let revised = store.create_or_revise(&rev, &config.targets).await?;
    let outcome = if revised.unchanged {
        Outcome::Unchanged
    } else if revised.revision.0 == 1 {
        Outcome::Created
    } else {
        Outcome::Revised(revised.revision)
    };
    Ok(Imported { slug, outcome })
}

/// Plain text from a feed title, which may be HTML (Atom `type="html"`,
/// WordPress `title.rendered` with `&#8211;`) or already plain.
fn text_of(s: &str) -> String {
    if s.contains('<') || s.contains('&') {
        ingest::html_to_text(s)
    } else {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Feed bodies are HTML, except the odd plain-text description: that one
/// becomes escaped paragraphs (blank-line separated).
fn as_html(s: &str) -> String {
    if s.contains('<') {
        return s.to_string();
    }
    s.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A summary longer than ingest allows is an excerpt anyway: cut it at a
/// word rather than refuse the article.
fn excerpt(s: &str) -> String {
    if s.chars().count() <= MAX_SUMMARY_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX_SUMMARY_CHARS - 1).collect();
    let cut = cut
        .rsplit_once(' ')
        .map(|(a, _)| a.to_string())
        .unwrap_or(cut);
    format!("{}…", cut.trim_end())
}

/// The last meaningful path segment of an article URL
/// (`…/2024/03/01/banjir-jakarta/` or `…/banjir-jakarta.html`), if it has a
/// letter in it (`…/?p=123` and `…/article/123456` do not name the story).
fn slug_from_link(link: &str) -> Option<Slug> {
    let path = link.split(['?', '#']).next()?;
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.split_once('/').map_or("", |(_, p)| p)
    });
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let last = percent_decode(last);
    let last = last
        .strip_suffix(".html")
        .or_else(|| last.strip_suffix(".htm"))
        .unwrap_or(&last);
    if !last.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    Slug::from_text(last, MAX_DERIVED_SLUG)
}

/// `scheme://host[:port]` of a URL, or the URL itself if it has no path.
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            )
        }
        None => url.to_string(),
    }
}

/// A stable slug for an item whose title has no Latin letters: `item-` and
/// the first hex digits of its id's SHA-256.
fn hashed_slug(prefix: &str, id: &str) -> Slug {
    let h = hex::encode(Sha256::digest(id.as_bytes()));
    Slug::parse(&format!("{prefix}-{}", &h[..12])).expect("prefix and hex digits form a valid slug")
}

/// Decode `%xx` escapes (WordPress stores non-ASCII slugs percent-encoded);
/// malformed escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // Bytes, not `&s[..]`: a `%` before a multi-byte character must not
        // slice inside it.
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_the_links_last_segment_when_it_names_the_story() {
        let s = |l: &str| slug_from_link(l).map(|s| s.to_string());
        assert_eq!(
            s("https://news.example/2024/03/01/banjir-jakarta/").as_deref(),
            Some("banjir-jakarta")
        );
        assert_eq!(
            s("https://news.example/world/Flood_Update.html?utm=x").as_deref(),
            Some("flood-update")
        );
        assert_eq!(s("https://news.example/?p=123"), None);
        assert_eq!(s("https://news.example/article/123456"), None);
        assert_eq!(s("https://news.example/"), None);
    }

    #[test]
    fn percent_decoding_keeps_malformed_escapes() {
        assert_eq!(percent_decode("s%c3%a3o-paulo"), "são-paulo");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zzb%4"), "a%zzb%4");
        assert_eq!(percent_decode("%é"), "%é");
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        let s = excerpt(&"word ".repeat(1000));
        assert!(
            s.chars().count() <= MAX_SUMMARY_CHARS && s.ends_with("word…"),
            "{s}"
        );
    }

    #[test]
    fn a_title_without_latin_letters_gets_a_stable_hashed_slug() {
        assert_eq!(hashed_slug("item", "x"), hashed_slug("item", "x"));
        assert_ne!(hashed_slug("item", "x"), hashed_slug("item", "y"));
    }
}
