//! Protected spans: the parts of a source segment that must come out of
//! translation unchanged in substance — links, addresses, handles, hashtags,
//! dates and every quantity.
//!
//! The segmenter uses these spans to shield text from the engine; the
//! `protected` check uses [`expected_in_target`] to verify that each span
//! survived in one of its acceptable target forms.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use warta_core::Lang;

use crate::date;
use crate::number::{self, render_number, Number};

/// What a protected span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectedKind {
    Url,
    Email,
    Handle,
    Hashtag,
    Date,
    Currency,
    Percent,
    Measure,
    Number,
}

impl ProtectedKind {
    pub fn name(self) -> &'static str {
        match self {
            ProtectedKind::Url => "url",
            ProtectedKind::Email => "email",
            ProtectedKind::Handle => "handle",
            ProtectedKind::Hashtag => "hashtag",
            ProtectedKind::Date => "date",
            ProtectedKind::Currency => "currency",
            ProtectedKind::Percent => "percent",
            ProtectedKind::Measure => "measure",
            ProtectedKind::Number => "number",
        }
    }

    /// Kinds whose substance is a number (`value` is set).
    pub fn is_quantity(self) -> bool {
        matches!(
            self,
            ProtectedKind::Currency
                | ProtectedKind::Percent
                | ProtectedKind::Measure
                | ProtectedKind::Number
        )
    }

    /// Kinds copied verbatim into any language.
    pub fn is_verbatim(self) -> bool {
        matches!(
            self,
            ProtectedKind::Url
                | ProtectedKind::Email
                | ProtectedKind::Handle
                | ProtectedKind::Hashtag
        )
    }
}

/// A span of source text that translation must preserve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Protected {
    /// Byte range in the text given to [`protected_spans`].
    pub range: Range<usize>,
    pub kind: ProtectedKind,
    /// The span's text (`text == source[range]`).
    pub text: String,
    /// The number, for quantity kinds (with its scale word, if any).
    pub value: Option<Number>,
    /// Other plausible readings of the number: `10,000` in Indonesian copy
    /// is ten by the locale but probably ten thousand; `53` in `1950-53` is
    /// also 1953; `7` in `7pm` is also 19.
    pub alternatives: Vec<Number>,
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?://|ftp://|www\.)[^\s<>"'“”‘’«»]+"#).expect("valid URL regex")
});
static BARE_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:com|org|net|gov|edu|int|mil|id|io|co|info|news|tv|me|uk|au|de|fr|jp|cn|br|pt|eu|ly|ai|app)\b(?:/[^\s<>]*)?",
    )
    .expect("valid domain regex")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}").expect("valid e-mail regex")
});
static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}\p{N}_@.])(@[A-Za-z0-9_]{1,30})\b").expect("valid handle regex")
});
static HASHTAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}\p{N}_&#])(#[\p{L}_][\p{L}\p{N}_]*)").expect("valid hashtag regex")
});

const CURRENCY_PREFIXES: &[&str] = &[
    "US$", "USD", "Rp.", "Rp", "IDR", "S$", "SGD", "HK$", "A$", "AU$", "C$", "NZ$", "R$", "RM",
    "€", "EUR", "£", "GBP", "¥", "JPY", "CNY", "RMB", "₹", "INR", "₩", "KRW", "CHF", "$",
];
const CURRENCY_SUFFIXES: &[&str] = &[
    "€",
    "$",
    "euros",
    "euro",
    "dollars",
    "dollar",
    "dolar",
    "dólares",
    "dólar",
    "dollari",
    "rupiah",
    "reais",
    "yuan",
    "yen",
    "pounds",
    "libras",
    "ringgit",
    "元",
    "円",
    "美元",
    "ドル",
    "دولار",
    "يورو",
    "ريال",
    "روبية",
];
const PERCENT_SUFFIXES: &[&str] = &[
    "%",
    "٪",
    "％",
    "persen",
    "percent",
    "per cent",
    "por cento",
    "por ciento",
    "pour cent",
    "prozent",
    "per cento",
    "procent",
    "في المئة",
    "بالمئة",
    "بالمائة",
];
const UNITS: &[&str] = &[
    "km²",
    "km2",
    "m²",
    "m2",
    "km/h",
    "km/j",
    "km/jam",
    "mph",
    "°C",
    "°F",
    "ºC",
    "℃",
    "° C",
    "kWh",
    "MWh",
    "GWh",
    "kW",
    "MW",
    "GW",
    "Mbps",
    "Gbps",
    "GHz",
    "MHz",
    "kHz",
    "Hz",
    "GB",
    "MB",
    "TB",
    "kB",
    "km",
    "cm",
    "mm",
    "kg",
    "mg",
    "ml",
    "mL",
    "ha",
    "mi",
    "ft",
    "m",
    "g",
    "l",
    "L",
    "ton",
    "tons",
    "tonnes",
    "tonnes",
    "tonelada",
    "toneladas",
    "hectares",
    "hektare",
    "hektar",
    "kilometres",
    "kilometers",
    "kilometre",
    "kilometer",
    "kilómetros",
    "quilómetros",
    "quilômetros",
    "metres",
    "meters",
    "metros",
    "miles",
    "kilograms",
    "kilogram",
    "quilos",
    "kilo",
    "liters",
    "litres",
    "litros",
    "derajat",
    "degrees",
    "graus",
    "公里",
    "千米",
    "米",
    "公斤",
    "キロ",
    "メートル",
    "度",
    "كيلومتر",
    "كيلوغرام",
    "متر",
];

