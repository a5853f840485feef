//! One page of the WordPress REST API's `wp/v2/posts` becomes
//! [`ImportItem`]s, named by post id within the site.

use serde::Deserialize;
use warta_core::Slug;

use crate::import::{excerpt, hashed_slug, percent_decode, text_of, MAX_DERIVED_SLUG};
use crate::{html_to_text, ArticleInput, ImportItem, IngestError};

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
pub fn parse_wordpress(bytes: &[u8]) -> Result<Vec<ImportItem>, IngestError> {
    let posts: Vec<WpPost> =
        serde_json::from_slice(bytes).map_err(|e| IngestError::WordPress(e.to_string()))?;
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
            link: p.link,
            dated: date.is_some(),
            input: ArticleInput {
                slug: None,
                title: Some(title),
                summary: Some(excerpt(
                    &p.excerpt
                        .map(|e| html_to_text(&e.rendered))
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
