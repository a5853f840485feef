//! Calendar dates written with month names (`19 Januari 2022`,
//! `January 19, 2022`, `19 de janeiro de 2022`, `2022年1月19日`).
//!
//! Found in the source, a date is a protected span whose acceptable target
//! renderings are the target language's usual long forms. All-numeric dates
//! (`19/1/2022`) are left to the number check, which already compares their
//! parts. Month names follow CLDR's `format-wide` (and `format-abbreviated`
//! for English and Indonesian); Arabic lists both the Egyptian/Gulf names and
//! the Levantine ones, as both appear in Arabic news.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use warta_core::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    pub day: Option<u8>,
    pub month: u8,
    pub year: Option<u16>,
}

/// Month names per language, January first; each entry lists spellings,
/// the first being the one to render.
fn months(code: &str) -> Option<[&'static [&'static str]; 12]> {
    Some(match code {
        "en" => [
            &["January", "Jan"],
            &["February", "Feb"],
            &["March", "Mar"],
            &["April", "Apr"],
            &["May"],
            &["June", "Jun"],
            &["July", "Jul"],
            &["August", "Aug"],
            &["September", "Sept", "Sep"],
            &["October", "Oct"],
            &["November", "Nov"],
            &["December", "Dec"],
        ],
        "id" | "ms" => [
            &["Januari", "Jan"],
            &["Februari", "Feb", "Pebruari"],
            &["Maret", "Mac", "Mar"],
            &["April", "Apr"],
            &["Mei"],
            &["Juni", "Jun"],
            &["Juli", "Julai", "Jul"],
            &["Agustus", "Ogos", "Agu", "Agt"],
            &["September", "Sep"],
            &["Oktober", "Okt"],
            &["November", "Nopember", "Nov"],
            &["Desember", "Disember", "Des"],
        ],
        "pt" => [
            &["janeiro"],
            &["fevereiro"],
            &["março"],
            &["abril"],
            &["maio"],
            &["junho"],
            &["julho"],
            &["agosto"],
            &["setembro"],
            &["outubro"],
            &["novembro"],
            &["dezembro"],
        ],
        "es" => [
            &["enero"],
            &["febrero"],
            &["marzo"],
            &["abril"],
            &["mayo"],
            &["junio"],
            &["julio"],
            &["agosto"],
            &["septiembre", "setiembre"],
            &["octubre"],
            &["noviembre"],
            &["diciembre"],
        ],
        "fr" => [
            &["janvier"],
            &["février"],
            &["mars"],
            &["avril"],
            &["mai"],
            &["juin"],
            &["juillet"],
            &["août"],
            &["septembre"],
            &["octobre"],
            &["novembre"],
            &["décembre"],
        ],
        "de" => [
            &["Januar", "Jänner"],
            &["Februar"],
            &["März"],
            &["April"],
            &["Mai"],
            &["Juni"],
            &["Juli"],
            &["August"],
            &["September"],
            &["Oktober"],
            &["November"],
            &["Dezember"],
        ],
        "it" => [
            &["gennaio"],
            &["febbraio"],
            &["marzo"],
            &["aprile"],
            &["maggio"],
            &["giugno"],
            &["luglio"],
            &["agosto"],
            &["settembre"],
            &["ottobre"],
            &["novembre"],
            &["dicembre"],
        ],
        "nl" => [
            &["januari"],
            &["februari"],
            &["maart"],
            &["april"],
            &["mei"],
            &["juni"],
            &["juli"],
            &["augustus"],
            &["september"],
            &["oktober"],
            &["november"],
            &["december"],
        ],
        "ar" => [
            &["يناير", "كانون الثاني"],
            &["فبراير", "شباط"],
            &["مارس", "آذار"],
            &["أبريل", "إبريل", "ابريل", "نيسان"],
            &["مايو", "أيار"],
            &["يونيو", "حزيران"],
            &["يوليو", "تموز"],
            &["أغسطس", "آب"],
            &["سبتمبر", "أيلول"],
            &["أكتوبر", "تشرين الأول"],
            &["نوفمبر", "تشرين الثاني"],
            &["ديسمبر", "كانون الأول"],
        ],
        _ => return None,
    })
}

