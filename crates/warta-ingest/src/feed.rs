//! RSS 2.0, RSS 0.9x/1.0, Atom and JSON Feed documents become
//! [`ImportItem`]s: decoded to UTF-8 first ([`crate::charset`]), older
//! dialects named as feed-rs knows them ([`dialects`]), parsed by feed-rs
//! behind a panic guard, each item named by its GUID.

use warta_core::Slug;

use crate::charset::{self, Decoded};
use crate::guard::no_panic;
use crate::import::{as_html, excerpt, hashed_slug, slug_from_link, text_of, MAX_DERIVED_SLUG};
use crate::{html_to_text, ArticleInput, ImportItem, IngestError};

/// A parsed feed: its own title, the encoding it was read in, its items.
#[derive(Debug)]
pub struct ParsedFeed {
    /// The feed's title as text (empty when it has none).
    pub title: String,
    /// The encoding the bytes were decoded from (`UTF-8`, `Shift_JIS`…).
    pub encoding: &'static str,
    pub items: Vec<ImportItem>,
}

/// Parse an RSS 2.0, Atom (or RSS 0.9x/1.0, JSON Feed) document.
/// `base_url` is where it was fetched from, for relative links;
/// `http_charset` the `charset` of the response's `Content-Type`, if any.
/// Each item's body is its full content (`content:encoded`, Atom
/// `content`) when present, else its summary (`description`, Atom
/// `summary`). Nothing in the bytes can make this panic.
pub fn parse_feed(
    bytes: &[u8],
    base_url: Option<&str>,
    http_charset: Option<&str>,
) -> Result<ParsedFeed, IngestError> {
    let Decoded {
        mut text, encoding, ..
    } = charset::decode_feed(bytes, http_charset)
        .map_err(|why| IngestError::Feed(format!("cannot read the feed: {why}")))?;
    dialects(&mut text);
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
    let feed = no_panic(|| parser.parse(text.as_bytes()))
        .map_err(|panic| {
            IngestError::Feed(format!(
                "the feed parser (feed-rs) failed on this document ({panic}); \
                 please report it with the feed attached"
            ))
        })?
        .map_err(|e| {
            IngestError::Feed(format!(
                "not an RSS 2.0 or Atom feed: {}",
                why_not(&e, &text)
            ))
        })?;
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
        // No GUID, link or title: the id generator gave nothing. Such an
        // item has no headline either, so validation refuses it (by this
        // label) before anything is stored under it; the rest of the feed
        // is still imported.
        let external_id = match e.id.trim() {
            "" => format!("item {} (no guid, link or title)", i + 1),
            id => id.to_string(),
        };
        let title = e.title.map(|t| text_of(&t.content)).unwrap_or_default();
        // No summary: a media item's description (Media RSS, as YouTube
        // and podcast feeds write it) is what describes the story.
        let summary_html = e
            .summary
            .or_else(|| e.media.into_iter().find_map(|m| m.description))
            .map(|t| t.content)
            .unwrap_or_default();
        let content = e
            .content
            .and_then(|c| c.body)
            .filter(|b| !b.trim().is_empty());
        let (body_html, summary) = match content {
            Some(body) => (as_html(&body), html_to_text(&summary_html)),
            // The summary is all there is: it is the body, not also a lede.
            None => (as_html(&summary_html), String::new()),
        };
        // The story's page: Atom's `rel="alternate"` (or no rel), not a
        // `replies`, `self` or `enclosure` link that may come first.
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
            .map(|l| l.href.clone());
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
            link,
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
    Ok(ParsedFeed {
        title: feed.title.map(|t| text_of(&t.content)).unwrap_or_default(),
        encoding,
        items,
    })
}

