//! An article as a CMS sends it becomes a validated, sanitised
//! [`NewRevision`], or an [`IngestError`] naming the field: nothing
//! half-parsed goes in. The feed and WordPress imports end here too.

use serde::Deserialize;
use warta_core::{Lang, Slug};
use warta_store::NewRevision;

use crate::IngestError;

pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_SUMMARY_CHARS: usize = 2000;
pub const MAX_AUTHOR_CHARS: usize = 200;

/// What one article may hold (the server's `[limits]`, whose defaults these
/// are). Both caps bound the work one submission queues for the translators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of an article's `body_html`, before sanitising.
    pub article_max_bytes: usize,
    /// Block elements (paragraphs, headings, list items…) of the sanitised body.
    pub article_max_paragraphs: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        article_max_bytes: 512 * 1024,
        article_max_paragraphs: 1_000,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// The article as posted. Fields are optional here only so that a missing one
/// is reported by name rather than as a generic JSON error; the schema says
/// which are required, and that those are strings (`null` is "missing").
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "slug": "banjir-jakarta",
    "title": "Floods in Jakarta",
    "summary": "Heavy rain flooded the city.",
    "body_html": "<p>Heavy rain fell on Jakarta on Monday.</p>",
    "author": "Ana Lima",
    "published_at": "2026-11-24T09:30:00+07:00"
})))]
pub struct ArticleInput {
    /// Identifies the article: posting the same slug again revises it.
    #[cfg_attr(feature = "openapi", schema(value_type = Slug, required = true))]
    pub slug: Option<String>,
    /// Plain text (markup is kept as text).
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1, max_length = 300))]
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub summary: Option<String>,
    /// HTML; sanitised before it is stored (scripts, styles and unknown
    /// attributes are dropped), and must keep some text or an image.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1))]
    pub body_html: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub author: Option<String>,
    /// RFC 3339, e.g. `2024-03-01T08:00:00+07:00`; defaults to now.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub published_at: Option<String>,
}

/// Parse a JSON body into `T`: a body that is not JSON is
/// [`IngestError::Malformed`], a JSON value of the wrong shape names the
/// field serde names.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, IngestError> {
    serde_json::from_slice(body).map_err(|e| {
        let msg = e.to_string();
        // serde names the offending field as `field` in backquotes.
        let field = msg.split('`').nth(1).unwrap_or("body").to_string();
        if e.is_syntax() || e.is_eof() {
            IngestError::Malformed(msg)
        } else {
            IngestError::field(&field, msg)
        }
    })
}

impl ArticleInput {
    pub fn into_revision(
        self,
        source: Lang,
        now_ms: i64,
        limits: &Limits,
    ) -> Result<NewRevision, IngestError> {
        let slug = Slug::parse(&required("slug", self.slug)?)
            .map_err(|e| IngestError::field("slug", e.to_string()))?;
        let title = plain_text(
            "title",
            &required("title", self.title)?,
            MAX_TITLE_CHARS,
            false,
        )?;
        let summary = plain_text(
            "summary",
            &self.summary.unwrap_or_default(),
            MAX_SUMMARY_CHARS,
            true,
        )?;
        let body_html = body_html("body_html", required("body_html", self.body_html)?, limits)?;
        let author = match self.author {
            Some(a) if !a.trim().is_empty() => {
                Some(plain_text("author", &a, MAX_AUTHOR_CHARS, false)?)
            }
            _ => None,
        };
        let published_at = match self.published_at {
            None => now_ms,
            Some(s) => parse_time("published_at", &s)?,
        };
        Ok(NewRevision {
            slug,
            title,
            summary,
            body_html,
            author,
            published_at,
            source_lang: source,
        })
    }
}

