//! The one escaping function for everything this crate writes: HTML text and
//! attribute values, and XML (RSS, sitemap) text and attribute values.
//!
//! Askama escapes template variables itself; this function covers the texts
//! this crate assembles by hand (messages with links in them, feeds,
//! sitemaps).

use std::borrow::Cow;

/// Escape `s` for use as text or as a double- or single-quoted attribute
/// value in HTML and XML 1.0.
///
/// Besides the five markup characters, drops the characters XML 1.0 forbids
/// outright (C0 controls other than tab, line feed and carriage return, and
/// U+FFFE/U+FFFF): a feed reader rejects a whole feed for one of them, and
/// they carry no meaning in a headline.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_work) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // `&#39;` rather than `&apos;`: understood by HTML 4 parsers too.
            '\'' => out.push_str("&#39;"),
            c if forbidden_in_xml(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_work(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || forbidden_in_xml(c)
}

/// XML 1.0 §2.2 `Char` production, negated (surrogates cannot occur in a
/// Rust `char`).
fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_become_entities() {
        // The five predefined entities of XML 1.0 §4.6 (with `'` as a numeric
        // reference, which both XML and HTML define).
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            escape("Jakarta, 3 Maret"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(escape("中文（简体） العربية"), "中文（简体） العربية");
    }

    #[test]
    fn characters_xml_forbids_are_dropped_and_allowed_whitespace_kept() {
        assert_eq!(escape("a\u{0}b\u{1B}c\u{FFFF}d\te\nf\rg"), "abcd\te\nf\rg");
        // The escaped output must parse as XML: roxmltree is the oracle.
        let doc = format!("<t a=\"{0}\">{0}</t>", escape("x\u{1}<&>\"'\u{8}y"));
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        assert_eq!(parsed.root_element().text(), Some("x<&>\"'y"));
        assert_eq!(parsed.root_element().attribute("a"), Some("x<&>\"'y"));
    }
}