struct Patterns {
    regexes: Vec<Regex>,
    /// lower-cased spelling → month number
    month_of: HashMap<String, u8>,
}

fn build(code: &str) -> Option<Patterns> {
    if matches!(code, "zh" | "ja") {
        let re =
            Regex::new(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?")
                .ok()?;
        return Some(Patterns {
            regexes: vec![re],
            month_of: HashMap::new(),
        });
    }
    if code == "ko" {
        let re =
            Regex::new(r"(?:(?P<y>\d{4})년\s*)?(?P<m>\d{1,2})월(?:\s*(?P<d>\d{1,2})일)?").ok()?;
        return Some(Patterns {
            regexes: vec![re],
            month_of: HashMap::new(),
        });
    }
    let table = months(code)?;
    let mut month_of = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for (k, spellings) in table.iter().enumerate() {
        for s in *spellings {
            month_of.insert(s.to_lowercase(), k as u8 + 1);
            names.push(s);
        }
    }
    // Longest first so `September` wins over `Sep`.
    names.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let m = names
        .iter()
        .map(|s| regex::escape(s))
        .collect::<Vec<_>>()
        .join("|");
    // English, Indonesian and German capitalise months; elsewhere either case.
    let ci = if matches!(code, "en" | "id" | "ms" | "de") {
        ""
    } else {
        "(?i)"
    };
    let dmy = format!(
        r"{ci}\b(?P<d>\d{{1,2}})(?:\.|º|ª|°|er|st|nd|rd|th)?\s+(?:de\s+|of\s+)?(?P<m>{m})\b\.?(?:,?\s+(?:de\s+)?(?P<y>\d{{4}})\b)?"
    );
    let my = format!(r"{ci}\b(?P<m>{m})\b\.?,?\s+(?:de\s+|of\s+)?(?P<y>\d{{4}})\b");
    let mut regexes = vec![Regex::new(&dmy).ok()?, Regex::new(&my).ok()?];
    if code == "en" {
        let mdy = format!(
            r"\b(?P<m>{m})\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
        );
        regexes.insert(0, Regex::new(&mdy).ok()?);
    }
    Some(Patterns { regexes, month_of })
}

static PATTERNS: LazyLock<HashMap<&'static str, Patterns>> = LazyLock::new(|| {
    [
        "en", "id", "ms", "pt", "es", "fr", "de", "it", "nl", "ar", "zh", "ja", "ko",
    ]
    .into_iter()
    .filter_map(|c| build(c).map(|p| (c, p)))
    .collect()
});

