//! Parsing into warta's own small tree, element classes, and escaping.
//!
//! html5ever (through scraper) does the parsing, so malformed input is
//! repaired exactly as a browser would repair it; the result is copied into a
//! plain owned tree so that the rest of the crate depends on no parser type.
//! Comments, doctypes and processing instructions are dropped: sanitised HTML
//! has none, and they carry nothing to translate.

use crate::HtmlError;
use scraper::{Html, Node as ParsedNode};

/// Deepest element nesting [`crate::Fragment::parse`] accepts. Every walk in
/// this crate is recursive; this bound keeps them far from the stack limit
/// while being far deeper than any article.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone)]
pub(crate) enum Raw {
    Text(String),
    Element(RawElement),
}

#[derive(Debug, Clone)]
pub(crate) struct RawElement {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Raw>,
}

/// Parses `html` as the content of a `<body>` (a fragment, not a document).
pub(crate) fn parse(html: &str) -> Result<Vec<Raw>, HtmlError> {
    let doc = Html::parse_fragment(html);
    let mut out = Vec::new();
    for child in doc.root_element().children() {
        convert(child, 1, &mut out)?;
    }
    Ok(out)
}

fn convert(
    node: ego_tree::NodeRef<'_, ParsedNode>,
    depth: usize,
    out: &mut Vec<Raw>,
) -> Result<(), HtmlError> {
    match node.value() {
        ParsedNode::Text(text) => {
            // html5ever may leave adjacent text nodes; one node per run of
            // text keeps whitespace handling simple.
            if let Some(Raw::Text(prev)) = out.last_mut() {
                prev.push_str(text);
            } else {
                out.push(Raw::Text(text.to_string()));
            }
        }
        ParsedNode::Element(el) => {
            if depth > MAX_DEPTH {
                return Err(HtmlError::TooDeep { limit: MAX_DEPTH });
            }
            let attrs = el
                .attrs
                .iter()
                .map(|(name, value)| {
                    let name = match &name.prefix {
                        Some(prefix) => format!("{}:{}", &**prefix, &*name.local),
                        None => name.local.to_string(),
                    };
                    (name, value.to_string())
                })
                .collect();
            let mut children = Vec::new();
            for child in node.children() {
                convert(child, depth + 1, &mut children)?;
            }
            out.push(Raw::Element(RawElement {
                name: el.name().to_string(),
                attrs,
                children,
            }));
        }
        _ => {}
    }
    Ok(())
}

#[rustfmt::skip]
const BLOCK: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "colgroup", "col", "hr", "div", "section", "article", "aside",
    "header", "footer", "nav", "main", "address", "details", "summary", "hgroup", "form",
    "fieldset", "legend",
];
#[rustfmt::skip]
const OPAQUE_BLOCK: &[&str] = &[
    "pre", "listing", "xmp", "plaintext", "script", "style", "template", "textarea",
    "select", "svg", "math", "iframe", "object", "noscript", "noembed", "noframes", "title",
];
#[rustfmt::skip]
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
];
#[rustfmt::skip]
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript",
];

/// Elements that start a new block: text on either side of them belongs to
/// different units.
pub(crate) fn is_block(name: &str) -> bool {
    BLOCK.contains(&name)
}

/// Block-level elements whose content is never translated and is written
/// back exactly as parsed (`pre` is code; the others are not prose).
pub(crate) fn is_opaque_block(name: &str) -> bool {
    OPAQUE_BLOCK.contains(&name)
}

/// Inline elements whose text the model sees but whose content is put back
/// verbatim: code must not be "translated" or re-spaced.
pub(crate) fn is_opaque_inline(name: &str) -> bool {
    matches!(name, "code" | "kbd" | "samp")
}

/// Elements that never have content or an end tag.
pub(crate) fn is_void(name: &str) -> bool {
    VOID.contains(&name)
}

/// Elements whose text the HTML parser reads raw, so it must be written raw.
pub(crate) fn is_raw_text(name: &str) -> bool {
    RAW_TEXT.contains(&name)
}

/// The parser drops one newline right after these start tags, so a leading
/// newline in their content must be written twice to survive a round trip.
pub(crate) fn drops_leading_newline(name: &str) -> bool {
    matches!(name, "pre" | "textarea" | "listing")
}

