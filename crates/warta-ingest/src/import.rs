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
//! `warta import` does HTTP), or write anything for a document that does not
//! parse — parsing a document is all-or-nothing and happens before its first
//! write.

use sha2::{Digest, Sha256};
use warta_core::{Lang, Slug};
use warta_store::{NewRevision, RevisionNo, Store, StoreError};

use crate::{html_to_text, ArticleInput, IngestError, Limits, MAX_SUMMARY_CHARS};

/// Slugs made from headlines stay shorter than the 120 allowed: a URL is
/// read by people too.
pub(crate) const MAX_DERIVED_SLUG: usize = 80;

/// The newsroom an import stores into: what the CMS API would use for a
/// submission (the server's `Config` gives these).
#[derive(Debug, Clone)]
pub struct Newsroom {
    /// The language articles are written in.
    pub source: Lang,
    /// One translation job per target language for each new revision.
    pub targets: Vec<Lang>,
    pub limits: Limits,
}

/// One article to import, parsed and named but not yet validated.
#[derive(Debug)]
pub struct ImportItem {
    /// `feed:<site>` or `wordpress:<site>`: scopes `external_id`.
    pub source: String,
    /// The feed item's GUID (Atom `id`) or the WordPress post id.
    pub external_id: String,
    /// The slug a new article gets (before making it unique).
    pub wanted_slug: Slug,
    /// The item's link (the story's page on the source site), if it has one.
    pub link: Option<String>,
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

    /// The revision the CMS API would store for this item under its wanted
    /// slug: the same validation and sanitising, which [`import_item`] does
    /// before any write.
    pub fn revision(&self, newsroom: &Newsroom, now_ms: i64) -> Result<NewRevision, IngestError> {
        let mut input = self.input.clone();
        input.slug = Some(self.wanted_slug.to_string());
        input.into_revision(newsroom.source, now_ms, &newsroom.limits)
    }
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

/// Validate, name and store one item; see the module doc for idempotence.
///
/// An item the CMS API would refuse is [`IngestError::Invalid`] or
/// [`IngestError::TooLarge`], before any write; a database failure is
/// [`IngestError::Store`].
pub async fn import_item(
    store: &Store,
    newsroom: &Newsroom,
    item: ImportItem,
) -> Result<Imported, IngestError> {
    let mut rev = item.revision(newsroom, warta_store::now_millis())?;
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
    let revised = store.create_or_revise(&rev, &newsroom.targets).await?;
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
pub(crate) fn text_of(s: &str) -> String {
    if s.contains('<') || s.contains('&') {
        html_to_text(s)
    } else {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Feed bodies are HTML, except the odd plain-text description: that one
/// becomes escaped paragraphs (blank-line separated).
pub(crate) fn as_html(s: &str) -> String {
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
pub(crate) fn excerpt(s: &str) -> String {
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
pub(crate) fn slug_from_link(link: &str) -> Option<Slug> {
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

/// A stable slug for an item whose title has no Latin letters: `item-` and
/// the first hex digits of its id's SHA-256.
pub(crate) fn hashed_slug(prefix: &str, id: &str) -> Slug {
    let h = hex::encode(Sha256::digest(id.as_bytes()));
    Slug::parse(&format!("{prefix}-{}", &h[..12])).expect("prefix and hex digits form a valid slug")
}

/// Decode `%xx` escapes (WordPress stores non-ASCII slugs percent-encoded);
/// malformed escapes are kept as they are.
pub(crate) fn percent_decode(s: &str) -> String {
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
