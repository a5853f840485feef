//! Domain types that cross warta's crate boundaries.
//!
//! Everything that arrives from outside — a CLI flag, a config value, a JSON
//! field, a URL segment — is parsed into one of these types once, at the edge
//! ("parse, don't validate"). Inside warta a [`Lang`] is always a language we
//! know how to name and lay out, a [`Pair`] always has two different sides and a
//! [`Slug`] is always safe to put in a URL and a file name.
//!
//! This crate owns no I/O and no policy; it is the shared vocabulary.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod lang;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod script;
mod slug;
pub mod term;
#[cfg(feature = "proptest")]
pub mod text_strategy;
mod time;

pub use lang::{Dir, Lang, LangInfo, LANGUAGES};
pub use slug::{Slug, MAX_SLUG_LEN};
pub use time::{Civil, Timestamp};

/// A value refused where it entered warta (an API body, a form, a command
/// line, an import file), naming the field at fault so the answer can say
/// which one: HTTP 422 with `field`, or one line of a command's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Why a piece of outside input could not become a domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown language code `{0}` (expected one of: {known})", known = lang::known_codes())]
    UnknownLang(String),
    #[error("invalid language pair `{0}`: expected SRC-TRG, e.g. `en-pt`")]
    BadPair(String),
    #[error("invalid language pair `{0}`: source and target are the same language")]
    SamePair(String),
    #[error("invalid slug `{0}`: {1}")]
    BadSlug(String, &'static str),
}

/// A translation direction between two different known languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    pub src: Lang,
    pub trg: Lang,
}

impl Pair {
    pub fn new(src: Lang, trg: Lang) -> Result<Pair, ParseError> {
        if src == trg {
            return Err(ParseError::SamePair(format!("{src}-{trg}")));
        }
        Ok(Pair { src, trg })
    }

    /// The store directory name of this pair, `src-trg` (e.g. `en-pt`).
    pub fn dir_name(&self) -> String {
        format!("{}-{}", self.src, self.trg)
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.src, self.trg)
    }
}

impl FromStr for Pair {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Pair, ParseError> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| ParseError::BadPair(s.to_string()))?;
        Pair::new(a.parse()?, b.parse()?)
    }
}

impl Serialize for Pair {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Pair {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pair, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_round_trips_through_its_store_name() {
        let p: Pair = "en-pt".parse().unwrap();
        assert_eq!(p.src.code(), "en");
        assert_eq!(p.trg.code(), "pt");
        assert_eq!(p.dir_name(), "en-pt");
    }

    #[test]
    fn pair_rejects_same_language_and_garbage() {
        assert_eq!(
            "en-en".parse::<Pair>(),
            Err(ParseError::SamePair("en-en".into()))
        );
        assert_eq!(
            "enpt".parse::<Pair>(),
            Err(ParseError::BadPair("enpt".into()))
        );
        assert!(matches!("en-xx".parse::<Pair>(), Err(ParseError::UnknownLang(c)) if c == "xx"));
    }
}

/// Who wrote a translation: the engine or an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Machine,
    Human,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Machine => "machine",
            Origin::Human => "human",
        }
    }

    /// The origin named by [`as_str`](Origin::as_str).
    pub fn parse(s: &str) -> Option<Origin> {
        match s {
            "machine" => Some(Origin::Machine),
            "human" => Some(Origin::Human),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The translation-memory form of a segment: surrounding whitespace trimmed
/// and inner runs of whitespace collapsed to one space, so the same sentence
/// typed with different spacing is one entry. Nothing else changes: case,
/// punctuation and digits are meaningful in news text.
pub fn normalize_segment(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Soft word alignment between a source text and its translation, the input
/// of inline-markup transfer (`warta-html`) and the place QA reads token
/// confidence from.
///
/// Offsets are **byte** ranges into the source text as given to the engine and
/// into the target text as returned. `weights[t][s]` is P(source token `s` |
/// target token `t`) from the decoder's cross-attention (marian's
/// `SoftAlignment`); rows may sum to less than one where the source EOS took
/// the mass. Texts of several sentences are block-diagonal: a target token only
/// has weight on source tokens of its own sentence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Alignment {
    pub source_tokens: Vec<std::ops::Range<usize>>,
    pub target_tokens: Vec<std::ops::Range<usize>>,
    pub weights: Vec<Vec<f32>>,
}
