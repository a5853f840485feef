//! What a fragment is made of, read the way a browser reads it: its elements
//! in document order (with each link's `href`), whether it needed repair, and
//! its text. The QA tags check compares a translation's outline with its
//! source's; the store looks for glossary terms in the text. Both go through
//! the same html5ever parse as everything else in this crate.

use scraper::Html;

use crate::tree::{self, Raw};

/// One element of a fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Lower-case tag name.
    pub name: String,
    /// The `href` attribute, as the parser decoded it (`&amp;` → `&`).
    pub href: Option<String>,
}

/// The elements of a parsed fragment and the parser's repairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Every element, in document order.
    pub elements: Vec<Element>,
    /// Where the markup was not well-formed (a stray or crossed end tag, an
    /// element never closed…), in the parser's words; empty when the
    /// fragment parsed cleanly.
    pub repairs: Vec<String>,
}

/// The outline of `html`. Never fails: markup nested deeper than
/// [`crate::MAX_DEPTH`] is reported as a repair and its inside left out.
pub fn outline(html: &str) -> Outline {
    let mut out = Outline::default();
    match tree::parse(html) {
        Ok(nodes) => collect(&nodes, &mut out.elements),
        Err(e) => out.repairs.push(e.to_string()),
    }
    let doc = Html::parse_fragment(html);
    out.repairs.extend(
        doc.errors
            .iter()
            .filter(|e| is_markup_error(e))
            .map(|e| e.to_string()),
    );
    out
}

/// The readable text of `html`: text nodes joined, every element boundary a
/// space (so words of different blocks never run together), entities decoded.
pub fn text_content(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    if let Ok(nodes) = tree::parse(html) {
        text_of(&nodes, &mut out);
    }
    out
}

fn collect(nodes: &[Raw], out: &mut Vec<Element>) {
    for n in nodes {
        if let Raw::Element(e) = n {
            let href = e
                .attrs
                .iter()
                .find(|(k, _)| k == "href")
                .map(|(_, v)| v.clone());
            out.push(Element {
                name: e.name.clone(),
                href,
            });
            collect(&e.children, out);
        }
    }
}

fn text_of(nodes: &[Raw], out: &mut String) {
    for n in nodes {
        match n {
            Raw::Text(t) => out.push_str(t),
            Raw::Element(e) => {
                out.push(' ');
                text_of(&e.children, out);
                out.push(' ');
            }
        }
    }
}

/// Parse errors about tags (html5ever also reports things like a missing
/// doctype, which a fragment never has).
fn is_markup_error(e: &str) -> bool {
    let e = e.to_ascii_lowercase();
    e.contains("tag") || e.contains("formatting") || e.contains("element") || e.contains("adoption")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_in_order_with_links() {
        let o = outline(
            r#"<p>Read <a href="https://example.org/r?a=1&amp;b=2">the <b>full</b> report</a>.</p>"#,
        );
        let names: Vec<&str> = o.elements.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["p", "a", "b"]);
        assert_eq!(
            o.elements[1].href.as_deref(),
            Some("https://example.org/r?a=1&b=2")
        );
        assert!(o.repairs.is_empty(), "{:?}", o.repairs);
    }

    #[test]
    fn crossed_tags_are_reported_as_repaired() {
        // The planted QA corpus's crossed-tags row (warta-qa/tests/planted).
        let o = outline(
            r#"Leia <a href="https://example.org/r">o relatório <b>completo</a></b> hoje."#,
        );
        assert!(!o.repairs.is_empty());
    }

    #[test]
    fn text_keeps_blocks_apart_and_decodes_entities() {
        let t = text_content("<p>CSTO</p><p>is &amp; was</p>");
        assert_eq!(
            t.split_whitespace().collect::<Vec<_>>(),
            ["CSTO", "is", "&", "was"]
        );
    }
}