/// The whitespace HTML collapses (ASCII whitespace; not U+00A0).
pub(crate) fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Text as the HTML parser will read it back, and as [`crate::sanitize`]
/// would keep it: markup characters escaped, the characters the parser never
/// keeps as written removed — U+0000 (dropped from text) and CR (a line
/// break is LF after parsing) — and U+FEFF, which the sanitiser removes.
/// Sanitised text never holds them; a translation may (found by
/// fuzz/fuzz_targets/html_round_trip.rs: rendered output must not change when
/// sanitised again).
pub(crate) fn escape_text(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\0' | '\u{feff}' => {}
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            c => out.push(c),
        }
    }
}

/// An attribute value as the parser will read it back (see [`escape_text`];
/// in attribute values the parser turns U+0000 into U+FFFD).
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\0' => out.push('\u{fffd}'),
            '\u{feff}' => {}
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            c => out.push(c),
        }
    }
}

/// Writes a start tag. Callers pass attribute values already translated;
/// names come from the parser, which only produces safe ones.
pub(crate) fn write_start_tag<'a>(
    name: &str,
    attrs: impl Iterator<Item = (&'a str, &'a str)>,
    out: &mut String,
) {
    out.push('<');
    out.push_str(name);
    for (attr, value) in attrs {
        out.push(' ');
        out.push_str(attr);
        out.push_str("=\"");
        escape_attr(value, out);
        out.push('"');
    }
    out.push('>');
}

pub(crate) fn write_end_tag(name: &str, out: &mut String) {
    if !is_void(name) {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(nodes: &[Raw]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                Raw::Text(t) => format!("#{t}"),
                Raw::Element(e) => e.name.clone(),
            })
            .collect()
    }

    #[test]
    fn parse_repairs_like_a_browser_and_drops_comments() {
        // Expected from the HTML parsing spec: an unclosed <p> is closed by
        // the next <p>; the comment is not content.
        let nodes = parse("<p>a<!-- x --><p>b").unwrap();
        assert_eq!(names(&nodes), ["p", "p"]);
        let Raw::Element(first) = &nodes[0] else {
            panic!("not an element")
        };
        assert_eq!(names(&first.children), ["#a"]);
    }

    #[test]
    fn parse_refuses_pathological_nesting_instead_of_overflowing() {
        // Expected: the documented MAX_DEPTH bound, not a stack overflow.
        let deep = "<div>".repeat(MAX_DEPTH + 10);
        assert_eq!(
            parse(&deep).unwrap_err(),
            HtmlError::TooDeep { limit: MAX_DEPTH }
        );
        assert!(parse(&"<div>".repeat(MAX_DEPTH - 1)).is_ok());
    }

    #[test]
    fn escaping_covers_markup_characters() {
        // Expected: the HTML serialisation rules for text and quoted values.
        let mut t = String::new();
        escape_text("a < b & \"c\"", &mut t);
        assert_eq!(t, "a &lt; b &amp; \"c\"");
        let mut a = String::new();
        escape_attr("a < b & \"c\"", &mut a);
        assert_eq!(a, "a &lt; b &amp; &quot;c&quot;");
    }

    #[test]
    fn escaped_text_reads_back_as_written() {
        // Expected from the HTML parsing spec: input preprocessing turns CR
        // LF and lone CR into LF (§13.2.3.5); a U+0000 character token is
        // ignored "in body" (§13.2.6.4.7) and becomes U+FFFD in an attribute
        // value (§13.2.5.36). So what escape_* writes must hold neither, and
        // sanitising it again (parse + serialise) must change nothing.
        // Regression: the fuzzer's `x">h\u{1}\0\0E` and `in \u{feff}href`, and
        // a CR in a translation. (U+FEFF: sanitize.rs removes it everywhere.)
        for s in [
            "x\">h\u{1}\0\0E",
            "in \u{feff}href",
            "a\r\nb\rc",
            "\0",
            "\r",
        ] {
            let (mut t, mut a) = (String::new(), String::new());
            escape_text(s, &mut t);
            escape_attr(s, &mut a);
            let html = format!("<p title=\"{a}\">{t}</p>");
            assert_eq!(crate::sanitize(&html), html, "{s:?}");
            assert!(!html.contains(['\0', '\r']), "{html:?}");
            let nodes = parse(&html).unwrap();
            let Raw::Element(p) = &nodes[0] else {
                panic!("not an element")
            };
            let text: String = p
                .children
                .iter()
                .map(|n| match n {
                    Raw::Text(t) => t.as_str(),
                    _ => "",
                })
                .collect();
            let kept = s
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\u{feff}', "");
            assert_eq!(text, kept.replace('\0', ""), "{s:?}");
            let title = &p.attrs.iter().find(|(k, _)| k == "title").unwrap().1;
            assert_eq!(*title, kept.replace('\0', "\u{fffd}"), "{s:?}");
        }
    }
}
