//! The site's stylesheet, served by the server at
//! [`crate::STYLESHEET_PATH`] and linked from every page.
//!
//! One file for every language: right-to-left pages are mirrored by the
//! browser because the CSS uses logical properties only, which the test
//! below enforces.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// The CSS of every page; serve as `text/css; charset=utf-8`.
pub const STYLESHEET: &str = include_str!("site.css");

static VERSION: LazyLock<String> = LazyLock::new(|| hex::encode(&Sha256::digest(STYLESHEET)[..6]));

/// Changes whenever the stylesheet does; pages link `site.css?v={this}`.
pub(crate) fn stylesheet_version() -> &'static str {
    &VERSION
}

#[cfg(test)]
mod tests {
    use super::STYLESHEET;

    /// (property, value) of every declaration, comments removed.
    fn declarations(css: &str) -> Vec<(String, String)> {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            rest = rest[start..]
                .find("*/")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        text.push_str(rest);
        text.split(['{', '}', ';'])
            .filter_map(|d| {
                let (prop, value) = d.split_once(':')?;
                let prop = prop.trim().to_ascii_lowercase();
                // Selectors such as `a:hover` also contain a colon; properties
                // are single words of letters and hyphens.
                (!prop.is_empty() && prop.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                    .then(|| (prop, value.trim().to_ascii_lowercase()))
            })
            .collect()
    }

    /// Declarations that `dir="rtl"` would not mirror: physical properties
    /// and keywords (CSS Logical Properties Level 1), and four-value
    /// shorthands whose left and right values differ.
    fn physical_declarations(css: &str) -> Vec<String> {
        let four_value_shorthands = [
            "margin",
            "padding",
            "inset",
            "border-width",
            "border-style",
            "border-color",
            "border-radius",
            "scroll-margin",
            "scroll-padding",
        ];
        let mut offences = Vec::new();
        for (prop, value) in declarations(css) {
            let words: Vec<&str> = value
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '%'))
                .filter(|w| !w.is_empty())
                .collect();
            let physical_prop = prop.split('-').any(|p| p == "left" || p == "right");
            // text-align, float, clear, background-position, transform...
            let physical_value = words
                .iter()
                .any(|w| *w == "left" || *w == "right" || w.starts_with("translatex"));
            let lopsided = four_value_shorthands.contains(&prop.as_str())
                && words.len() == 4
                && words[1] != words[3];
            if physical_prop || physical_value || lopsided {
                offences.push(format!("{prop}: {value}"));
            }
        }
        offences
    }

    #[test]
    fn css_uses_no_physical_left_or_right_so_rtl_mirrors() {
        assert!(
            declarations(STYLESHEET).len() > 100,
            "the declaration parser lost the stylesheet"
        );
        let offences = physical_declarations(STYLESHEET);
        assert!(offences.is_empty(), "physical declarations: {offences:#?}");
    }

    #[test]
    fn the_physical_declaration_check_is_not_vacuous() {
        // Each rule here is one the check must refuse.
        let bad = [
            "a{margin-left:1px}",
            "a{padding-right: 0}",
            "a:hover{left:0}",
            "a{text-align: right}",
            "a{float:left}",
            "a{margin:0 1px 0 2px}",
            "a{border-top-left-radius:2px}",
            "a{transform: translateX(4px)}",
        ];
        for css in bad {
            assert_eq!(physical_declarations(css).len(), 1, "{css}");
        }
        let good =
            "a{margin-inline:1px 2px;margin:0 1px 0 1px;text-align:start;inset-inline-start:0}";
        assert_eq!(physical_declarations(good), Vec::<String>::new());
    }

    #[test]
    fn script_font_stacks_are_selected_by_lang() {
        for (sel, font) in [
            (":lang(ar)", "Noto Naskh Arabic"),
            (":lang(zh)", "PingFang SC"),
            (":lang(ja)", "Hiragino Sans"),
        ] {
            let at = STYLESHEET
                .find(&format!("{sel} {{"))
                .unwrap_or_else(|| panic!("no {sel} rule"));
            let block = &STYLESHEET[at..at + STYLESHEET[at..].find('}').unwrap()];
            assert!(block.contains(font), "{sel} lacks {font}");
        }
        assert!(
            !STYLESHEET.contains("@import") && !STYLESHEET.contains("url("),
            "no downloads"
        );
    }
}