/// `rest` starts with `word` followed by a non-letter (case-insensitive for
/// words unless `fold_case` is false). Returns the byte length matched.
fn starts_with_word(rest: &str, word: &str, fold_case: bool) -> Option<usize> {
    let n = word.chars().count();
    let head: String = rest.chars().take(n).collect();
    let same = if fold_case {
        head.to_lowercase() == word.to_lowercase()
    } else {
        head == word
    };
    if !same {
        return None;
    }
    let len = head.len();
    let wordy_end = word
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphabetic() && !crate::text::is_cjk_char(c));
    if wordy_end
        && rest[len..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(len)
}

/// A word from `list` right after byte `at`, allowing up to one space.
/// Units compare case-sensitively (`5 g` is a mass, `5G` a network).
fn suffix_at(text: &str, at: usize, list: &[&str], fold_case: bool) -> Option<usize> {
    let rest = &text[at..];
    let trimmed = rest.trim_start_matches([' ', '\u{00A0}', '\u{202F}']);
    let skip = rest.len() - trimmed.len();
    if skip > 3 {
        return None;
    }
    list.iter()
        .find_map(|w| starts_with_word(trimmed, w, fold_case))
        .map(|len| at + skip + len)
}

/// A currency code or symbol right before byte `at` (one space allowed).
fn prefix_before(text: &str, at: usize) -> Option<usize> {
    let head = &text[..at];
    let trimmed = head.trim_end_matches([' ', '\u{00A0}', '\u{202F}']);
    if head.len() - trimmed.len() > 3 {
        return None;
    }
    CURRENCY_PREFIXES.iter().find_map(|p| {
        let start = trimmed.len().checked_sub(p.len())?;
        if !trimmed.is_char_boundary(start) || &trimmed[start..] != *p {
            return None;
        }
        // `RM` must not be the end of a word (`FORM 5`); symbols may follow letters (`US$`).
        if p.chars().all(|c| c.is_ascii_alphabetic())
            && trimmed[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            return None;
        }
        Some(start)
    })
}

fn push(
    text: &str,
    spans: &mut Vec<Protected>,
    range: Range<usize>,
    kind: ProtectedKind,
    value: Option<Number>,
) {
    push_with(text, spans, range, kind, value, Vec::new());
}

fn push_with(
    text: &str,
    spans: &mut Vec<Protected>,
    range: Range<usize>,
    kind: ProtectedKind,
    value: Option<Number>,
    alternatives: Vec<Number>,
) {
    if range.is_empty()
        || spans
            .iter()
            .any(|p| p.range.start < range.end && range.start < p.range.end)
    {
        return;
    }
    spans.push(Protected {
        text: text[range.clone()].to_string(),
        range,
        kind,
        value,
        alternatives,
    });
}

/// URLs, e-mail addresses, handles and hashtags: spans copied verbatim into
/// every language. Numbers inside them are not quantities.
pub(crate) fn verbatim_spans(text: &str) -> Vec<Protected> {
    let mut spans: Vec<Protected> = Vec::new();
    for m in URL.find_iter(text) {
        let r = trim_url(text, m.range());
        push(text, &mut spans, r, ProtectedKind::Url, None);
    }
    for m in EMAIL.find_iter(text) {
        push(text, &mut spans, m.range(), ProtectedKind::Email, None);
    }
    for m in BARE_DOMAIN.find_iter(text) {
        let r = trim_url(text, m.range());
        // Part of an e-mail address or a longer URL already taken.
        if text[..r.start].ends_with('@') {
            continue;
        }
        push(text, &mut spans, r, ProtectedKind::Url, None);
    }
    for c in HANDLE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            push(text, &mut spans, m.range(), ProtectedKind::Handle, None);
        }
    }
    for c in HASHTAG.captures_iter(text) {
        if let Some(m) = c.get(1) {
            push(text, &mut spans, m.range(), ProtectedKind::Hashtag, None);
        }
    }
    spans
}

