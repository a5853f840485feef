//! The site's own words: disclaimers, labels and date formats, per page
//! language.
//!
//! Defaults come from `messages.toml`, embedded in the crate. The server may
//! override any text per language from its configuration
//! ([`Messages::with_overrides`]); overrides go through the same checks as the
//! built-in table, so a typo in a key or a placeholder is a startup error,
//! not a broken disclaimer on the live site. A language without a text falls
//! back to English.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use warta_core::Lang;

use crate::escape::escape;
use crate::SiteError;
use warta_core::Timestamp;

/// Text overrides as the server's configuration holds them:
/// language code → message key → text (e.g. `fr` → `disclaimer_machine` →
/// `"…{source_link}…"`). Language names use the key `lang_<code>`.
pub type MessageOverrides = BTreeMap<String, BTreeMap<String, String>>;

macro_rules! keys {
    ($($variant:ident = $name:literal, allowed: [$($a:literal),*], required: [$($r:literal),*];)*) => {
        /// A message the site shows. The names are the keys of
        /// `messages.toml` and of [`MessageOverrides`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($variant),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name),* }
            }

            /// Placeholders the text may use, and the ones it must use.
            pub fn placeholders(self) -> (&'static [&'static str], &'static [&'static str]) {
                match self { $(Key::$variant => (&[$($a),*], &[$($r),*])),* }
            }
        }
    };
}

keys! {
    // The machine-translation disclaimer must link the original: that link
    // is the whole point of it, so a text without it is refused.
    DisclaimerMachine = "disclaimer_machine", allowed: ["source_link"], required: ["source_link"];
    MachineModel = "machine_model", allowed: ["model"], required: ["model"];
    HumanReviewed = "human_reviewed", allowed: [], required: [];
    HumanTranslated = "human_translated", allowed: [], required: [];
    HumanOutdated = "human_outdated", allowed: ["source_link"], required: ["source_link"];
    // A revised original whose new translation waits for an editor: the
    // reader gets the previous translation and this note.
    UnderReview = "under_review", allowed: ["source_link"], required: ["source_link"];
    // A machine translation an editor approved or corrected: said instead
    // of the machine-translation disclaimer, still linking the original.
    MachineReviewed = "machine_reviewed", allowed: ["source_link"], required: ["source_link"];
    // A published translation whose text was changed afterwards.
    Corrected = "corrected", allowed: ["time"], required: ["time"];
    Published = "published", allowed: ["time"], required: ["time"];
    Translated = "translated", allowed: ["time"], required: ["time"];
    Byline = "byline", allowed: ["author"], required: ["author"];
    Datetime = "datetime",
        allowed: ["day", "month", "month_num", "year", "hour", "minute"], required: [];
    Months = "months", allowed: [], required: [];
    SwitcherLabel = "switcher_label", allowed: [], required: [];
    SkipToContent = "skip_to_content", allowed: [], required: [];
    FrontHeading = "front_heading", allowed: [], required: [];
    FrontEmpty = "front_empty", allowed: [], required: [];
    FeedLink = "feed_link", allowed: [], required: [];
    FeedDescription = "feed_description", allowed: ["site"], required: [];
    MachineBadge = "machine_badge", allowed: [], required: [];
    NotFoundTitle = "not_found_title", allowed: [], required: [];
    NotFoundBody = "not_found_body", allowed: [], required: [];
    BackToFront = "back_to_front", allowed: [], required: [];
}

