//! Numbers as news text writes them, read and written per locale.
//!
//! Digit grouping and the decimal mark follow CLDR's `latn` number symbols for
//! each language (`group` / `decimal`): English, Chinese, Japanese, Korean,
//! Malay write `10,000.5`; Indonesian, Portuguese, German, Spanish, Italian,
//! Dutch write `10.000,5`; French (and most of Central/Eastern Europe and the
//! Nordics) write `10 000,5` with a no-break space; Arabic writes either
//! Western digits like English or Arabic-Indic digits `١٠٬٠٠٠٫٥` with its own
//! separators (U+066C, U+066B).
//!
//! Reading is deliberately forgiving of *foreign* conventions because
//! newsroom copy and machine output mix them: `2.5` in Indonesian text is not
//! a valid grouping, so it can only be two and a half; `10,000` in Indonesian
//! text is ten by the locale but very likely ten thousand typed English-style,
//! so the reader keeps both readings and a comparison accepts either.
//! A four-digit year (`2022`) has no separator and stays a plain integer.

use std::ops::Range;

use serde::Serialize;
use warta_core::Lang;

/// A number as written: the digits of its numeral and how they were grouped.
///
/// `scale` records a scale word written after the numeral (`5 juta`,
/// `5 million`, `5亿`) as a power of ten; the numeral itself is `int.frac`.
/// Two numbers can be compared by numeral ([`Number::same_value`]) or by the
/// quantity they denote ([`Number::same_quantity`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Number {
    pub negative: bool,
    /// Integer digits, ASCII, as written (leading zeros kept), never empty.
    pub int: String,
    /// Fraction digits, ASCII, as written (trailing zeros kept), may be empty.
    pub frac: String,
    /// Whether the integer part was written with thousands separators.
    pub grouped: bool,
    /// Power of ten of a following scale word (`juta` = 6, `万` = 4), else 0.
    pub scale: u8,
}

impl Number {
    /// A number from its ASCII integer and fraction digits, ungrouped, unscaled.
    /// Non-digits are dropped, so this never fails; an empty integer part is `0`.
    pub fn new(int: &str, frac: &str) -> Number {
        let int: String = int.chars().filter(|c| c.is_ascii_digit()).collect();
        Number {
            negative: false,
            int: if int.is_empty() { "0".into() } else { int },
            frac: frac.chars().filter(|c| c.is_ascii_digit()).collect(),
            grouped: false,
            scale: 0,
        }
    }

    /// The numeral as a float (scale word not applied). For display and
    /// sorting only; comparisons use the exact decimal form.
    pub fn value(&self) -> f64 {
        let s = if self.frac.is_empty() {
            self.int.clone()
        } else {
            format!("{}.{}", self.int, self.frac)
        };
        let v: f64 = s.parse().unwrap_or(f64::NAN);
        if self.negative {
            -v
        } else {
            v
        }
    }

    /// Exact decimal form: sign, significant digits without leading or
    /// trailing zeros, and the power of ten of the last digit.
    fn canonical(&self, with_scale: bool) -> (bool, String, i64) {
        let mut digits = format!("{}{}", self.int, self.frac);
        let mut exp = -(self.frac.len() as i64);
        if with_scale {
            exp += i64::from(self.scale);
        }
        let lead = digits.bytes().take_while(|&b| b == b'0').count();
        digits.drain(..lead);
        if digits.is_empty() {
            return (false, "0".into(), 0);
        }
        while digits.ends_with('0') {
            digits.pop();
            exp += 1;
        }
        (self.negative, digits, exp)
    }

    /// Same numeral value (`10.000,50` id = `10,000.5` en); scale words ignored.
    pub fn same_value(&self, other: &Number) -> bool {
        self.canonical(false) == other.canonical(false)
    }

    /// Same quantity once scale words are applied (`5 juta` = `5,000,000`,
    /// `2.5 billion` = `25亿`).
    pub fn same_quantity(&self, other: &Number) -> bool {
        self.canonical(true) == other.canonical(true)
    }

    /// Whether this is a small whole number (used for number words).
    pub(crate) fn small_integer(&self) -> Option<u32> {
        let (neg, digits, exp) = self.canonical(false);
        if neg || !(0..=3).contains(&exp) || digits.len() > 4 {
            return None;
        }
        let v: u32 = digits.parse().ok()?;
        Some(v * 10u32.pow(exp as u32))
    }

    /// The numeral multiplied out by its scale word, when that is a whole
    /// number of at most 21 digits (`5,5 juta` → `5500000`).
    pub(crate) fn scaled_integer(&self) -> Option<Number> {
        if self.scale == 0 {
            return None;
        }
        let (neg, digits, exp) = self.canonical(true);
        if exp < 0 || digits.len() as i64 + exp > 21 {
            return None;
        }
        let mut int = digits;
        int.extend(std::iter::repeat_n('0', exp as usize));
        Some(Number {
            negative: neg,
            int,
            frac: String::new(),
            grouped: true,
            scale: 0,
        })
    }
}

/// How a language writes numbers (CLDR `latn` symbols, plus Arabic-Indic for ar/fa).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `10,000.5`
    Comma,
    /// `10.000,5`
    Dot,
    /// `10 000,5`
    Space,
    /// `10,000.5` or `١٠٬٠٠٠٫٥`
    Arabic,
}

pub(crate) fn style(lang: Lang) -> Style {
    match lang.code() {
        "id" | "pt" | "de" | "es" | "it" | "nl" | "da" | "tr" | "ro" | "el" | "hr" | "sl"
        | "ca" | "vi" => Style::Dot,
        "fr" | "ru" | "uk" | "bg" | "cs" | "sk" | "pl" | "sv" | "fi" | "nb" | "no" | "et"
        | "lv" | "lt" | "hu" | "sq" => Style::Space,
        "ar" | "fa" => Style::Arabic,
        _ => Style::Comma,
    }
}