/// Every protected span of `text` in `lang`, sorted and non-overlapping.
///
/// Precedence where spans would overlap: URL, e-mail, handle, hashtag, date,
/// then quantities (currency, percent, measure, plain number). Numbers glued
/// to letters (`G20`, `5G`, `1st`, `COVID-19`) are names or ordinals, not
/// quantities, and are not protected (the number check still compares them).
/// `½`, `¼`, `⅔`…: Unicode's precomposed fractions.
fn is_vulgar_fraction(c: char) -> bool {
    matches!(c, '\u{00BC}'..='\u{00BE}' | '\u{2150}'..='\u{215F}' | '\u{2189}')
}

pub fn protected_spans(text: &str, lang: Lang) -> Vec<Protected> {
    let mut spans = verbatim_spans(text);
    for (r, _) in date::find_dates(text, lang) {
        push(text, &mut spans, r, ProtectedKind::Date, None);
    }
    for f in number::scan(text, lang) {
        let mut start = f.range.start;
        let mut end = f.scale_end;
        let mut kind = ProtectedKind::Number;
        if let Some(p) = prefix_before(text, start) {
            start = p;
            kind = ProtectedKind::Currency;
            if let Some(e) = suffix_at(text, end, CURRENCY_SUFFIXES, true) {
                end = e;
            }
        } else if let Some(e) = suffix_at(text, end, PERCENT_SUFFIXES, true) {
            (end, kind) = (e, ProtectedKind::Percent);
        } else if let Some(e) = suffix_at(text, end, CURRENCY_SUFFIXES, true) {
            (end, kind) = (e, ProtectedKind::Currency);
        } else if let Some(e) = (f.scale_end == f.range.end)
            .then(|| suffix_at(text, end, UNITS, false))
            .flatten()
        {
            (end, kind) = (e, ProtectedKind::Measure);
        }
        // Clock times are re-written freely (`3 p.m.` → `15h`); the number
        // check still compares their 24-hour reading.
        if f.glued_before || f.clock || (f.glued_after && kind == ProtectedKind::Number) {
            continue;
        }
        // `14½`: the number read is not the amount written; a rendering of
        // `14` would be wrong, so nothing is demanded of the target.
        if text[end..].starts_with(is_vulgar_fraction)
            || text[..start].ends_with(is_vulgar_fraction)
        {
            continue;
        }
        push_with(text, &mut spans, start..end, kind, Some(f.number), f.alts);
    }
    spans.sort_by_key(|p| p.range.start);
    spans
}

/// Drop trailing punctuation that ends the sentence rather than the URL; keep
/// a closing bracket when the URL opened one.
fn trim_url(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let mut end = s.len();
    while let Some(c) = s[..end].chars().next_back() {
        let drop = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | ']' | '}' | '»' | '。' | '、'
            | '，' => true,
            ')' => s[..end].matches('(').count() < s[..end].matches(')').count(),
            _ => false,
        };
        if !drop {
            break;
        }
        end -= c.len_utf8();
    }
    r.start..r.start + end
}