impl Key {
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// The prefix of language-name keys: `lang_id = "Indonesian"` in the `en`
/// table is how an English page names Indonesian.
const LANG_NAME_PREFIX: &str = "lang_";

const BUILTIN_TOML: &str = include_str!("../messages.toml");

static BUILTIN: LazyLock<Result<Messages, SiteError>> = LazyLock::new(|| {
    let raw: MessageOverrides =
        toml::from_str(BUILTIN_TOML).map_err(|e| SiteError::BuiltinMessages(e.to_string()))?;
    Messages {
        table: BTreeMap::new(),
    }
    .with_overrides(&raw)
});

/// Every text the site shows, per language. Cheap to clone; build once at
/// startup and keep it in [`crate::Site`].
#[derive(Debug, Clone)]
pub struct Messages {
    /// Language code → key → text; every entry validated.
    table: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl Default for Messages {
    fn default() -> Messages {
        Messages::builtin()
    }
}

impl Messages {
    /// The texts of `messages.toml`.
    pub fn builtin() -> Messages {
        match &*BUILTIN {
            Ok(m) => m.clone(),
            // The embedded file is checked by `builtin_table_is_valid_and_complete`;
            // reaching this means the crate was built with a broken table.
            Err(e) => panic!("warta-site's embedded messages.toml is invalid: {e}"),
        }
    }

    /// These messages with `overrides` laid over them. Fails, naming the
    /// language and key, on an unknown language or key, a placeholder the key
    /// does not accept, a missing required placeholder, or a `months` list
    /// that is not twelve names.
    pub fn with_overrides(mut self, overrides: &MessageOverrides) -> Result<Messages, SiteError> {
        for (code, texts) in overrides {
            let lang = Lang::parse(code).map_err(|_| SiteError::MessageLang(code.clone()))?;
            for (key, text) in texts {
                validate(lang, key, text)?;
                self.table
                    .entry(lang.code())
                    .or_default()
                    .insert(key.clone(), text.clone());
            }
        }
        Ok(self)
    }

    /// The raw text of `key` for pages in `lang` (English if `lang` has none).
    pub fn text(&self, lang: Lang, key: Key) -> &str {
        self.lookup(lang, key.name()).unwrap_or_default()
    }

    /// How pages in `lang` name language `of`, if the table says.
    pub fn lang_name(&self, lang: Lang, of: Lang) -> Option<&str> {
        let key = format!("{LANG_NAME_PREFIX}{}", of.code());
        // No English fallback here: an English name inside an Arabic sentence
        // is worse than the language's autonym.
        self.table.get(lang.code())?.get(&key).map(String::as_str)
    }

    fn lookup(&self, lang: Lang, key: &str) -> Option<&str> {
        [lang.code(), "en"]
            .iter()
            .find_map(|code| self.table.get(code)?.get(key))
            .map(String::as_str)
    }

    /// `key`'s text with placeholders replaced by plain-text values. The
    /// result is plain text (escape it when writing markup).
    pub fn fill_text(&self, lang: Lang, key: Key, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for piece in pieces(self.text(lang, key)) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder(name) => match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&format!("{{{name}}}")),
                },
            }
        }
        out
    }

    /// `key`'s text as HTML: the text itself is escaped, the values are
    /// inserted as given, so they must already be HTML.
    pub fn fill_html(&self, lang: Lang, key: Key, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for piece in pieces(self.text(lang, key)) {
            match piece {
                Piece::Text(t) => out.push_str(&escape(t)),
                Piece::Placeholder(name) => match values.iter().find(|(n, _)| *n == name) {
                    Some((_, html)) => out.push_str(html),
                    None => out.push_str(&escape(&format!("{{{name}}}"))),
                },
            }
        }
        out
    }

    /// A human date and time in `lang`, from the `datetime` and `months` texts.
    pub fn format_time(&self, lang: Lang, t: Timestamp) -> String {
        let c = t.civil();
        let months = self.text(lang, Key::Months);
        let month = months
            .split('|')
            .nth(c.month as usize - 1)
            .unwrap_or_default();
        let (day, month_num, year) = (c.day.to_string(), c.month.to_string(), c.year.to_string());
        let (hour, minute) = (format!("{:02}", c.hour), format!("{:02}", c.minute));
        self.fill_text(
            lang,
            Key::Datetime,
            &[
                ("day", &day),
                ("month", month),
                ("month_num", &month_num),
                ("year", &year),
                ("hour", &hour),
                ("minute", &minute),
            ],
        )
    }
}