/// The value of a decimal digit in any script warta reads: ASCII, Arabic-Indic,
/// Extended Arabic-Indic (Persian/Urdu) and full-width (CJK text).
pub(crate) fn digit(c: char) -> Option<u8> {
    let d = match c {
        '0'..='9' => c as u32 - '0' as u32,
        '\u{0660}'..='\u{0669}' => c as u32 - 0x0660,
        '\u{06F0}'..='\u{06F9}' => c as u32 - 0x06F0,
        '\u{FF10}'..='\u{FF19}' => c as u32 - 0xFF10,
        _ => return None,
    };
    Some(d as u8)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// ordinary space: a group separator only in space-grouping locales
    Space,
    /// NBSP, narrow NBSP, thin space: grouping in any locale
    Thin,
    Dot,
    Comma,
    ArDecimal,
    ArGroup,
}

fn sep(c: char) -> Option<Sep> {
    Some(match c {
        ' ' => Sep::Space,
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => Sep::Thin,
        '.' => Sep::Dot,
        ',' => Sep::Comma,
        '\u{066B}' => Sep::ArDecimal,
        '\u{066C}' => Sep::ArGroup,
        _ => return None,
    })
}

/// One number found in a text.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    /// Byte range of the numeral, including a leading minus sign.
    pub range: Range<usize>,
    /// End of the scale word after the numeral (`range.end` if none).
    pub scale_end: usize,
    /// The locale's reading, with `scale` set.
    pub number: Number,
    /// Other plausible readings (foreign separators, 12-hour clock).
    pub alts: Vec<Number>,
    /// A letter (or letter + hyphen) right before: `G20`, `COVID-19`.
    pub glued_before: bool,
    /// A letter right after: `5G`, `1st`, `10km`.
    pub glued_after: bool,
    /// Part of a clock time (`10.30 WIB`, `7pm`, `14:00`): a time, not a quantity.
    pub clock: bool,
}

impl Scanned {
    pub fn readings(&self) -> impl Iterator<Item = &Number> {
        std::iter::once(&self.number).chain(self.alts.iter())
    }
}

/// Every number in `text`, read with `lang`'s conventions. Never panics; text
/// without digits yields nothing.
pub(crate) fn scan(text: &str, lang: Lang) -> Vec<Scanned> {
    let st = style(lang);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_end = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        // Collect a run: digit groups joined by single separator chars.
        let mut groups: Vec<(usize, usize)> = Vec::new(); // char index ranges
        let mut seps: Vec<Sep> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < chars.len() && digit(chars[j].1).is_some() {
                j += 1;
            }
            groups.push((start, j));
            match chars.get(j).and_then(|&(_, c)| sep(c)) {
                Some(s) if chars.get(j + 1).is_some_and(|&(_, c)| digit(c).is_some()) => {
                    seps.push(s);
                    j += 1;
                }
                _ => break,
            }
        }
        let digits: Vec<String> = groups
            .iter()
            .map(|&(a, b)| {
                chars[a..b]
                    .iter()
                    .map(|&(_, c)| char::from(b'0' + digit(c).unwrap_or(0)))
                    .collect()
            })
            .collect();
        let run_end_byte = byte_end(j);
        let time = seps.len() == 1 && time_context(text, chars[i].0, run_end_byte);
        let pieces = interpret(&digits, &seps, st, time);
        let split_clock = time && pieces.len() == 2;
        let last_piece = pieces.len().saturating_sub(1);
        for (k, piece) in pieces.into_iter().enumerate() {
            let (ga, gb) = (groups[piece.from].0, groups[piece.to].1);
            let mut start = chars[ga].0;
            let end = byte_end(gb);
            let mut number = piece.number;
            let mut alts = piece.alts;
            // A minus sign belongs to the number only where it cannot be a
            // hyphen or a range dash: at the start or after a space/bracket.
            if ga > 0 && matches!(chars[ga - 1].1, '-' | '\u{2212}') {
                let before = if ga >= 2 { Some(chars[ga - 2].1) } else { None };
                if before.is_none_or(|c| c.is_whitespace() || c == '(') {
                    start = chars[ga - 1].0;
                    number.negative = true;
                    for a in &mut alts {
                        a.negative = true;
                    }
                }
            }
            let glued_before = ga > 0 && {
                let p = chars[ga - 1].1;
                p.is_alphabetic() || (p == '-' && ga >= 2 && chars[ga - 2].1.is_alphabetic())
            };
            let glued_after = chars
                .get(gb)
                .is_some_and(|&(_, c)| c.is_alphabetic() && !is_cjk_scale_char(c));
            let mut scale_end = end;
            if k == last_piece {
                if let Some((exp, e)) = scale_word(text, end, lang) {
                    number.scale = exp;
                    for a in &mut alts {
                        a.scale = exp;
                    }
                    scale_end = e;
                }
            }
            let meridiem = meridiem_after(text, end);
            if meridiem == Some(true) {
                if let Some(h) = number.small_integer().filter(|h| (1..12).contains(h)) {
                    alts.push(Number::new(&(h + 12).to_string(), ""));
                }
            }
            // `1930s` → `anos 30`, `années 30`: the decade by its last two digits.
            if number.int.len() == 4 && number.int.ends_with('0') && number.frac.is_empty() {
                let after = &text[end..];
                if after.starts_with('s')
                    && !after[1..].chars().next().is_some_and(char::is_alphanumeric)
                {
                    alts.push(Number::new(&number.int[2..], ""));
                }
            }
            let colon_after = text[end..]
                .strip_prefix(':')
                .is_some_and(|r| r.bytes().take_while(u8::is_ascii_digit).count() == 2);
            let colon_before =
                ga >= 2 && chars[ga - 1].1 == ':' && digit(chars[ga - 2].1).is_some();
            let clock = split_clock || meridiem.is_some() || colon_after || colon_before;
            out.push(Scanned {
                range: start..end,
                scale_end,
                number,
                alts,
                glued_before,
                glued_after,
                clock,
            });
        }
        i = j;
    }
    if cjk(lang) {
        out = merge_cjk_compounds(text, out);
    }
    year_range_alts(text, &mut out);
    out
}

/// `1950-53`: the second year of an abbreviated range also reads `1953`.
fn year_range_alts(text: &str, found: &mut [Scanned]) {
    for k in 1..found.len() {
        let (prev, cur) = (&found[k - 1], &found[k]);
        let between = text
            .get(prev.range.end..cur.range.start)
            .unwrap_or_default();
        if matches!(between, "-" | "–" | "/")
            && prev.number.int.len() == 4
            && prev.number.frac.is_empty()
            && cur.number.int.len() == 2
            && cur.number.frac.is_empty()
            && !cur.number.grouped
        {
            let full = format!("{}{}", &prev.number.int[..2], cur.number.int);
            found[k].alts.push(Number::new(&full, ""));
        }
    }
}