/// Dates in `text` written the way `lang` writes them, non-overlapping,
/// longest match first.
pub(crate) fn find_dates(text: &str, lang: Lang) -> Vec<(Range<usize>, Date)> {
    let Some(p) = PATTERNS.get(lang.code()) else {
        return Vec::new();
    };
    let mut found: Vec<(Range<usize>, Date)> = Vec::new();
    for re in &p.regexes {
        for c in re.captures_iter(text) {
            let Some(whole) = c.get(0) else { continue };
            let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
            let month = match c.name("m") {
                Some(m) if p.month_of.is_empty() => m.as_str().parse::<u8>().ok(),
                Some(m) => p.month_of.get(&m.as_str().to_lowercase()).copied(),
                None => None,
            };
            let Some(month) = month.filter(|m| (1..=12).contains(m)) else {
                continue;
            };
            let day = num("d").filter(|d| (1..=31).contains(d)).map(|d| d as u8);
            if c.name("d").is_some() && day.is_none() {
                continue;
            }
            let year = num("y");
            if day.is_none() && year.is_none() {
                continue;
            }
            let r = whole.range();
            if found
                .iter()
                .any(|(o, _)| o.start < r.end && r.start < o.end)
            {
                continue;
            }
            found.push((r, Date { day, month, year }));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// Months named in `text`: in dates, as month names on their own (`in June`,
/// case as the language writes months) and, in CJK, as `6月`.
pub(crate) fn months_mentioned(text: &str, lang: Lang) -> Vec<u8> {
    let mut out: Vec<u8> = find_dates(text, lang)
        .into_iter()
        .map(|(_, d)| d.month)
        .collect();
    if let Some(table) = months(lang.code()) {
        let fold = !matches!(lang.code(), "en" | "id" | "ms" | "de");
        for (k, spellings) in table.iter().enumerate() {
            // Full names, and abbreviations only with their period (`Sept.`):
            // `Mar`, `May` and `Jun` are also ordinary words.
            let full = spellings[0];
            let named =
                full.chars().count() > 3 && warta_core::term::contains_term(text, full, !fold);
            let abbreviated = spellings[1..]
                .iter()
                .any(|a| warta_core::term::contains_term(text, &format!("{a}."), !fold));
            if named || abbreviated {
                out.push(k as u8 + 1);
            }
        }
    }
    if matches!(lang.code(), "zh" | "ja" | "ko") {
        let marker = if lang.code() == "ko" { '월' } else { '月' };
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c != marker {
                continue;
            }
            let digits: String = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if let Ok(m) = digits.parse::<u8>() {
                if (1..=12).contains(&m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// Parse `text` as one date of `lang`.
pub(crate) fn parse_date(text: &str, lang: Lang) -> Option<Date> {
    find_dates(text, lang).into_iter().next().map(|(_, d)| d)
}

fn ordinal_en(d: u8) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The usual long forms of `d` in `lang`; empty where warta has no month names
/// for the language (the protected check then does not judge the date).
pub(crate) fn render_dates(d: &Date, lang: Lang) -> Vec<String> {
    let code = lang.code();
    let mut out = Vec::new();
    let (day, m, year) = (d.day, d.month, d.year);
    match code {
        "zh" | "ja" => {
            out.push(match (year, day) {
                (Some(y), Some(dd)) => format!("{y}年{m}月{dd}日"),
                (None, Some(dd)) => format!("{m}月{dd}日"),
                (Some(y), None) => format!("{y}年{m}月"),
                (None, None) => return out,
            });
            return out;
        }
        "ko" => {
            out.push(match (year, day) {
                (Some(y), Some(dd)) => format!("{y}년 {m}월 {dd}일"),
                (None, Some(dd)) => format!("{m}월 {dd}일"),
                (Some(y), None) => format!("{y}년 {m}월"),
                (None, None) => return out,
            });
            return out;
        }
        _ => {}
    }
    let Some(table) = months(code) else {
        return out;
    };
    for name in table[usize::from(m - 1)] {
        let abbr = name.chars().count() <= 4 && code == "en";
        let mn = if abbr {
            format!("{name}.")
        } else {
            name.to_string()
        };
        match (day, year) {
            (Some(dd), Some(y)) => match code {
                "en" => {
                    let o = ordinal_en(dd);
                    out.extend([
                        format!("{mn} {dd}, {y}"),
                        format!("{mn} {dd} {y}"),
                        format!("{dd} {name} {y}"),
                        format!("{mn} {dd}{o}, {y}"),
                        format!("{dd}{o} {name} {y}"),
                        format!("{dd}{o} of {name} {y}"),
                    ]);
                    if abbr {
                        out.push(format!("{name} {dd}, {y}"));
                    }
                }
                "pt" | "es" => {
                    out.extend([
                        format!("{dd} de {name} de {y}"),
                        format!("{dd} de {name}, {y}"),
                        format!("{dd} {name} {y}"),
                    ]);
                    if dd == 1 {
                        out.extend([
                            format!("1º de {name} de {y}"),
                            format!("1.º de {name} de {y}"),
                            format!("1o de {name} de {y}"),
                            format!("primeiro de {name} de {y}"),
                        ]);
                    }
                }
                "fr" => {
                    out.push(format!("{dd} {name} {y}"));
                    if dd == 1 {
                        out.push(format!("1er {name} {y}"));
                    }
                }
                "it" => {
                    out.push(format!("{dd} {name} {y}"));
                    if dd == 1 {
                        out.push(format!("1º {name} {y}"));
                    }
                }
                "de" => out.extend([format!("{dd}. {name} {y}"), format!("{dd} {name} {y}")]),
                _ => out.push(format!("{dd} {name} {y}")),
            },
            (Some(dd), None) => match code {
                "en" => {
                    let o = ordinal_en(dd);
                    out.extend([
                        format!("{mn} {dd}"),
                        format!("{dd} {name}"),
                        format!("{mn} {dd}{o}"),
                        format!("{dd}{o} {name}"),
                        format!("{dd}{o} of {name}"),
                    ]);
                    if abbr {
                        out.push(format!("{name} {dd}"));
                    }
                }
                "pt" | "es" => {
                    out.push(format!("{dd} de {name}"));
                    if dd == 1 {
                        // `1o` is how `1º` is typed without the ordinal indicator.
                        out.extend([
                            format!("1º de {name}"),
                            format!("1.º de {name}"),
                            format!("1o de {name}"),
                            format!("primeiro de {name}"),
                        ]);
                    }
                }
                "fr" => {
                    out.push(format!("{dd} {name}"));
                    if dd == 1 {
                        out.push(format!("1er {name}"));
                    }
                }
                "de" => out.extend([format!("{dd}. {name}"), format!("{dd} {name}")]),
                _ => out.push(format!("{dd} {name}")),
            },
            (None, Some(y)) => match code {
                "pt" | "es" => out.extend([format!("{name} de {y}"), format!("{name} {y}")]),
                "en" => out.extend([
                    format!("{mn} {y}"),
                    format!("{name}, {y}"),
                    format!("{name} of {y}"),
                    format!("{name} {y}"),
                ]),
                _ => out.push(format!("{name} {y}")),
            },
            (None, None) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    #[test]
    fn finds_long_dates_in_each_language() {
        let cases = [
            (
                "id",
                "Rapat digelar pada 19 Januari 2022 di Jakarta.",
                "19 Januari 2022",
                (Some(19), 1, Some(2022)),
            ),
            (
                "en",
                "The summit opened on January 19, 2022 in Minsk.",
                "January 19, 2022",
                (Some(19), 1, Some(2022)),
            ),
            (
                "en",
                "It ended on Sept. 30.",
                "Sept. 30",
                (Some(30), 9, None),
            ),
            (
                "en",
                "Sales fell in March 2020.",
                "March 2020",
                (None, 3, Some(2020)),
            ),
            (
                "pt",
                "Em 19 de janeiro de 2022 houve eleições.",
                "19 de janeiro de 2022",
                (Some(19), 1, Some(2022)),
            ),
            (
                "fr",
                "Le 1er mars 2021, il a dit.",
                "1er mars 2021",
                (Some(1), 3, Some(2021)),
            ),
            (
                "zh",
                "会议于2022年1月19日举行。",
                "2022年1月19日",
                (Some(19), 1, Some(2022)),
            ),
            (
                "ar",
                "في 19 يناير 2022 قال",
                "19 يناير 2022",
                (Some(19), 1, Some(2022)),
            ),
        ];
        for (l, text, span, (d, m, y)) in cases {
            let found = find_dates(text, lang(l));
            assert_eq!(found.len(), 1, "{l}: {text}");
            assert_eq!(&text[found[0].0.clone()], span);
            assert_eq!(
                found[0].1,
                Date {
                    day: d,
                    month: m,
                    year: y
                }
            );
        }
    }

    #[test]
    fn a_month_name_alone_is_not_a_date() {
        assert!(find_dates("You may say so in March.", lang("en")).is_empty());
        assert!(find_dates("3 months later", lang("en")).is_empty());
    }

    #[test]
    fn renders_in_the_target_language() {
        let d = Date {
            day: Some(19),
            month: 1,
            year: Some(2022),
        };
        assert!(render_dates(&d, lang("en")).contains(&"January 19, 2022".to_string()));
        assert!(render_dates(&d, lang("pt")).contains(&"19 de janeiro de 2022".to_string()));
        assert_eq!(render_dates(&d, lang("zh")), ["2022年1月19日"]);
        assert!(render_dates(&d, lang("ar")).contains(&"19 يناير 2022".to_string()));
        assert!(render_dates(&d, lang("th")).is_empty());
    }
}
