//! Languages warta can publish in.
//!
//! The table covers the languages Firefox Translations ships models for, plus
//! the ones DESIGN.md names. Each entry carries what the site needs to present
//! the language: its name in its own language (for the language switcher), its
//! script and its writing direction. Own-language names follow CLDR's
//! "language display name in its own locale".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Writing direction, as used in `<html dir>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    Ltr,
    Rtl,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Ltr => "ltr",
            Dir::Rtl => "rtl",
        }
    }
}

/// Static facts about one language.
#[derive(Debug, PartialEq, Eq)]
pub struct LangInfo {
    /// Lower-case ISO 639-1 code (BCP 47 primary subtag).
    pub code: &'static str,
    /// English name, for logs and CLI output.
    pub english: &'static str,
    /// Name in the language itself (CLDR autonym), for the language switcher.
    pub autonym: &'static str,
    /// ISO 15924 script code.
    pub script: &'static str,
    pub dir: Dir,
}

const fn l(
    code: &'static str,
    english: &'static str,
    autonym: &'static str,
    script: &'static str,
    dir: Dir,
) -> LangInfo {
    LangInfo {
        code,
        english,
        autonym,
        script,
        dir,
    }
}

/// Every language warta knows, sorted by code.
pub static LANGUAGES: &[LangInfo] = &[
    l("ar", "Arabic", "العربية", "Arab", Dir::Rtl),
    l("bg", "Bulgarian", "български", "Cyrl", Dir::Ltr),
    l("ca", "Catalan", "català", "Latn", Dir::Ltr),
    l("cs", "Czech", "čeština", "Latn", Dir::Ltr),
    l("da", "Danish", "dansk", "Latn", Dir::Ltr),
    l("de", "German", "Deutsch", "Latn", Dir::Ltr),
    l("el", "Greek", "Ελληνικά", "Grek", Dir::Ltr),
    l("en", "English", "English", "Latn", Dir::Ltr),
    l("es", "Spanish", "español", "Latn", Dir::Ltr),
    l("et", "Estonian", "eesti", "Latn", Dir::Ltr),
    l("fa", "Persian", "فارسی", "Arab", Dir::Rtl),
    l("fi", "Finnish", "suomi", "Latn", Dir::Ltr),
    l("fr", "French", "Français", "Latn", Dir::Ltr),
    l("he", "Hebrew", "עברית", "Hebr", Dir::Rtl),
    l("hi", "Hindi", "हिन्दी", "Deva", Dir::Ltr),
    l("hr", "Croatian", "hrvatski", "Latn", Dir::Ltr),
    l("hu", "Hungarian", "magyar", "Latn", Dir::Ltr),
    l("id", "Indonesian", "Bahasa Indonesia", "Latn", Dir::Ltr),
    l("it", "Italian", "italiano", "Latn", Dir::Ltr),
    l("ja", "Japanese", "日本語", "Jpan", Dir::Ltr),
    l("ko", "Korean", "한국어", "Kore", Dir::Ltr),
    l("lt", "Lithuanian", "lietuvių", "Latn", Dir::Ltr),
    l("lv", "Latvian", "latviešu", "Latn", Dir::Ltr),
    l("ms", "Malay", "Bahasa Melayu", "Latn", Dir::Ltr),
    l("nl", "Dutch", "Nederlands", "Latn", Dir::Ltr),
    l("pl", "Polish", "polski", "Latn", Dir::Ltr),
    l("pt", "Portuguese", "Português", "Latn", Dir::Ltr),
    l("ro", "Romanian", "română", "Latn", Dir::Ltr),
    l("ru", "Russian", "русский", "Cyrl", Dir::Ltr),
    l("sk", "Slovak", "slovenčina", "Latn", Dir::Ltr),
    l("sl", "Slovenian", "slovenščina", "Latn", Dir::Ltr),
    l("sq", "Albanian", "shqip", "Latn", Dir::Ltr),
    l("sv", "Swedish", "svenska", "Latn", Dir::Ltr),
    l("th", "Thai", "ไทย", "Thai", Dir::Ltr),
    l("tr", "Turkish", "Türkçe", "Latn", Dir::Ltr),
    l("uk", "Ukrainian", "українська", "Cyrl", Dir::Ltr),
    l("vi", "Vietnamese", "Tiếng Việt", "Latn", Dir::Ltr),
    l(
        "zh",
        "Chinese (Simplified)",
        "中文（简体）",
        "Hans",
        Dir::Ltr,
    ),
];

pub(crate) fn known_codes() -> String {
    LANGUAGES
        .iter()
        .map(|l| l.code)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A language warta knows. Cheap to copy; compares by code.
#[derive(Clone, Copy)]
pub struct Lang(&'static LangInfo);

impl Lang {
    /// Parse a language code. Accepts the forms people type (`EN`, `pt-BR`,
    /// `zh_Hans`) and keeps only the primary subtag, since warta publishes one
    /// variety per language.
    pub fn parse(s: &str) -> Result<Lang, ParseError> {
        let primary = s
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        LANGUAGES
            .iter()
            .find(|l| l.code == primary)
            .map(Lang)
            .ok_or_else(|| ParseError::UnknownLang(s.to_string()))
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn info(self) -> &'static LangInfo {
        self.0
    }

    pub fn autonym(self) -> &'static str {
        self.0.autonym
    }

    pub fn english_name(self) -> &'static str {
        self.0.english
    }

    pub fn dir(self) -> Dir {
        self.0.dir
    }

    pub fn script(self) -> &'static str {
        self.0.script
    }

    /// English: every Firefox Translations model translates to or from it, so it
    /// is the pivot for pairs without a direct model.
    pub fn english() -> Lang {
        Lang::parse("en").expect("en is in the table")
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        self.0.code == other.0.code
    }
}
impl Eq for Lang {}

impl std::hash::Hash for Lang {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.code.hash(h)
    }
}

impl PartialOrd for Lang {
    fn partial_cmp(&self, other: &Lang) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Lang {
    fn cmp(&self, other: &Lang) -> std::cmp::Ordering {
        self.0.code.cmp(other.0.code)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0.code)
    }
}

impl FromStr for Lang {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Lang, ParseError> {
        Lang::parse(s)
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.code)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let s = String::deserialize(d)?;
        Lang::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        // Lookup and `known_codes` rely on it; a duplicate would shadow silently.
        for w in LANGUAGES.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
    }

    #[test]
    fn design_languages_have_the_directions_design_md_lists() {
        // DESIGN.md's language table: only Arabic is right-to-left.
        for (code, dir) in [
            ("id", Dir::Ltr),
            ("en", Dir::Ltr),
            ("zh", Dir::Ltr),
            ("ja", Dir::Ltr),
            ("ar", Dir::Rtl),
            ("fr", Dir::Ltr),
        ] {
            assert_eq!(Lang::parse(code).unwrap().dir(), dir, "{code}");
        }
        assert_eq!(Lang::parse("id").unwrap().autonym(), "Bahasa Indonesia");
    }

    #[test]
    fn parse_accepts_region_and_case_variants() {
        assert_eq!(Lang::parse("pt-BR").unwrap().code(), "pt");
        assert_eq!(Lang::parse("ZH_hans").unwrap().code(), "zh");
        assert_eq!(
            Lang::parse("xx").unwrap_err(),
            ParseError::UnknownLang("xx".into())
        );
        assert!(Lang::parse("").is_err());
    }
}
