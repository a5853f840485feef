//! Article slugs: the stable, URL-safe name of an article across revisions
//! and languages (`/{lang}/{slug}`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Longest slug accepted. Long enough for a headline, short enough for a path
/// segment and a database key.
pub const MAX_SLUG_LEN: usize = 120;

/// Lower-case ASCII letters, digits and single hyphens; no leading or trailing
/// hyphen. These are the characters every CMS produces and every proxy, file
/// system and feed reader passes through untouched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Slug, ParseError> {
        let bad = |why| Err(ParseError::BadSlug(s.to_string(), why));
        if s.is_empty() {
            return bad("must not be empty");
        }
        if s.len() > MAX_SLUG_LEN {
            return bad("longer than 120 characters");
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("use only lower-case letters a-z, digits and hyphens");
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return bad("hyphens must separate words (no leading, trailing or double hyphen)");
        }
        Ok(Slug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A slug made from free text (a headline, a URL path segment, a CMS
    /// slug that breaks the rules above): accents are dropped (`é` → `e`),
    /// every other run of characters that are not ASCII letters or digits
    /// becomes one hyphen, and the result is cut at a word boundary to at
    /// most `max_len` bytes (clamped to [`MAX_SLUG_LEN`]). `None` when no
    /// ASCII letter or digit is left (a headline in Chinese, say): the caller
    /// picks a fallback.
    pub fn from_text(text: &str, max_len: usize) -> Option<Slug> {
        use unicode_normalization::char::is_combining_mark;
        use unicode_normalization::UnicodeNormalization;

        let max_len = max_len.clamp(1, MAX_SLUG_LEN);
        let mut out = String::new();
        let mut hyphen = false;
        // NFKD splits `é` into `e` + a combining accent, and `ﬁ` into `fi`.
        for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
            if c.is_ascii_alphanumeric() {
                if hyphen && !out.is_empty() {
                    out.push('-');
                }
                hyphen = false;
                out.push(c.to_ascii_lowercase());
            } else if c != '\'' && c != '\u{2019}' {
                // Apostrophes join: "Jakarta's" → "jakartas", not "jakarta-s".
                hyphen = true;
            }
        }
        if out.len() > max_len {
            let cut = &out[..max_len];
            // Cut at the last whole word if there is one, else mid-word.
            out = match cut.rfind('-') {
                Some(i) if i > 0 => cut[..i].to_string(),
                _ => cut.trim_end_matches('-').to_string(),
            };
        }
        Slug::parse(&out).ok()
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Slug {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Slug, D::Error> {
        let s = String::deserialize(d)?;
        Slug::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cms_style_slugs() {
        assert_eq!(
            Slug::parse("banjir-jakarta-2024").unwrap().as_str(),
            "banjir-jakarta-2024"
        );
    }

    #[test]
    fn rejects_what_would_break_a_url_or_path() {
        for s in ["", "Banjir", "a b", "../etc", "-x", "x-", "a--b", "é"] {
            assert!(Slug::parse(s).is_err(), "{s:?} accepted");
        }
        assert!(Slug::parse(&"a".repeat(121)).is_err());
    }

    #[test]
    fn from_text_makes_headlines_and_cms_slugs_valid() {
        let f = |s: &str, n: usize| Slug::from_text(s, n).map(|s| s.0);
        assert_eq!(
            f("Banjir di Jakarta: 3 tewas", 120).as_deref(),
            Some("banjir-di-jakarta-3-tewas")
        );
        assert_eq!(
            f("São Paulo's été — Über", 120).as_deref(),
            Some("sao-paulos-ete-uber")
        );
        assert_eq!(
            f("--Already_Valid--", 120).as_deref(),
            Some("already-valid")
        );
        // Cut at a word boundary, never leaving a trailing hyphen.
        assert_eq!(f("one two three", 9).as_deref(), Some("one-two"));
        assert_eq!(f("abcdefghij", 4).as_deref(), Some("abcd"));
        assert_eq!(f("北京新闻", 120), None);
        assert_eq!(f("", 120), None);
        let long = f(&"word ".repeat(100), 500).unwrap();
        assert!(long.len() <= MAX_SLUG_LEN && Slug::parse(&long).is_ok());
    }
}