fn validate(lang: Lang, key: &str, text: &str) -> Result<(), SiteError> {
    let bad = |why: String| SiteError::Message {
        lang: lang.code(),
        key: key.to_string(),
        why,
    };
    if let Some(code) = key.strip_prefix(LANG_NAME_PREFIX) {
        Lang::parse(code).map_err(|_| bad(format!("`{code}` is not a known language code")))?;
        return no_placeholders(text).map_err(bad);
    }
    let Some(k) = Key::from_name(key) else {
        let known: Vec<_> = Key::ALL.iter().map(|k| k.name()).collect();
        return Err(bad(format!(
            "unknown key (expected one of {}, or lang_<code>)",
            known.join(", ")
        )));
    };
    if k == Key::Months {
        let names: Vec<_> = text.split('|').collect();
        if names.len() != 12 || names.iter().any(|n| n.trim().is_empty()) {
            return Err(bad("expected twelve month names separated by `|`".into()));
        }
    }
    let (allowed, required) = k.placeholders();
    for piece in pieces(text) {
        if let Piece::Placeholder(p) = piece {
            if !allowed.contains(&p) {
                return Err(bad(if allowed.is_empty() {
                    format!("`{{{p}}}` is not a placeholder here (this text takes none)")
                } else {
                    format!(
                        "`{{{p}}}` is not a placeholder here (allowed: {{{}}})",
                        allowed.join("}, {")
                    )
                }));
            }
        }
    }
    for r in required {
        if !pieces(text).any(|p| p == Piece::Placeholder(r)) {
            return Err(bad(format!("must contain `{{{r}}}`")));
        }
    }
    Ok(())
}