/// Join `1万2000` (one ten-thousand and two thousand) into 12000: Chinese and
/// Japanese write large numbers as a scaled part followed by the rest.
fn merge_cjk_compounds(text: &str, found: Vec<Scanned>) -> Vec<Scanned> {
    let mut out: Vec<Scanned> = Vec::with_capacity(found.len());
    for f in found {
        if let Some(prev) = out.last_mut() {
            // `1万2000` or, in some styles, `1 万 2 千`.
            let gap = text.get(prev.scale_end..f.range.start);
            let adjacent = gap.is_some_and(|g| g.len() <= 3 && g.chars().all(char::is_whitespace))
                && matches!(prev.number.scale, 4 | 8 | 12);
            if adjacent && prev.number.frac.is_empty() && !f.number.negative {
                let big = prev.number.scale;
                let a: Option<u128> = prev.number.int.parse().ok();
                let b: Option<u128> = f
                    .number
                    .scaled_integer()
                    .map_or_else(|| f.number.int.parse().ok(), |n| n.int.parse().ok());
                let unit = 10u128.checked_pow(u32::from(big));
                let sum = match (a, b, unit) {
                    (Some(a), Some(b), Some(u)) if f.number.frac.is_empty() && b < u => {
                        a.checked_mul(u).and_then(|x| x.checked_add(b))
                    }
                    _ => None,
                };
                if let Some(v) = sum {
                    prev.number = Number {
                        negative: prev.number.negative,
                        ..Number::new(&v.to_string(), "")
                    };
                    prev.alts.clear();
                    prev.range.end = f.range.end;
                    prev.scale_end = f.scale_end;
                    prev.glued_after = f.glued_after;
                    continue;
                }
            }
        }
        out.push(f);
    }
    out
}

struct Piece {
    from: usize,
    to: usize,
    number: Number,
    alts: Vec<Number>,
}

fn integer(g: &str) -> Number {
    Number::new(g, "")
}

fn grouped(groups: &[String], frac: &str) -> Number {
    Number {
        grouped: true,
        ..Number::new(&groups.concat(), frac)
    }
}

/// `g0` of 1–3 digits not starting with 0, then groups of exactly 3.
fn valid_grouping(groups: &[String]) -> bool {
    groups.len() >= 2
        && (1..=3).contains(&groups[0].len())
        && !groups[0].starts_with('0')
        && groups[1..].iter().all(|g| g.len() == 3)
}

fn locale_decimal(st: Style) -> Sep {
    match st {
        Style::Comma | Style::Arabic => Sep::Dot,
        Style::Dot | Style::Space => Sep::Comma,
    }
}

fn locale_group(st: Style) -> Sep {
    match st {
        Style::Comma | Style::Arabic => Sep::Comma,
        Style::Dot => Sep::Dot,
        Style::Space => Sep::Space,
    }
}

/// Read one run of digit groups and separators. Where the separators cannot
/// form one number, the run is split into several.
fn interpret(groups: &[String], seps: &[Sep], st: Style, time: bool) -> Vec<Piece> {
    let whole = |number: Number, alts: Vec<Number>| {
        vec![Piece {
            from: 0,
            to: groups.len() - 1,
            number,
            alts,
        }]
    };
    let split_all = || {
        groups
            .iter()
            .enumerate()
            .map(|(k, g)| Piece {
                from: k,
                to: k,
                number: integer(g),
                alts: vec![],
            })
            .collect::<Vec<_>>()
    };
    if seps.is_empty() {
        return whole(integer(&groups[0]), vec![]);
    }
    // An ordinary space only groups digits in space-grouping locales.
    if st != Style::Space {
        if let Some(k) = seps.iter().position(|&s| s == Sep::Space) {
            let mut left = interpret(&groups[..=k], &seps[..k], st, false);
            let right = interpret(&groups[k + 1..], &seps[k + 1..], st, false);
            left.extend(right.into_iter().map(|p| Piece {
                from: p.from + k + 1,
                to: p.to + k + 1,
                ..p
            }));
            return left;
        }
    }
    let same = |a: Sep, b: Sep| {
        a == b || (matches!(a, Sep::Space | Sep::Thin) && matches!(b, Sep::Space | Sep::Thin))
    };
    let group_capable = |s: Sep| !matches!(s, Sep::ArDecimal);
    let decimal_capable = |s: Sep| matches!(s, Sep::Dot | Sep::Comma | Sep::ArDecimal);
    let n = seps.len();
    if n == 1 {
        let s = seps[0];
        let ok = valid_grouping(groups);
        let decimal = || Number::new(&groups[0], &groups[1]);
        if time && matches!(s, Sep::Dot | Sep::Comma) && is_clock(&groups[0], &groups[1]) {
            return split_all();
        }
        return match s {
            Sep::ArDecimal => whole(decimal(), vec![]),
            Sep::ArGroup | Sep::Space | Sep::Thin => {
                if ok {
                    whole(grouped(groups, ""), vec![])
                } else {
                    split_all()
                }
            }
            _ if s == locale_decimal(st) => {
                let alts = if ok {
                    vec![grouped(groups, "")]
                } else {
                    vec![]
                };
                whole(decimal(), alts)
            }
            _ if s == locale_group(st) => {
                if ok {
                    whole(grouped(groups, ""), vec![])
                } else {
                    whole(decimal(), vec![])
                }
            }
            // `.` in a space-grouping locale: older or foreign grouping.
            _ => {
                if ok {
                    whole(grouped(groups, ""), vec![decimal()])
                } else {
                    whole(decimal(), vec![])
                }
            }
        };
    }
    if seps.iter().all(|&s| same(s, seps[0])) {
        return if group_capable(seps[0]) && valid_grouping(groups) {
            whole(grouped(groups, ""), vec![])
        } else {
            split_all()
        };
    }
    let (first, last) = (seps[0], seps[n - 1]);
    if seps[..n - 1].iter().all(|&s| same(s, first))
        && !same(last, first)
        && group_capable(first)
        && decimal_capable(last)
        && valid_grouping(&groups[..n])
    {
        return whole(grouped(&groups[..n], &groups[n]), vec![]);
    }
    split_all()
}

