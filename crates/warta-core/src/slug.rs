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
        assert_eq!(Slug::parse("banjir-jakarta-2024").unwrap().as_str(), "banjir-jakarta-2024");
    }

    #[test]
    fn rejects_what_would_break_a_url_or_path() {
        for s in ["", "Banjir", "a b", "../etc", "-x", "x-", "a--b", "é"] {
            assert!(Slug::parse(s).is_err(), "{s:?} accepted");
        }
        assert!(Slug::parse(&"a".repeat(121)).is_err());
    }
}