fn no_placeholders(text: &str) -> Result<(), String> {
    match pieces(text).find(|p| matches!(p, Piece::Placeholder(_))) {
        Some(Piece::Placeholder(p)) => Err(format!(
            "`{{{p}}}` is not a placeholder here (this text takes none)"
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Split a message into literal text and `{name}` placeholders (`name` is
/// lower-case ASCII letters and `_`). Any other brace is literal text.
fn pieces(s: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut search_from = 0;
        loop {
            let Some(open) = rest[search_from..].find('{').map(|i| i + search_from) else {
                let t = rest;
                rest = "";
                return Some(Piece::Text(t));
            };
            let after = &rest[open + 1..];
            let name_len = after
                .bytes()
                .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
                .count();
            if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
                if open > 0 {
                    let t = &rest[..open];
                    rest = &rest[open..];
                    return Some(Piece::Text(t));
                }
                let name = &after[..name_len];
                rest = &after[name_len + 1..];
                return Some(Piece::Placeholder(name));
            }
            search_from = open + 1;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Lang {
        Lang::parse(code).unwrap()
    }

    /// The page languages DESIGN.md publishes plus `pt`, which the
    /// `source = "en"`, `targets = ["pt"]` test newsroom uses.
    const UI_LANGS: [&str; 7] = ["id", "en", "zh", "ja", "ar", "fr", "pt"];

    #[test]
    fn builtin_table_is_valid_and_complete() {
        // Every text of messages.toml passes the override checks (that is how
        // `builtin()` loads it), and every UI language defines every key
        // itself rather than falling back to English mid-page.
        let m = Messages::builtin();
        for code in UI_LANGS {
            let table = m
                .table
                .get(code)
                .unwrap_or_else(|| panic!("no [{code}] table"));
            for key in Key::ALL {
                assert!(
                    table.contains_key(key.name()),
                    "[{code}] lacks {}",
                    key.name()
                );
            }
            for of in UI_LANGS {
                assert!(
                    m.lang_name(lang(code), lang(of)).is_some(),
                    "[{code}] lacks lang_{of}"
                );
            }
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english_texts_but_not_names() {
        let m = Messages::builtin();
        let de = lang("de");
        assert_eq!(
            m.text(de, Key::FrontHeading),
            m.text(lang("en"), Key::FrontHeading)
        );
        assert_eq!(m.lang_name(de, lang("id")), None);
    }

    #[test]
    fn overrides_replace_one_text_and_keep_the_rest() {
        let mut o = MessageOverrides::new();
        o.entry("fr".into())
            .or_default()
            .insert("front_heading".into(), "À la une".into());
        let m = Messages::builtin().with_overrides(&o).unwrap();
        assert_eq!(m.text(lang("fr"), Key::FrontHeading), "À la une");
        assert_eq!(m.text(lang("fr"), Key::FeedLink), "Flux RSS");
    }

    #[test]
    fn overrides_for_a_language_without_builtin_texts_are_used() {
        let mut o = MessageOverrides::new();
        o.entry("de".into()).or_default().extend([
            (
                "front_heading".to_string(),
                "Neueste Nachrichten".to_string(),
            ),
            ("lang_id".to_string(), "Indonesisch".to_string()),
        ]);
        let m = Messages::builtin().with_overrides(&o).unwrap();
        assert_eq!(m.text(lang("de"), Key::FrontHeading), "Neueste Nachrichten");
        assert_eq!(m.lang_name(lang("de"), lang("id")), Some("Indonesisch"));
    }

    #[test]
    fn bad_overrides_are_refused_with_the_reason() {
        let check = |code: &str, key: &str, text: &str| {
            let mut o = MessageOverrides::new();
            o.entry(code.into())
                .or_default()
                .insert(key.into(), text.into());
            Messages::builtin()
                .with_overrides(&o)
                .unwrap_err()
                .to_string()
        };
        assert!(check("xx", "front_heading", "x").contains("`xx`"));
        assert!(check("fr", "frontheading", "x").contains("unknown key"));
        assert!(
            check("fr", "disclaimer_machine", "Traduction automatique.").contains("{source_link}")
        );
        assert!(check("fr", "published", "Publié {when}").contains("{when}"));
        assert!(check("fr", "months", "a|b|c").contains("twelve"));
        assert!(check("fr", "lang_xx", "x").contains("xx"));
    }

    #[test]
    fn placeholders_are_split_out_and_stray_braces_stay_text() {
        let p: Vec<_> = pieces("a {x_y} b {Not} {} {z").collect();
        assert_eq!(
            p,
            [
                Piece::Text("a "),
                Piece::Placeholder("x_y"),
                Piece::Text(" b {Not} {} {z")
            ]
        );
        assert_eq!(pieces("{a}{b}").count(), 2);
    }

    #[test]
    fn fill_html_escapes_the_text_but_not_the_values() {
        let mut o = MessageOverrides::new();
        o.entry("en".into()).or_default().insert(
            "human_outdated".into(),
            "<b>Old</b> & see {source_link}".into(),
        );
        let m = Messages::builtin().with_overrides(&o).unwrap();
        let html = m.fill_html(
            lang("en"),
            Key::HumanOutdated,
            &[("source_link", "<a href=\"/id/x\">Indonesian</a>")],
        );
        assert_eq!(
            html,
            "&lt;b&gt;Old&lt;/b&gt; &amp; see <a href=\"/id/x\">Indonesian</a>"
        );
    }

    #[test]
    fn dates_follow_each_languages_conventions() {
        // 1740960309 = 2025-03-03T00:05:09Z (GNU date). Expected strings are
        // the patterns of messages.toml, which follow CLDR's long date formats
        // (e.g. CLDR id "d MMMM y", ja "y年M月d日", pt "d 'de' MMMM 'de' y").
        let m = Messages::builtin();
        let t = Timestamp::from_unix_secs(1_740_960_309);
        let expect = [
            ("en", "3 March 2025, 00:05 UTC"),
            ("id", "3 Maret 2025, 00.05 UTC"),
            ("zh", "2025年3月3日 00:05（UTC）"),
            ("ja", "2025年3月3日 00:05（UTC）"),
            ("ar", "3 مارس 2025، الساعة 00:05 بتوقيت غرينتش"),
            ("fr", "3 mars 2025 à 00 h 05 UTC"),
            ("pt", "3 de março de 2025, 00h05 UTC"),
        ];
        for (code, want) in expect {
            assert_eq!(m.format_time(lang(code), t), want, "{code}");
        }
    }
}