/// feed-rs's reason, or for its "no root element" what the root is.
fn why_not(e: &feed_rs::parser::ParseFeedError, text: &str) -> String {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    if !matches!(e, ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot)) {
        return e.to_string();
    }
    let name = root_start_tag(text).map(|tag| {
        text[tag.start + 1..tag.end]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    match name {
        None if text.trim_start().starts_with('{') => {
            "a JSON document, but not a JSON Feed".to_string()
        }
        None => "no XML element in it".to_string(),
        Some(n) if n.rsplit(':').next() == Some("rss") => format!("`<{n}>` has no `<channel>`"),
        Some(n) => format!("its root element is `<{n}>`, not `<rss>`, `<feed>` or `<rdf:RDF>`"),
    }
}

/// Namespaces of older dialects, and the one feed-rs reads them as. Atom 0.3
/// (2003, still served by old blogs) names the elements Atom 1.0 kept;
/// RSS 2.0 in UserLand's namespace and RSS 0.90 are RSS under another
/// name. feedparser reads all of them.
const NAMESPACE_ALIASES: &[(&str, &str)] = &[
    (ATOM_0_3, "http://www.w3.org/2005/Atom"),
    (
        "http://backend.userland.com/rss2",
        "http://purl.org/rss/1.0/",
    ),
    (
        "http://backend.userland.com/rss",
        "http://purl.org/rss/1.0/",
    ),
    (
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/rss/1.0/",
    ),
];

const ATOM_0_3: &str = "http://purl.org/atom/ns#";

/// Atom 0.3 typed its text with MIME types; Atom 1.0 (and feed-rs, which
/// refuses the whole feed on an unknown one) with these words.
const ATOM_0_3_TYPES: &[(&str, &str)] =
    &[("text/plain", "text"), ("application/xhtml+xml", "xhtml")];

/// Replace `"old"` and `'old'` (an attribute value) with `new`, quoted alike.
fn quoted_replace(text: &mut String, old: &str, new: &str) {
    for q in ['"', '\''] {
        let from = format!("{q}{old}{q}");
        if text.contains(&from) {
            *text = text.replace(&from, &format!("{q}{new}{q}"));
        }
    }
}

/// RSS versions feed-rs knows; any other `<rss>` (none, `0.93`, `2.01`…)
/// is read as 2.0, its superset, as feedparser does.
const RSS_VERSIONS: &[&str] = &["2.0", "0.91", "0.92"];

/// Rename what feed-rs would refuse or silently read as empty, before it
/// parses: the namespace URIs of [`NAMESPACE_ALIASES`] (as quoted attribute
/// values only, so text that mentions them is untouched), Atom 0.3's
/// [`ATOM_0_3_TYPES`], and the `version` of an `<rss>` root outside
/// [`RSS_VERSIONS`].
fn dialects(text: &mut String) {
    let atom_0_3 = text.contains(ATOM_0_3);
    for (old, new) in NAMESPACE_ALIASES {
        quoted_replace(text, old, new);
    }
    if atom_0_3 {
        for (old, new) in ATOM_0_3_TYPES {
            quoted_replace(text, old, new);
        }
    }
    let Some(root) = root_start_tag(text) else {
        return;
    };
    let tag = &text[root.clone()];
    let name = tag[1..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or_default();
    if name.rsplit(':').next() != Some("rss") {
        return;
    }
    match attribute(tag, "version") {
        Some((_, v)) if RSS_VERSIONS.contains(&v.trim()) => {}
        Some((range, _)) => {
            let range = root.start + range.start..root.start + range.end;
            text.replace_range(range, "2.0");
        }
        None => {
            let at = root.start + 1 + name.len();
            text.insert_str(at, " version=\"2.0\"");
        }
    }
}

/// The byte range of the document's first start tag (`<rss …>`), past the
/// declaration, comments, processing instructions and a DOCTYPE.
fn root_start_tag(text: &str) -> Option<std::ops::Range<usize>> {
    let mut i = 0;
    loop {
        i += text[i..].find('<')?;
        let rest = &text[i..];
        let skip = if rest.starts_with("<?") {
            rest.find("?>")? + 2
        } else if rest.starts_with("<!--") {
            rest.find("-->")? + 3
        } else if rest.starts_with("<!") {
            // A DOCTYPE, perhaps with an internal subset in brackets.
            let close = rest.find('>')?;
            match rest.find('[') {
                Some(open) if open < close => rest.find("]>").map_or(close + 1, |e| e + 2),
                _ => close + 1,
            }
        } else {
            return Some(i..i + rest.find('>')? + 1);
        };
        i += skip;
    }
}

/// An attribute's value in a start tag: its byte range within the tag, and
/// the value.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<(std::ops::Range<usize>, &'t str)> {
    let mut from = 0;
    while let Some(at) = tag[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        // A whole attribute name: whitespace before, `=` after.
        if !tag[..start].ends_with(char::is_whitespace) {
            continue;
        }
        let Some(value) = tag[from..].trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let begin = tag.len() - value.len() + 1;
        let end = begin + tag[begin..].find(quote)?;
        return Some((begin..end, &tag[begin..end]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf16_feed_is_read_not_a_panic() {
        // What crashed `warta import` (issue 18): UTF-16 with a declaration.
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\
                   <rss version=\"2.0\"><channel><title>Notícias</title>\
                   <item><title>Ação</title><guid>a</guid><description>Texto.</description></item>\
                   </channel></rss>";
        for mark in [true, false] {
            let mut bytes: Vec<u8> = if mark { vec![0xFF, 0xFE] } else { vec![] };
            bytes.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
            let f = parse_feed(&bytes, None, None).unwrap();
            assert_eq!((f.title.as_str(), f.encoding), ("Notícias", "UTF-16LE"));
            assert_eq!(f.items[0].input.title.as_deref(), Some("Ação"));
        }
    }

    #[test]
    fn older_dialects_are_renamed_for_feed_rs() {
        let mut t = "<?xml version=\"1.0\"?><!-- <rss> --><!DOCTYPE rss [<!ENTITY a \"b\">]>\
                     <rss><channel/></rss>"
            .to_string();
        dialects(&mut t);
        assert!(
            t.ends_with("]><rss version=\"2.0\"><channel/></rss>"),
            "{t}"
        );
        let mut t =
            "<r:rss version = '0.94' xmlns:r=\"http://backend.userland.com/rss2\">".to_string();
        dialects(&mut t);
        assert_eq!(
            t,
            "<r:rss version = '2.0' xmlns:r=\"http://purl.org/rss/1.0/\">"
        );
        let mut t = "<feed version=\"0.3\" xmlns='http://purl.org/atom/ns#'>".to_string();
        dialects(&mut t);
        assert_eq!(
            t,
            "<feed version=\"0.3\" xmlns='http://www.w3.org/2005/Atom'>"
        );
        for unchanged in [
            "<rss version=\"0.91\">",
            "<feed>",
            "",
            "<",
            "<!--",
            "<rss",
            "<!DOCTYPE [",
        ] {
            let mut t = unchanged.to_string();
            dialects(&mut t);
            assert_eq!(t, unchanged);
        }
    }

    #[test]
    fn an_atom_0_3_feed_is_read() {
        // Atom 0.3 as feedparser's corpus writes it (tests/wellformed/atom/).
        let doc = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old blog</title>
            <entry><title>Post</title><link rel="alternate" href="http://example.org/post"/>
            <id>tag:example.org,2004:1</id><content type="text/html" mode="escaped">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.title, "Old blog");
        // Its MIME-typed text (feedparser's tests/wellformed/base/entry_title_xml_base_inherit_3.xml
        // was refused whole for it).
        let typed = doc.replace(
            "<title>Post</title>",
            r#"<title type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>post</b></div></title>"#,
        );
        let f = parse_feed(typed.as_bytes(), None, None).unwrap();
        assert_eq!(f.items[0].input.title.as_deref(), Some("A post"));
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].link.as_deref(), Some("http://example.org/post"));
        assert_eq!(f.items[0].input.body_html.as_deref(), Some("<p>Hi</p>"));
    }

    #[test]
    fn a_media_description_is_the_body_when_there_is_no_other() {
        let doc = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>V</title>
            <item><title>Flood video</title><guid>v1</guid>
            <media:group><media:content url="http://x.example/v.mp4" type="video/mp4"/>
            <media:description>Water in the streets.</media:description></media:group></item></channel></rss>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(
            f.items[0].input.body_html.as_deref(),
            Some("<p>Water in the streets.</p>")
        );
    }

    #[test]
    fn an_item_without_guid_link_or_title_fails_alone() {
        // Regression: feedparser's corpus (tests/encoding/encoding_attribute_crash.xml
        // and 8 more) has such items; the whole feed used to be refused.
        let doc = "<rss version=\"2.0\"><channel><item><description>x</description></item>\
                   <item><title>T</title><guid>g</guid><description>y</description></item></channel></rss>";
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.items.len(), 2);
        assert_eq!(f.items[0].label(), "item 1 (no guid, link or title)");
        let newsroom = crate::Newsroom {
            source: warta_core::Lang::english(),
            targets: vec![],
            limits: crate::Limits::default(),
        };
        let e = f.items[0].revision(&newsroom, 0).unwrap_err();
        assert_eq!(e.field_name(), Some("title"));
        assert!(f.items[1].revision(&newsroom, 0).is_ok());
    }

    #[test]
    fn the_link_is_the_alternate_one() {
        // Regression: feedparser's tests/wellformed/namespace/atomthreadingwithentry.xml,
        // whose first link is `rel="replies"`.
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><id>f</id><title>F</title>
            <entry><id>e</id><title>T</title><link rel="replies" href="http://x.example/comments"/>
            <link rel="alternate" href="http://x.example/story"/><summary>s</summary></entry></feed>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.items[0].link.as_deref(), Some("http://x.example/story"));
        assert_eq!(f.items[0].wanted_slug.to_string(), "story");
    }

    #[test]
    fn what_is_not_a_feed_is_one_sentence() {
        for (doc, why) in [
            (&b"just some notes\n"[..], "no XML element in it"),
            (
                b"<!DOCTYPE html><html><body>news</body></html>",
                "its root element is `<html>`",
            ),
            // feedparser's tests/encoding/utf-16le-bom.xml, once decoded.
            (
                b"<?xml version=\"1.0\"?><!-- x --><rss>\n</rss>",
                "`<rss>` has no `<channel>`",
            ),
        ] {
            let e = parse_feed(doc, None, None).unwrap_err().to_string();
            assert!(
                e.starts_with("not an RSS 2.0 or Atom feed: ") && e.contains(why),
                "{e}"
            );
        }
        let e = parse_feed(&[0x4C, 0x6F, 0xA7, 0x94], None, None).unwrap_err();
        assert!(e.to_string().starts_with("cannot read the feed: "), "{e}");
    }
}