/// An article body: within the size limit, sanitised, and with no more
/// block elements (paragraphs, headings, list items…) than the limit. Over
/// either is [`IngestError::TooLarge`] naming the field.
pub fn body_html(field: &str, raw: String, limits: &Limits) -> Result<String, IngestError> {
    let over = |message: String| IngestError::TooLarge {
        field: field.to_string(),
        message,
    };
    if raw.len() > limits.article_max_bytes {
        return Err(over(format!(
            "`{field}` is {} bytes, more than the limit of {} bytes",
            raw.len(),
            limits.article_max_bytes
        )));
    }
    let clean =
        warta_html::sanitize_checked(&raw).map_err(|e| IngestError::field(field, e.to_string()))?;
    // Counted on the sanitised body, the one that is cut into segments.
    let blocks = warta_html::Fragment::parse(&clean)
        .map_err(|e| IngestError::field(field, e.to_string()))?
        .units()
        .iter()
        .filter(|u| !matches!(u.kind, warta_html::UnitKind::Attribute { .. }))
        .count();
    if blocks > limits.article_max_paragraphs {
        return Err(over(format!(
            "`{field}` has {blocks} paragraphs (block elements), more than the limit of {}",
            limits.article_max_paragraphs
        )));
    }
    Ok(clean)
}

pub fn required(field: &str, v: Option<String>) -> Result<String, IngestError> {
    v.ok_or_else(|| IngestError::field(field, format!("`{field}` is required")))
}