fn is_clock(h: &str, m: &str) -> bool {
    h.len() <= 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h <= 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

fn is_cjk_scale_char(c: char) -> bool {
    matches!(
        c,
        '万' | '亿' | '億' | '兆' | '千' | '百' | '萬' | '만' | '억' | '천'
    )
}

/// Words that mark a dotted `10.30` as a clock time rather than a decimal.
fn time_context(text: &str, start: usize, end: usize) -> bool {
    // Only unambiguous markers: "at 2.50" may be a price.
    const BEFORE: &[&str] = &["pukul", "pkl", "jam"];
    const AFTER: &[&str] = &[
        "wib",
        "wita",
        "wit",
        "am",
        "pm",
        "a.m",
        "p.m",
        "uhr",
        "hrs",
        "gmt",
        "utc",
        "bst",
        "cet",
        "edt",
        "est",
        "waktu",
        "sore",
        "pagi",
        "siang",
        "malam",
        "صباحا",
        "صباحًا",
        "مساء",
        "مساءً",
        "時",
        "点",
    ];
    let before: String = text[..start]
        .trim_end()
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    let after = text[end..].trim_start().to_lowercase();
    let before_hit = BEFORE.iter().any(|w| {
        before.ends_with(w)
            && before[..before.len() - w.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    });
    let after_hit = AFTER.iter().any(|w| {
        after.starts_with(w)
            && after[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    });
    before_hit || after_hit
}

/// `7am`, `7 p.m.`, `7:30pm`, `7.30 pm`: a 12-hour clock time follows;
/// `Some(true)` for afternoon (the hour has a 24-hour reading).
fn meridiem_after(text: &str, end: usize) -> Option<bool> {
    let mut rest = &text[end..];
    if let Some(r) = rest.strip_prefix([':', '.']) {
        let mins = r.bytes().take_while(u8::is_ascii_digit).count();
        if mins == 2 {
            rest = &r[2..];
        }
    }
    let rest = rest.trim_start().to_lowercase();
    let marker = |ws: &[&str]| {
        ws.iter().any(|w| {
            rest.starts_with(w)
                && rest[w.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
    };
    if marker(&["pm", "p.m", "p. m"]) {
        Some(true)
    } else if marker(&["am", "a.m", "a. m"]) {
        Some(false)
    } else {
        None
    }
}

/// Scale words per language, longest first where one is a prefix of another.
#[rustfmt::skip]
fn scale_words(lang: Lang) -> &'static [(&'static str, u8)] {
    match lang.code() {
        "en" => &[
            ("thousand", 3), ("millions", 6), ("million", 6), ("billions", 9), ("billion", 9),
            ("trillions", 12), ("trillion", 12), ("bn", 9), ("mn", 6), ("tn", 12),
        ],
        "id" | "ms" => &[
            ("ribu", 3), ("rb", 3), ("juta", 6), ("jt", 6), ("miliar", 9), ("milyar", 9),
            ("bilion", 9), ("triliun", 12), ("trilion", 12),
        ],
        "pt" => &[
            ("mil milhões", 9), ("milhões", 6), ("milhão", 6), ("mil", 3), ("bilhões", 9),
            ("bilhão", 9), ("biliões", 12), ("bilião", 12), ("trilhões", 12), ("trilhão", 12),
        ],
        "es" => &[
            ("mil millones", 9), ("millones", 6), ("millón", 6), ("mil", 3), ("millardos", 9),
            ("millardo", 9), ("billones", 12), ("billón", 12),
        ],
        "fr" => &[
            ("mille", 3), ("millions", 6), ("million", 6), ("milliards", 9), ("milliard", 9),
            ("billions", 12), ("billion", 12), ("mds", 9), ("md", 9),
        ],
        "de" => &[
            ("tausend", 3), ("millionen", 6), ("million", 6), ("mio", 6), ("milliarden", 9),
            ("milliarde", 9), ("mrd", 9), ("billionen", 12), ("billion", 12),
        ],
        "it" => &[
            ("mila", 3), ("mille", 3), ("milioni", 6), ("milione", 6), ("miliardi", 9),
            ("miliardo", 9), ("mln", 6), ("mld", 9),
        ],
        "nl" => &[
            ("duizend", 3), ("miljoen", 6), ("miljard", 9), ("mln", 6), ("mld", 9),
        ],
        "zh" => &[
            ("万亿", 12), ("百万", 6), ("千万", 7), ("万", 4), ("萬", 4), ("亿", 8), ("億", 8), ("千", 3),
        ],
        "ja" => &[
            ("百万", 6), ("千万", 7), ("万", 4), ("億", 8), ("兆", 12), ("千", 3),
        ],
        "ko" => &[
            ("천만", 7), ("백만", 6), ("만", 4), ("억", 8), ("조", 12), ("천", 3),
        ],
        "ar" => &[
            ("آلاف", 3), ("ألف", 3), ("الف", 3), ("ملايين", 6), ("مليون", 6), ("مليارات", 9),
            ("مليار", 9), ("بليون", 9), ("تريليون", 12),
        ],
        "ru" | "uk" => &[("тыс", 3), ("млн", 6), ("млрд", 9), ("трлн", 12)],
        _ => &[],
    }
}

fn cjk(lang: Lang) -> bool {
    matches!(lang.script(), "Hans" | "Hant" | "Jpan" | "Kore")
}

/// A scale word after byte `end`: its power of ten and where it ends.
fn scale_word(text: &str, end: usize, lang: Lang) -> Option<(u8, usize)> {
    let rest = &text[end..];
    // `£125m`, `$5k`: money shorthand, only glued to an amount with a symbol
    // (`100m` alone is a distance).
    let money = text[..end]
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .ends_with(['$', '£', '€']);
    if money {
        for (w, exp) in [("m", 6u8), ("k", 3), ("bn", 9), ("b", 9), ("tn", 12)] {
            if rest.starts_with(w)
                && !rest[w.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                return Some((exp, end + w.len()));
            }
        }
    }
    let trimmed = rest.trim_start_matches([' ', '\u{00A0}', '\u{202F}']);
    let skipped = rest.len() - trimmed.len();
    if skipped > 3 {
        return None;
    }
    let lower = trimmed.to_lowercase();
    for &(w, exp) in scale_words(lang) {
        if !lower.starts_with(w) {
            continue;
        }
        if !cjk(lang)
            && lower[w.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        // Lowercasing may change byte lengths; re-measure on the original.
        let n_chars = w.chars().count();
        let len: usize = trimmed.chars().take(n_chars).map(char::len_utf8).sum();
        return Some((exp, end + skipped + len));
    }
    None
}

/// Whether `word` (lower case) is a number or scale word of `lang`: `two`,
/// `million`, `milhões`, `juta` (`two million pounds` is an amount).
pub(crate) fn is_number_word(word: &str, lang: Lang) -> bool {
    scale_words(lang).iter().any(|(w, _)| *w == word)
        || spelled_numbers(lang).iter().any(|(w, _)| w == word)
}

/// Words that stand for small numbers (cardinals, ordinals, "a"/"half"...), so
/// `2` translated as "two" is not a changed number. Lower case.
#[rustfmt::skip]
pub(crate) fn number_words(lang: Lang) -> &'static [(&'static str, u32)] {
    match lang.code() {
        "en" => &[
            ("zero", 0), ("no", 0), ("a", 1), ("an", 1), ("one", 1), ("first", 1), ("once", 1),
            ("single", 1), ("two", 2), ("second", 2), ("twice", 2), ("both", 2), ("couple", 2),
            ("pair", 2), ("three", 3), ("third", 3), ("four", 4), ("fourth", 4), ("five", 5),
            ("fifth", 5), ("six", 6), ("sixth", 6), ("seven", 7), ("seventh", 7), ("eight", 8),
            ("eighth", 8), ("nine", 9), ("ninth", 9), ("ten", 10), ("tenth", 10), ("eleven", 11),
            ("twelve", 12), ("dozen", 12), ("thirteen", 13), ("fifteen", 15), ("twenty", 20),
            ("thirty", 30), ("forty", 40), ("fifty", 50), ("hundred", 100), ("thousand", 1000),
        ],
        "pt" => &[
            ("zero", 0), ("nenhum", 0), ("um", 1), ("uma", 1), ("primeiro", 1), ("primeira", 1),
            ("dois", 2), ("duas", 2), ("segundo", 2), ("segunda", 2), ("ambos", 2), ("ambas", 2),
            ("par", 2), ("três", 3), ("terceiro", 3), ("terceira", 3), ("quatro", 4),
            ("quarto", 4), ("quarta", 4), ("cinco", 5), ("quinto", 5), ("quinta", 5), ("seis", 6),
            ("sexto", 6), ("sexta", 6), ("sete", 7), ("sétimo", 7), ("sétima", 7), ("oito", 8),
            ("oitavo", 8), ("oitava", 8), ("nove", 9), ("nono", 9), ("nona", 9), ("dez", 10),
            ("décimo", 10), ("décima", 10), ("onze", 11), ("doze", 12), ("dúzia", 12),
            ("treze", 13), ("quinze", 15), ("vinte", 20), ("trinta", 30), ("quarenta", 40),
            ("cinquenta", 50), ("cem", 100), ("cento", 100), ("mil", 1000),
        ],
        "es" => &[
            ("cero", 0), ("un", 1), ("uno", 1), ("una", 1), ("primer", 1), ("primero", 1),
            ("primera", 1), ("dos", 2), ("segundo", 2), ("segunda", 2), ("ambos", 2), ("tres", 3),
            ("tercer", 3), ("tercero", 3), ("tercera", 3), ("cuatro", 4), ("cuarto", 4),
            ("cinco", 5), ("quinto", 5), ("seis", 6), ("sexto", 6), ("siete", 7), ("séptimo", 7),
            ("ocho", 8), ("octavo", 8), ("nueve", 9), ("noveno", 9), ("diez", 10), ("décimo", 10),
            ("once", 11), ("doce", 12), ("docena", 12), ("veinte", 20), ("cien", 100),
            ("mil", 1000),
        ],
        "fr" => &[
            ("zéro", 0), ("un", 1), ("une", 1), ("premier", 1), ("première", 1), ("deux", 2),
            ("deuxième", 2), ("second", 2), ("seconde", 2), ("trois", 3), ("troisième", 3),
            ("quatre", 4), ("quatrième", 4), ("cinq", 5), ("cinquième", 5), ("six", 6),
            ("sixième", 6), ("sept", 7), ("septième", 7), ("huit", 8), ("huitième", 8),
            ("neuf", 9), ("neuvième", 9), ("dix", 10), ("dixième", 10), ("onze", 11),
            ("douze", 12), ("douzaine", 12), ("vingt", 20), ("cent", 100), ("mille", 1000),
        ],
        "id" | "ms" => &[
            ("nol", 0), ("satu", 1), ("se", 1), ("pertama", 1), ("dua", 2), ("kedua", 2),
            ("tiga", 3), ("ketiga", 3), ("empat", 4), ("keempat", 4), ("lima", 5), ("kelima", 5),
            ("enam", 6), ("keenam", 6), ("tujuh", 7), ("ketujuh", 7), ("delapan", 8),
            ("kedelapan", 8), ("sembilan", 9), ("kesembilan", 9), ("sepuluh", 10),
            ("kesepuluh", 10), ("sebelas", 11), ("lusin", 12), ("seratus", 100), ("seribu", 1000),
        ],
        "de" => &[
            ("null", 0), ("ein", 1), ("eine", 1), ("eins", 1), ("erste", 1), ("ersten", 1),
            ("zwei", 2), ("zweite", 2), ("beide", 2), ("drei", 3), ("dritte", 3), ("vier", 4),
            ("vierte", 4), ("fünf", 5), ("fünfte", 5), ("sechs", 6), ("sieben", 7), ("acht", 8),
            ("neun", 9), ("zehn", 10), ("elf", 11), ("zwölf", 12), ("hundert", 100),
            ("tausend", 1000),
        ],
        "it" => &[
            ("zero", 0), ("un", 1), ("uno", 1), ("una", 1), ("primo", 1), ("prima", 1), ("due", 2),
            ("secondo", 2), ("entrambi", 2), ("tre", 3), ("terzo", 3), ("quattro", 4),
            ("cinque", 5), ("sei", 6), ("sette", 7), ("otto", 8), ("nove", 9), ("dieci", 10),
            ("undici", 11), ("dodici", 12), ("cento", 100), ("mille", 1000),
        ],
        "zh" => &[
            ("零", 0), ("〇", 0), ("一", 1), ("首", 1), ("二", 2), ("两", 2), ("三", 3), ("四", 4),
            ("五", 5), ("六", 6), ("七", 7), ("八", 8), ("九", 9), ("十", 10), ("百", 100), ("千", 1000),
        ],
        "ja" => &[
            ("零", 0), ("ゼロ", 0), ("一", 1), ("初", 1), ("二", 2), ("両", 2), ("三", 3), ("四", 4),
            ("五", 5), ("六", 6), ("七", 7), ("八", 8), ("九", 9), ("十", 10), ("百", 100), ("千", 1000),
        ],
        "ar" => &[
            ("صفر", 0), ("واحد", 1), ("واحدة", 1), ("الأول", 1), ("الأولى", 1), ("اثنان", 2),
            ("اثنين", 2), ("اثنتين", 2), ("الثاني", 2), ("ثلاثة", 3), ("ثلاث", 3), ("الثالث", 3),
            ("أربعة", 4), ("أربع", 4), ("خمسة", 5), ("خمس", 5), ("ستة", 6), ("ست", 6), ("سبعة", 7),
            ("سبع", 7), ("ثمانية", 8), ("ثماني", 8), ("تسعة", 9), ("تسع", 9), ("عشرة", 10),
            ("عشر", 10), ("مئة", 100), ("مائة", 100), ("ألف", 1000),
        ],
        _ => &[],
    }
}

/// Every spelling of a number that warta recognises in `lang`: the words of
/// [`number_words`] plus generated compounds up to 99 (`fifty-eight`,
/// `cinquenta e oito`, `lima puluh delapan`). Lower case.
pub(crate) fn spelled_numbers(lang: Lang) -> &'static [(String, u32)] {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static TABLES: LazyLock<HashMap<&'static str, Vec<(String, u32)>>> = LazyLock::new(|| {
        let mut m = HashMap::new();
        for code in [
            "en", "pt", "es", "fr", "id", "ms", "de", "it", "zh", "ja", "ar",
        ] {
            let Ok(lang) = Lang::parse(code) else {
                continue;
            };
            let mut v: Vec<(String, u32)> = number_words(lang)
                .iter()
                .map(|&(w, n)| (w.to_string(), n))
                .collect();
            v.extend(compounds(code));
            m.insert(code, v);
        }
        m
    });
    TABLES.get(lang.code()).map_or(&[], Vec::as_slice)
}

fn compounds(code: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let (units, teens, tens): (&[&str], &[&str], &[&str]) = match code {
        "en" => (
            &[
                "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            ],
            &[
                "thirteen",
                "fourteen",
                "fifteen",
                "sixteen",
                "seventeen",
                "eighteen",
                "nineteen",
            ],
            &[
                "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                "ninety",
            ],
        ),
        "pt" => (
            &[
                "", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove",
            ],
            &[
                "treze",
                "catorze",
                "quinze",
                "dezesseis",
                "dezessete",
                "dezoito",
                "dezenove",
            ],
            &[
                "",
                "",
                "vinte",
                "trinta",
                "quarenta",
                "cinquenta",
                "sessenta",
                "setenta",
                "oitenta",
                "noventa",
            ],
        ),
        "es" => (
            &[
                "", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
            ],
            &[
                "trece",
                "catorce",
                "quince",
                "dieciséis",
                "diecisiete",
                "dieciocho",
                "diecinueve",
            ],
            &[
                "",
                "",
                "veinte",
                "treinta",
                "cuarenta",
                "cincuenta",
                "sesenta",
                "setenta",
                "ochenta",
                "noventa",
            ],
        ),
        "id" | "ms" => (
            &[
                "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
            ],
            &[
                "tiga belas",
                "empat belas",
                "lima belas",
                "enam belas",
                "tujuh belas",
                "delapan belas",
                "sembilan belas",
            ],
            &[
                "",
                "",
                "dua puluh",
                "tiga puluh",
                "empat puluh",
                "lima puluh",
                "enam puluh",
                "tujuh puluh",
                "delapan puluh",
                "sembilan puluh",
            ],
        ),
        "fr" => (
            &[
                "", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
            ],
            &[
                "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
            ],
            &[
                "",
                "",
                "vingt",
                "trente",
                "quarante",
                "cinquante",
                "soixante",
                "",
                "quatre-vingt",
                "",
            ],
        ),
        _ => return out,
    };
    for (k, t) in teens.iter().enumerate() {
        out.push((t.to_string(), 13 + k as u32));
    }
    for (d, t) in tens.iter().enumerate().skip(2) {
        if t.is_empty() {
            continue;
        }
        out.push((t.to_string(), 10 * d as u32));
        for (u, w) in units.iter().enumerate().skip(1) {
            let v = 10 * d as u32 + u as u32;
            match code {
                "en" => out.extend([(format!("{t}-{w}"), v), (format!("{t} {w}"), v)]),
                "pt" => out.push((format!("{t} e {w}"), v)),
                "es" if d == 2 => out.push((format!("veinti{w}"), v)),
                "es" => out.push((format!("{t} y {w}"), v)),
                "id" | "ms" => out.push((format!("{t} {w}"), v)),
                "fr" if u == 1 && d < 8 => out.push((format!("{t} et un"), v)),
                "fr" => out.push((format!("{t}-{w}"), v)),
                _ => {}
            }
        }
    }
    if code == "en" {
        // Words that translators render as digits (`doubling` → `2倍`,
        // `teenagers` → `10代`, `decades` → `数十年`/`10年`).
        for (w, v) in [
            ("another", 1),
            ("double", 2),
            ("doubled", 2),
            ("doubling", 2),
            ("duo", 2),
            ("triple", 3),
            ("tripled", 3),
            ("trio", 3),
            ("decade", 10),
            ("decades", 10),
            ("teen", 10),
            ("teens", 10),
            ("teenage", 10),
            ("teenager", 10),
            ("teenagers", 10),
            ("century", 100),
        ] {
            out.push((w.to_string(), v));
        }
    }
    out
}

/// Spelled numbers followed by a scale word: `three million`, `quatro mil`,
/// `dua juta`. Each as a [`Number`] with its scale.
pub(crate) fn spelled_quantities(text: &str, lang: Lang) -> Vec<Number> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for (w, v) in spelled_numbers(lang) {
        if *v == 0 {
            continue;
        }
        let mut from = 0;
        while let Some(p) = lower[from..].find(w.as_str()) {
            let a = from + p;
            let b = a + w.len();
            from = b;
            let bounded = lower[..a]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
                && lower[b..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
            if !bounded {
                continue;
            }
            if let Some((exp, _)) = scale_word(&lower, b, lang) {
                out.push(Number {
                    scale: exp,
                    ..Number::new(&v.to_string(), "")
                });
            }
        }
    }
    out
}

/// How `lang` groups and marks decimals when rendering.
fn symbols(lang: Lang) -> (&'static str, &'static str) {
    match style(lang) {
        Style::Comma | Style::Arabic => (",", "."),
        Style::Dot => (".", ","),
        // CLDR (since v34) uses U+202F NARROW NO-BREAK SPACE for French grouping.
        Style::Space => ("\u{202F}", ","),
    }
}

fn group_digits(int: &str, sep: &str) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / 3 * sep.len());
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (n - k).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn assemble(n: &Number, group: Option<&str>, decimal: &str) -> String {
    let mut s = String::new();
    if n.negative {
        s.push('-');
    }
    match group {
        Some(g) if n.int.len() > 3 => s.push_str(&group_digits(&n.int, g)),
        _ => s.push_str(&n.int),
    }
    if !n.frac.is_empty() {
        s.push_str(decimal);
        s.push_str(&n.frac);
    }
    s
}

/// Render the numeral of `n` the way `lang` writes it.
///
/// The integer part is grouped when the source grouped it (so a year stays
/// `2022` and `10.000` becomes `10,000`); the fraction digits are kept as
/// written. French-style grouping uses U+202F NARROW NO-BREAK SPACE, CLDR's
/// choice for `fr`; Arabic uses Western digits and English separators, as
/// Arabic news sites do. The scale word is not rendered: `5,5 juta` renders
/// as `5.5` in English, the caller translates the word.
pub fn render_number(n: &Number, lang: Lang) -> String {
    let (g, d) = symbols(lang);
    assemble(n, n.grouped.then_some(g), d)
}

/// Every rendering of `n` that is acceptable in `lang`: the canonical one,
/// with and without grouping, the no-break-space variants of space grouping
/// and, for Arabic, Arabic-Indic digits.
pub(crate) fn renderings(n: &Number, lang: Lang) -> Vec<String> {
    let (g, d) = symbols(lang);
    let mut out = vec![render_number(n, lang), assemble(n, None, d)];
    // `1500` may become `1.500` in Portuguese, but a year never `2.017`.
    let year_like = !n.grouped
        && n.frac.is_empty()
        && n.int
            .parse::<u16>()
            .is_ok_and(|y| (1500..=2100).contains(&y));
    // Nor is `0100` (a time zone, a code) ever `0,100`.
    let plain_only = year_like || (n.int.len() > 1 && n.int.starts_with('0'));
    if !plain_only {
        out.push(assemble(n, Some(g), d));
    }
    if plain_only {
        // nothing more: written plain, it stays plain
    } else if g == "\u{202F}" {
        out.push(assemble(n, Some("\u{00A0}"), d));
        out.push(assemble(n, Some(" "), d));
    } else {
        // SI-style thin grouping is acceptable in any language.
        out.push(assemble(n, Some("\u{202F}"), d));
        out.push(assemble(n, Some("\u{00A0}"), d));
    }
    if style(lang) == Style::Arabic {
        let arabic = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c),
                    ',' => '\u{066C}',
                    '.' => '\u{066B}',
                    _ => c,
                })
                .collect()
        };
        let extra: Vec<String> = out.iter().map(|s| arabic(s)).collect();
        out.extend(extra);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// Parse `text` as exactly one number in `lang`'s conventions (surrounding