/// The acceptable renderings of source span `p` in a `trg` text.
///
/// URL, e-mail, handle and hashtag: the span verbatim. Quantities: the number
/// written the target's way (grouped as in the source, or plain digits; for
/// French with U+202F, U+00A0 or a space; for Arabic also in Arabic-Indic
/// digits), for every plausible reading of the source number, plus the full
/// figure when a scale word was used (`5 juta` → `5` or `5,000,000`). The
/// currency symbol, unit or scale word need not be present: the caller's
/// glossary and the translation handle words. Dates: the target's long date
/// forms; none (so not judged) for languages without month names here.
pub fn expected_in_target(p: &Protected, src: Lang, trg: Lang) -> Vec<String> {
    if p.kind.is_verbatim() {
        return vec![p.text.clone()];
    }
    if p.kind == ProtectedKind::Date {
        return date::parse_date(&p.text, src)
            .map(|d| date::render_dates(&d, trg))
            .unwrap_or_default();
    }
    let readings: Vec<&Number> = p.value.iter().chain(&p.alternatives).collect();
    let mut out = Vec::new();
    for n in readings {
        out.extend(number::renderings(n, trg));
        if let Some(full) = n.scaled_integer() {
            out.extend(number::renderings(&full, trg));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// Render a quantity span's number for `trg` (convenience for the restorer).
pub fn render_protected(p: &Protected, trg: Lang) -> Option<String> {
    p.value.as_ref().map(|n| render_number(n, trg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    fn kinds(text: &str, l: &str) -> Vec<(ProtectedKind, String)> {
        protected_spans(text, lang(l))
            .into_iter()
            .map(|p| (p.kind, p.text))
            .collect()
    }

    use ProtectedKind::{Currency, Date, Email, Handle, Hashtag, Measure, Percent, Url};

    #[test]
    fn finds_links_addresses_handles_and_hashtags() {
        let got = kinds(
            "Baca https://example.co.id/berita?id=5. Kirim ke redaksi@warta.id atau @WartaNews, tagar #Pemilu2024.",
            "id",
        );
        assert_eq!(
            got,
            [
                (Url, "https://example.co.id/berita?id=5".to_string()),
                (Email, "redaksi@warta.id".to_string()),
                (Handle, "@WartaNews".to_string()),
                (Hashtag, "#Pemilu2024".to_string()),
            ]
        );
    }

    #[test]
    fn bare_domains_are_urls_but_abbreviations_are_not() {
        assert_eq!(
            kinds("Visit Amazon.com today.", "en"),
            [(Url, "Amazon.com".into())]
        );
        assert!(kinds("The U.S. said so.", "en").is_empty());
    }

    #[test]
    fn finds_rupiah_dollar_and_euro_amounts() {
        let got = protected_spans(
            "Harga naik Rp 10.000 menjadi US$ 5,5 juta, atau €3.",
            lang("id"),
        );
        let v: Vec<_> = got.iter().map(|p| (p.kind, p.text.as_str())).collect();
        assert_eq!(
            v,
            [
                (Currency, "Rp 10.000"),
                (Currency, "US$ 5,5 juta"),
                (Currency, "€3")
            ]
        );
        assert!(got[0]
            .value
            .as_ref()
            .unwrap()
            .same_value(&Number::new("10000", "")));
        let juta = got[1].value.as_ref().unwrap();
        assert!(juta.same_value(&Number::new("5", "5")));
        assert_eq!(juta.scale, 6);
        assert_eq!(kinds("It costs $10.", "en"), [(Currency, "$10".into())]);
        assert_eq!(kinds("Ça coûte 3 €.", "fr"), [(Currency, "3 €".into())]);
    }

    #[test]
    fn finds_percentages_measures_and_dates() {
        assert_eq!(
            kinds(
                "Inflasi 5,5% pada 19 Januari 2022, suhu 30°C, jarak 12 km.",
                "id"
            ),
            [
                (Percent, "5,5%".into()),
                (Date, "19 Januari 2022".into()),
                (Measure, "30°C".into()),
                (Measure, "12 km".into()),
            ]
        );
        assert_eq!(
            kinds("It rose 3 percent in 2021.", "en"),
            [
                (Percent, "3 percent".into()),
                (ProtectedKind::Number, "2021".into())
            ]
        );
    }

    #[test]
    fn numbers_glued_to_letters_are_not_protected() {
        assert!(kinds("The G20 met about COVID-19 and 5G on the 1st.", "en").is_empty());
    }

    #[test]
    fn expected_renderings_follow_the_target_locale() {
        let (id, en, fr) = (lang("id"), lang("en"), lang("fr"));
        let p = &protected_spans("Rp 10.000,5", id)[0];
        let e = expected_in_target(p, id, en);
        assert_eq!(e[0], "10,000.5");
        assert!(e.contains(&"10000.5".to_string()));
        let f = expected_in_target(p, id, fr);
        assert_eq!(f[0], "10\u{202F}000,5");
        assert!(f.contains(&"10 000,5".to_string()));
        let juta = &protected_spans("US$ 5,5 juta", id)[0];
        let e = expected_in_target(juta, id, en);
        assert!(e.contains(&"5.5".to_string()) && e.contains(&"5,500,000".to_string()));
        let url = &protected_spans("see https://x.org/a", en)[0];
        assert_eq!(expected_in_target(url, en, lang("ja")), ["https://x.org/a"]);
        let d = &protected_spans("pada 19 Januari 2022", id)[0];
        assert!(expected_in_target(d, id, en).contains(&"January 19, 2022".to_string()));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "",
            "@",
            "#",
            "http://",
            "www.",
            "$",
            "Rp",
            "€€€1",
            "@@x",
            "a@b",
            "#1",
            "1%%",
            "US$",
            "😀 1 km 😀",
            "١٢٪",
        ] {
            for l in ["en", "id", "ar", "zh", "fr"] {
                for p in protected_spans(s, lang(l)) {
                    assert_eq!(&s[p.range.clone()], p.text);
                    let _ = expected_in_target(&p, lang(l), lang("ja"));
                }
            }
        }
    }
}