/// Titles, summaries and names are plain text: trimmed, no control
/// characters, bounded. Markup in them is kept as text and escaped on output.
pub fn plain_text(
    field: &str,
    s: &str,
    max_chars: usize,
    may_be_empty: bool,
) -> Result<String, IngestError> {
    let t = s.trim();
    if t.is_empty() && !may_be_empty {
        return Err(IngestError::field(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    if t.chars().count() > max_chars {
        return Err(IngestError::field(
            field,
            format!("`{field}` is longer than {max_chars} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(IngestError::field(
            field,
            format!("`{field}` contains control characters"),
        ));
    }
    Ok(t.to_string())
}

/// The readable text of an HTML snippet (a feed's HTML title or excerpt),
/// entities decoded and whitespace collapsed, blocks joined by a space.
/// Sanitised first, so the text of a `<script>` never leaks into a title.
pub fn html_to_text(html: &str) -> String {
    let clean = warta_html::sanitize(html);
    match warta_html::Fragment::parse(&clean) {
        Ok(f) => f
            .units()
            .iter()
            .filter(|u| !matches!(u.kind, warta_html::UnitKind::Attribute { .. }))
            .map(|u| u.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        // Only nesting deeper than warta-html's limit fails: no title is that.
        Err(_) => String::new(),
    }
}

/// An RFC 3339 time as unix milliseconds. The instant must fall within the
/// years 0001–9999 in UTC, where warta writes it back out (the API, feeds,
/// the sitemap): `0000-01-01T00:00:00+01:00` parses, but is in year −1 in UTC,
/// which RFC 3339 cannot write.
pub fn parse_time(field: &str, s: &str) -> Result<i64, IngestError> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            IngestError::field(
                field,
                format!(
                    "`{field}` must be an RFC 3339 time like 2024-03-01T08:00:00+07:00, got `{s}`"
                ),
            )
        })?;
    // `checked_`: a year-9999 time with a negative offset is past what
    // `time` holds once in UTC, where `to_offset` would panic.
    let utc_year = t.checked_to_offset(time::UtcOffset::UTC).map(|u| u.year());
    if !utc_year.is_some_and(|y| (1..=9999).contains(&y)) {
        return Err(IngestError::field(
            field,
            format!("`{field}` must be between the years 0001 and 9999 in UTC, got `{s}`"),
        ));
    }
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ArticleInput {
        ArticleInput {
            slug: Some("banjir-jakarta".into()),
            title: Some("Banjir di Jakarta".into()),
            summary: None,
            body_html: Some("<p>Hujan deras.</p><script>alert(1)</script>".into()),
            author: None,
            published_at: Some("2024-03-01T08:00:00+07:00".into()),
        }
    }

    #[test]
    fn sanitises_body_and_parses_time() {
        let r = input()
            .into_revision(Lang::parse("id").unwrap(), 0, &Limits::default())
            .unwrap();
        assert!(!r.body_html.contains("script"));
        // 2024-03-01T01:00:00Z = 1709254800 s (date -d ... +%s).
        assert_eq!(r.published_at, 1_709_254_800_000);
    }

    #[test]
    fn times_outside_what_rfc3339_can_write_back_are_refused() {
        // Valid RFC 3339 on the way in, but year -1 / 10000 once in UTC: the
        // API would have answered `published_at: ""` for them.
        for s in [
            "0000-01-01T00:00:00+23:59",
            "0000-12-31T23:59:59Z",
            "9999-12-31T23:59:59-00:01",
        ] {
            assert_eq!(
                parse_time("published_at", s).unwrap_err().field_name(),
                Some("published_at"),
                "{s}"
            );
        }
        // The edges that stay inside: -62135596800 s and 253402300799 s
        // (Python: datetime(1,1,1,tzinfo=utc).timestamp(), datetime(9999,12,31,23,59,59,tzinfo=utc).timestamp()).
        assert_eq!(
            parse_time("t", "0001-01-01T00:00:00Z").unwrap(),
            -62_135_596_800_000
        );
        assert_eq!(
            parse_time("t", "9999-12-31T23:59:59Z").unwrap(),
            253_402_300_799_000
        );
        for ms in [-62_135_596_800_000, 253_402_300_799_000] {
            assert!(!warta_core::Timestamp::from_unix_millis(ms)
                .rfc3339()
                .is_empty());
        }
    }

    #[test]
    fn html_to_text_decodes_entities_and_drops_markup() {
        // WordPress renders `--` in a title as `&#8211;` (an en dash).
        assert_eq!(
            html_to_text("Flood &#8211; <em>update</em>"),
            "Flood \u{2013} update"
        );
        assert_eq!(
            html_to_text("<p>One.</p>\n<p>Two <script>x()</script>three.</p>"),
            "One. Two three."
        );
        assert_eq!(html_to_text("Tom & Jerry"), "Tom & Jerry");
    }

    #[test]
    fn errors_name_the_field() {
        let mut i = input();
        i.title = Some("  ".into());
        assert_eq!(
            i.into_revision(Lang::english(), 0, &Limits::default())
                .unwrap_err()
                .field_name(),
            Some("title")
        );
        let mut i = input();
        i.slug = Some("Bad Slug".into());
        assert_eq!(
            i.into_revision(Lang::english(), 0, &Limits::default())
                .unwrap_err()
                .field_name(),
            Some("slug")
        );
        let mut i = input();
        i.published_at = Some("yesterday".into());
        assert_eq!(
            i.into_revision(Lang::english(), 0, &Limits::default())
                .unwrap_err()
                .field_name(),
            Some("published_at")
        );
        let mut i = input();
        i.body_html = None;
        assert_eq!(
            i.into_revision(Lang::english(), 0, &Limits::default())
                .unwrap_err()
                .field_name(),
            Some("body_html")
        );
        let e = parse_json::<ArticleInput>(br#"{"slug":"a","colour":1}"#).unwrap_err();
        assert_eq!(e.field_name(), Some("colour"));
    }

    #[test]
    fn body_over_the_limits_is_too_large_naming_body_html() {
        let limits = Limits {
            article_max_bytes: 100,
            article_max_paragraphs: 3,
        };
        let mut i = input();
        i.body_html = Some(format!("<p>{}</p>", "a".repeat(200)));
        let e = i.into_revision(Lang::english(), 0, &limits).unwrap_err();
        assert!(
            matches!(&e, IngestError::TooLarge { field, .. } if field == "body_html"),
            "{e:?}"
        );
        let mut i = input();
        // Four blocks: one over the cap of three.
        i.body_html = Some("<p>a</p><p>b</p><ul><li>c</li></ul><h2>d</h2>".into());
        let e = i.into_revision(Lang::english(), 0, &limits).unwrap_err();
        assert!(
            matches!(&e, IngestError::TooLarge { field, .. } if field == "body_html"),
            "{e:?}"
        );
        let mut i = input();
        i.body_html =
            Some("<p>a</p><p>b</p><p>c <img src=\"x.png\" alt=\"not a block\"></p>".into());
        assert!(i.into_revision(Lang::english(), 0, &limits).is_ok());
        let e = parse_json::<ArticleInput>(br#"{"slug":"a","colour":1}"#).unwrap_err();
        assert_eq!(e.field_name(), Some("colour"));
    }
}