/// whitespace allowed, scale word allowed). `None` if it is not one number.
pub fn parse_number(text: &str, lang: Lang) -> Option<Number> {
    let t = text.trim();
    let found = scan(t, lang);
    match found.as_slice() {
        [one] if one.range.start == 0 && t[one.scale_end..].trim().is_empty() => {
            Some(one.number.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    fn n(int: &str, frac: &str, grouped: bool) -> Number {
        Number {
            grouped,
            ..Number::new(int, frac)
        }
    }

    // Expected values below are hand-derived from CLDR's number symbols for
    // each locale (group/decimal), not from running this code.

    #[test]
    fn indonesian_uses_dot_for_thousands_and_comma_for_decimals() {
        let id = lang("id");
        assert_eq!(parse_number("10.000,5", id), Some(n("10000", "5", true)));
        assert_eq!(parse_number("10.000", id), Some(n("10000", "", true)));
        assert_eq!(parse_number("1.234.567", id), Some(n("1234567", "", true)));
        assert_eq!(parse_number("5,5", id), Some(n("5", "5", false)));
        // Not a valid grouping, so it can only be a (foreign-style) decimal.
        assert_eq!(parse_number("2.5", id), Some(n("2", "5", false)));
        assert_eq!(parse_number("2022", id), Some(n("2022", "", false)));
    }

    #[test]
    fn english_uses_comma_for_thousands_and_dot_for_decimals() {
        let en = lang("en");
        assert_eq!(parse_number("10,000.5", en), Some(n("10000", "5", true)));
        assert_eq!(parse_number("10,000", en), Some(n("10000", "", true)));
        assert_eq!(parse_number("2.5", en), Some(n("2", "5", false)));
        assert_eq!(
            parse_number("1,234,567.89", en),
            Some(n("1234567", "89", true))
        );
        assert_eq!(parse_number("2022", en), Some(n("2022", "", false)));
        assert_eq!(parse_number("0.75", en), Some(n("0", "75", false)));
    }

    #[test]
    fn french_groups_with_spaces_of_any_kind() {
        let fr = lang("fr");
        for s in ["10 000,5", "10\u{00A0}000,5", "10\u{202F}000,5"] {
            assert_eq!(parse_number(s, fr), Some(n("10000", "5", true)), "{s:?}");
        }
        assert_eq!(parse_number("3,14", fr), Some(n("3", "14", false)));
    }

    #[test]
    fn arabic_reads_western_and_arabic_indic_digits() {
        let ar = lang("ar");
        assert_eq!(parse_number("10,000.5", ar), Some(n("10000", "5", true)));
        assert_eq!(parse_number("١٠٬٠٠٠٫٥", ar), Some(n("10000", "5", true)));
        assert_eq!(parse_number("٢٠٢٢", ar), Some(n("2022", "", false)));
        assert_eq!(parse_number("۱۲۳", lang("fa")), Some(n("123", "", false)));
    }

    #[test]
    fn ambiguous_decimal_mark_keeps_the_grouping_reading() {
        // `10,000` in Indonesian copy: ten by the locale, ten thousand if typed
        // English-style. Both readings are kept.
        let found = scan("sebanyak 10,000 orang", lang("id"));
        assert_eq!(found.len(), 1);
        assert!(found[0].number.same_value(&Number::new("10", "")));
        assert!(found[0]
            .alts
            .iter()
            .any(|a| a.same_value(&Number::new("10000", ""))));
    }

    #[test]
    fn runs_that_cannot_be_one_number_are_split() {
        let en = lang("en");
        let vals = |s: &str, l: Lang| {
            scan(s, l)
                .iter()
                .map(|f| render_number(&f.number, en))
                .collect::<Vec<_>>()
        };
        assert_eq!(vals("version 1.2.3", en), ["1", "2", "3"]);
        assert_eq!(vals("on 19.01.2022", lang("de")), ["19", "01", "2022"]);
        assert_eq!(vals("in 2019 2,000 people", en), ["2019", "2,000"]);
        assert_eq!(vals("scores 3,4,5", en), ["3", "4", "5"]);
        assert_eq!(vals("pukul 10.30 WIB", lang("id")), ["10", "30"]);
        assert_eq!(vals("at 10.30 am", en), ["10", "30"]);
    }

    #[test]
    fn scale_words_are_recorded_not_multiplied() {
        let f = scan("US$ 5,5 juta", lang("id"));
        assert_eq!(
            f[0].number,
            Number {
                scale: 6,
                ..n("5", "5", false)
            }
        );
        let en = scan("$5.5 million", lang("en"));
        assert!(f[0].number.same_value(&en[0].number));
        let zh = scan("25亿美元", lang("zh"));
        let bn = scan("2.5 billion", lang("en"));
        assert!(zh[0].number.same_quantity(&bn[0].number));
        assert!(!zh[0].number.same_value(&bn[0].number));
        let pt = scan("5 mil pessoas", lang("pt"));
        assert!(pt[0].number.same_quantity(&Number::new("5000", "")));
    }

    #[test]
    fn cjk_compound_numbers_are_one_quantity() {
        // 1万2000 = 1×10⁴ + 2000; 2億5000万 = 2×10⁸ + 5000×10⁴ (hand-computed).
        let ja = lang("ja");
        let f = scan("1万2000人が参加した", ja);
        assert_eq!(f.len(), 1);
        assert!(f[0].number.same_quantity(&Number::new("12000", "")));
        let g = scan("2億5000万円", ja);
        assert_eq!(g.len(), 1);
        assert!(g[0].number.same_quantity(&Number::new("250000000", "")));
        assert_eq!(scan("3万人", ja)[0].number.scale, 4);
    }

    #[test]
    fn render_follows_the_target_locale() {
        let x = n("10000", "5", true);
        assert_eq!(render_number(&x, lang("en")), "10,000.5");
        assert_eq!(render_number(&x, lang("id")), "10.000,5");
        assert_eq!(render_number(&x, lang("pt")), "10.000,5");
        assert_eq!(render_number(&x, lang("fr")), "10\u{202F}000,5");
        assert_eq!(render_number(&x, lang("zh")), "10,000.5");
        assert_eq!(render_number(&x, lang("ja")), "10,000.5");
        assert_eq!(render_number(&x, lang("ar")), "10,000.5");
        // A year was not grouped in the source and is not grouped in the target.
        assert_eq!(render_number(&n("2022", "", false), lang("en")), "2022");
        // …and is not offered grouped, while other 4-digit numbers are.
        assert!(!renderings(&n("2022", "", false), lang("pt")).contains(&"2.022".to_string()));
        assert!(renderings(&n("1000", "", false), lang("pt")).contains(&"1.000".to_string()));
        assert_eq!(
            render_number(
                &Number {
                    negative: true,
                    ..n("3", "5", false)
                },
                lang("de")
            ),
            "-3,5"
        );
        // Indonesian 10.000,5 → English 10,000.5 (the brief's example).
        let id = parse_number("10.000,5", lang("id")).unwrap();
        assert_eq!(render_number(&id, lang("en")), "10,000.5");
    }

    #[test]
    fn minus_sign_only_where_it_cannot_be_a_hyphen() {
        let en = lang("en");
        assert!(scan("it was -5 degrees", en)[0].number.negative);
        assert!(!scan("COVID-19", en)[0].number.negative);
        assert!(scan("COVID-19", en)[0].glued_before);
        let r = scan("2010-2015", en);
        assert_eq!(r.len(), 2);
        assert!(!r[1].number.negative);
    }

    #[test]
    fn twelve_hour_clock_has_a_24_hour_reading() {
        let f = scan("at 7pm", lang("en"));
        assert!(f[0]
            .alts
            .iter()
            .any(|a| a.same_value(&Number::new("19", ""))));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "",
            ".",
            ",",
            "1.",
            ".5",
            "1,,2",
            "١٬",
            "٫٫",
            "99999999999999999999999999999.9",
            "1\u{00A0}",
            "-",
            "−1",
            "1 234 567,8",
            "１２３万",
            "ü1ü",
            "1e5",
            "0,000,000",
        ] {
            for l in ["en", "id", "fr", "ar", "zh", "ja", "ko", "ru"] {
                let found = scan(s, lang(l));
                for f in &found {
                    let _ = render_number(&f.number, lang("fr"));
                    let _ = f.number.scaled_integer();
                    let _ = &s[f.range.clone()];
                }
            }
        }
    }
}
