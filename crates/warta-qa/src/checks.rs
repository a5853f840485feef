//! The per-segment checks behind [`crate::check_segment`]. Each returns at
//! most one flag, whose detail names everything it found in the segment.

use std::collections::HashMap;

use warta_core::script::Script;
use warta_core::{normalize_segment, Lang};

use crate::number::{self, spelled_numbers, spelled_quantities, Number, Scanned};
use crate::protect::{self, expected_in_target, protected_spans, Protected, ProtectedKind};
use crate::text::{is_cjk_char, loose, tokens, words};
use crate::{Check, Flag, SegmentCheck, Severity};

// ---------------------------------------------------------------- numbers

/// Numbers of `text` outside URLs, addresses, handles and hashtags.
fn quantities(text: &str, lang: Lang) -> Vec<Scanned> {
    let verbatim = protect::verbatim_spans(text);
    number::scan(text, lang)
        .into_iter()
        .filter(|f| {
            !verbatim
                .iter()
                .any(|p| p.range.start <= f.range.start && f.range.end <= p.range.end)
        })
        .collect()
}

/// Same quantity, or same numeral where the scale words agree or only one
/// side has one (`5 juta` = `5 million`, `5,000` = `5 mil`, but `5 million`
/// ≠ `5 mil` = five thousand).
fn equal(a: &Number, b: &Number) -> bool {
    a.same_quantity(b) || (a.same_value(b) && (a.scale == b.scale || a.scale == 0 || b.scale == 0))
}

/// Whether a number is written in words in `text` (`58` → `fifty-eight`,
/// `3 million` → `three million`, `0.5` → `half`), or as a Roman numeral
/// (`19th century` → `século XIX`).
fn as_word(n: &Number, text: &str, lang: Lang) -> bool {
    if spelled_quantities(text, lang)
        .iter()
        .any(|q| q.same_quantity(n))
    {
        return true;
    }
    if n.same_value(&Number::new("0", "5")) {
        return HALF
            .iter()
            .any(|w| warta_core::term::contains_term(text, w, false));
    }
    let Some(v) = n.small_integer() else {
        return false;
    };
    spelled_numbers(lang)
        .iter()
        .any(|(w, x)| *x == v && warta_core::term::contains_term(text, w, false))
        || roman(v).is_some_and(|r| {
            // `século XIX`, `XIXe siècle`, `XIX secolo`
            warta_core::term::contains_term(text, &r, true)
                || ["e", "ᵉ", "º", "°"]
                    .iter()
                    .any(|s| warta_core::term::contains_term(text, &format!("{r}{s}"), true))
        })
}

const HALF: &[&str] = &[
    "half", "meio", "meia", "metade", "medio", "media", "mitad", "demi", "demie", "moitié",
    "setengah", "separuh", "halb", "halbe", "mezzo", "半", "نصف",
];

/// Upper-case Roman numeral for 2..=39 (1 is `I`, too common a word).
fn roman(v: u32) -> Option<String> {
    if !(2..=39).contains(&v) {
        return None;
    }
    let mut s = "X".repeat((v / 10) as usize);
    s.push_str(["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][(v % 10) as usize]);
    Some(s)
}

/// `00` of `14:00`: the minutes of a full hour, added when a clock time is
/// re-written (`2pm` → `14:00`).
fn zero_minutes(f: &Scanned) -> bool {
    f.clock && f.number.small_integer() == Some(0)
}

fn show(text: &str, f: &Scanned) -> String {
    text.get(f.range.start..f.scale_end)
        .unwrap_or_default()
        .to_string()
}

/// Which number of the other side each number matched: by the locale's
/// reading first, so an alternative reading cannot steal a number that
/// another matches exactly; then by any reading; then clock times read as
/// two numbers on one side and one decimal on the other.
struct Pairing {
    src: Vec<Option<usize>>,
    trg: Vec<Option<usize>>,
}

fn pair_numbers(src: &[Scanned], trg: &[Scanned]) -> Pairing {
    let mut p = Pairing {
        src: vec![None; src.len()],
        trg: vec![None; trg.len()],
    };
    for primary_only in [true, false] {
        for (i, s) in src.iter().enumerate() {
            if p.src[i].is_some() {
                continue;
            }
            let hit = trg.iter().enumerate().find(|(j, t)| {
                p.trg[*j].is_none()
                    && if primary_only {
                        equal(&s.number, &t.number)
                    } else {
                        same_number(s, t)
                    }
            });
            if let Some((j, _)) = hit {
                p.src[i] = Some(j);
                p.trg[j] = Some(i);
            }
        }
    }
    // A clock time read as two numbers on one side (`7.55am` → 7, 55) and as
    // one decimal on the other (`7.55 صباحًا`).
    match_clock_pairs(src, &mut p.src, trg, &mut p.trg);
    match_clock_pairs(trg, &mut p.trg, src, &mut p.src);
    p
}

/// Any reading of one equals any reading of the other.
fn same_number(a: &Scanned, b: &Scanned) -> bool {
    a.readings().any(|x| b.readings().any(|y| equal(x, y)))
}

/// The numbers check: digits, then what they count (currency and unit,
/// see [`crate::money`]), reported as one flag of the worse severity.
pub(crate) fn numbers(seg: &SegmentCheck) -> Option<Flag> {
    let src = quantities(seg.source, seg.src_lang);
    let trg = quantities(seg.target, seg.trg_lang);
    let pairing = pair_numbers(&src, &trg);
    let digits = digits(seg, &src, &trg, &pairing);
    let money = money_flag(seg, &src, &trg, &pairing);
    match (digits, money) {
        (Some(d), Some(m)) => Some(Flag::new(
            Check::Numbers,
            d.severity.max(m.severity),
            format!("{}; {}", d.detail, m.detail),
        )),
        (d, m) => d.or(m),
    }
}

/// The currency and unit part of the numbers check alone (a flag of check
/// `numbers`): a currency or unit changed or a `%` dropped is an error, a
/// currency missing from one side a warning. [`crate::check_segment`]
/// already includes it; this is for measuring it apart.
pub fn money_and_units(seg: &SegmentCheck) -> Option<Flag> {
    let src = quantities(seg.source, seg.src_lang);
    let trg = quantities(seg.target, seg.trg_lang);
    let pairing = pair_numbers(&src, &trg);
    money_flag(seg, &src, &trg, &pairing)
}

fn money_flag(seg: &SegmentCheck, src: &[Scanned], trg: &[Scanned], p: &Pairing) -> Option<Flag> {
    let problems = crate::money::compare(
        crate::money::Side {
            text: seg.source,
            lang: seg.src_lang,
            found: src,
        },
        crate::money::Side {
            text: seg.target,
            lang: seg.trg_lang,
            found: trg,
        },
        &p.src,
        same_number,
    );
    if problems.is_empty() {
        return None;
    }
    let severity = if problems.iter().any(|(error, _)| *error) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let detail: Vec<String> = problems.into_iter().map(|(_, d)| d).collect();
    Some(Flag::new(Check::Numbers, severity, detail.join("; ")))
}

fn digits(seg: &SegmentCheck, src: &[Scanned], trg: &[Scanned], p: &Pairing) -> Option<Flag> {
    // A month is a number in `2022年1月19日`, `6月` and a word in `January 19, 2022`, `June`.
    let months = |text: &str, lang: Lang| -> Vec<u32> {
        crate::date::months_mentioned(text, lang)
            .into_iter()
            .map(u32::from)
            .collect()
    };
    let (src_months, trg_months) = (
        months(seg.source, seg.src_lang),
        months(seg.target, seg.trg_lang),
    );
    let is_month_in = |n: &Number, ms: &[u32]| n.small_integer().is_some_and(|v| ms.contains(&v));
    let missing: Vec<String> = src
        .iter()
        .zip(&p.src)
        .filter(|(s, ok)| {
            ok.is_none() && !as_word(&s.number, seg.target, seg.trg_lang) && !zero_minutes(s)
        })
        .filter(|(s, _)| !is_month_in(&s.number, &trg_months))
        .map(|(s, _)| show(seg.source, s))
        .collect();
    let extra: Vec<String> = trg
        .iter()
        .zip(&p.trg)
        .filter(|(t, ok)| {
            ok.is_none() && !as_word(&t.number, seg.source, seg.src_lang) && !zero_minutes(t)
        })
        .filter(|(t, _)| !is_month_in(&t.number, &src_months))
        .map(|(t, _)| show(seg.target, t))
        .collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "source number {} not in target",
            missing.join(", ")
        ));
    }
    if !extra.is_empty() {
        parts.push(format!("target number {} not in source", extra.join(", ")));
    }
    Some(Flag::new(Check::Numbers, Severity::Error, parts.join("; ")))
}

fn match_clock_pairs(
    pairs: &[Scanned],
    pairs_to: &mut [Option<usize>],
    decimals: &[Scanned],
    decimals_to: &mut [Option<usize>],
) {
    for k in 1..pairs.len() {
        let (h, m) = (&pairs[k - 1], &pairs[k]);
        if pairs_to[k - 1].is_some()
            || pairs_to[k].is_some()
            || !(h.clock && m.clock)
            || m.number.int.len() != 2
        {
            continue;
        }
        let hit = decimals.iter().enumerate().position(|(j, d)| {
            decimals_to[j].is_none()
                && d.number.int.trim_start_matches('0') == h.number.int.trim_start_matches('0')
                && d.number.frac == m.number.int
        });
        if let Some(j) = hit {
            pairs_to[k - 1] = Some(j);
            pairs_to[k] = Some(j);
            decimals_to[j] = Some(k - 1);
        }
    }
}

// ---------------------------------------------------------------- glossary

pub(crate) fn glossary(seg: &SegmentCheck) -> Option<Flag> {
    let missing: Vec<String> = seg
        .glossary
        .iter()
        .filter(|t| {
            warta_core::term::contains_term(seg.source, &t.source_term, t.case_sensitive)
                && !warta_core::term::contains_term(seg.target, &t.target_term, t.case_sensitive)
        })
        .map(|t| {
            format!(
                "`{}` must be translated as `{}`",
                t.source_term.trim(),
                t.target_term.trim()
            )
        })
        .collect();
    (!missing.is_empty()).then(|| {
        Flag::new(
            Check::Glossary,
            Severity::Error,
            format!("glossary: {} (not found in target)", missing.join("; ")),
        )
    })
}

// ---------------------------------------------------------------- repetition

fn all_cjk(gram: &[String]) -> bool {
    gram.iter().all(|t| t.chars().all(is_cjk_char))
}

/// Has a letter, and is not a shorter n-gram repeated (`a b a b` is `a b` twice).
fn worth_reporting(gram: &[String]) -> bool {
    let lettered = gram.iter().any(|t| t.chars().any(char::is_alphabetic));
    let n = gram.len();
    let periodic = (1..n)
        .filter(|p| n.is_multiple_of(*p))
        .any(|p| gram.chunks(p).all(|c| c == &gram[..p]));
    lettered && !periodic
}

/// Minimum phrase length, in tokens, for each repetition rule. CJK tokens are
/// characters: Chinese reduplicates two-character verbs (讨论讨论), and names
/// and grammatical endings (している, ボリビア) recur within any long
/// sentence, so phrases must be longer there before a repeat means a loop.
#[derive(Clone, Copy)]
enum Rule {
    BackToBack,
    BackToBackError,
    Thrice,
    Twice,
}

fn min_len(gram_is_cjk: bool, rule: Rule) -> usize {
    match (rule, gram_is_cjk) {
        (Rule::BackToBack, false) => 2,
        (Rule::BackToBack, true) => 3,
        (Rule::BackToBackError, false) => 3,
        (Rule::BackToBackError, true) => 4,
        (Rule::Thrice, false) => 3,
        (Rule::Thrice, true) => 8,
        (Rule::Twice, false) => 3,
        (Rule::Twice, true) => 10,
    }
}

/// Start positions of every n-gram of length `n`.
fn positions(t: &[String], n: usize) -> HashMap<&[String], Vec<usize>> {
    let mut m: HashMap<&[String], Vec<usize>> = HashMap::new();
    if n == 0 || t.len() < n {
        return m;
    }
    for i in 0..=t.len() - n {
        m.entry(&t[i..i + n]).or_default().push(i);
    }
    m
}

/// Non-overlapping occurrences of an n-gram, given its start positions.
fn non_overlapping(starts: &[usize], n: usize) -> usize {
    let mut count = 0;
    let mut free_from = 0;
    for &s in starts {
        if count == 0 || s >= free_from {
            count += 1;
            free_from = s + n;
        }
    }
    count
}

fn lettered(w: &str) -> bool {
    w.chars().any(char::is_alphabetic)
}

/// A word that carries meaning on its own: 4+ letters, or a CJK character.
fn content(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 4 || w.chars().all(is_cjk_char)
}

/// The first n-gram (n in `lens`) immediately followed by itself. In CJK,
/// punctuation between the two copies (`阿奎罗，阿奎罗`) breaks the repeat.
fn back_to_back(
    t: &[String],
    punct: &[bool],
    lens: std::ops::RangeInclusive<usize>,
) -> Option<(usize, usize)> {
    for n in lens {
        if t.len() < 2 * n {
            break;
        }
        for i in 0..=t.len() - 2 * n {
            let g = &t[i..i + n];
            if g == &t[i + n..i + 2 * n]
                && (n == 1 || worth_reporting(g))
                && g.iter().any(|w| lettered(w))
                && !(all_cjk(g) && punct[i + n])
            {
                return Some((n, i));
            }
        }
    }
    None
}

/// Whether the source itself repeats: a bigram twice, or a 5+-letter word
/// (or, with `times` = 3, a bigram or word three times).
fn source_repeats(s: &[String], times: usize) -> bool {
    let bigram = positions(s, 2)
        .iter()
        .any(|(g, p)| g.iter().any(|w| lettered(w)) && non_overlapping(p, 2) >= times);
    let mut words: HashMap<&str, usize> = HashMap::new();
    for w in s
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 5)
    {
        *words.entry(w).or_default() += 1;
    }
    bigram || words.values().any(|&c| c >= times)
}

/// Longest phrase, among lengths `lens`, passing `keep`; ties broken alphabetically.
fn longest(
    t: &[String],
    lens: std::ops::RangeInclusive<usize>,
    keep: impl Fn(&[String], &[usize]) -> bool,
) -> Option<&[String]> {
    for n in lens.rev() {
        let mut hits: Vec<&[String]> = positions(t, n)
            .into_iter()
            .filter(|(g, p)| worth_reporting(g) && keep(g, p))
            .map(|(g, _)| g)
            .collect();
        hits.sort();
        if let Some(g) = hits.first() {
            return Some(g);
        }
    }
    None
}

/// Decoder loops and phrase repetition in the target.
///
/// 1. an n-gram (2–8 tokens) immediately repeated — an error from 3 tokens;
///    a single word 4+ times in a row — a warning; both unless the source
///    itself repeats back to back ("no, no, no", "so happy, so happy");
/// 2. a 3+-token phrase three or more times, unless the source has a
///    bigram or long word three times;
/// 3. a 3+-token phrase twice within a few words, with two content words,
///    where the source repeats no bigram and no long word ("the Soviet
///    Union, which was part of the Soviet Union").
///
/// Tokens are words, or single characters in CJK, where phrases need one
/// token more (Chinese reduplicates two-character verbs: 讨论讨论).
pub(crate) fn repetition(seg: &SegmentCheck) -> Option<Flag> {
    let (t, t_punct): (Vec<String>, Vec<bool>) =
        crate::text::tokens_marked(seg.target).into_iter().unzip();
    let (s, s_punct): (Vec<String>, Vec<bool>) =
        crate::text::tokens_marked(seg.source).into_iter().unzip();
    let flag = |sev, detail: String| Some(Flag::new(Check::Repetition, sev, detail));
    let source_loops = back_to_back(&s, &s_punct, 1..=8).is_some();
    if !source_loops {
        for n in 2..=8usize {
            let hit = back_to_back(&t, &t_punct, n..=n)
                .filter(|&(n, i)| n >= min_len(all_cjk(&t[i..i + n]), Rule::BackToBack));
            if let Some((n, i)) = hit {
                let g = &t[i..i + n];
                let sev = if n >= min_len(all_cjk(g), Rule::BackToBackError) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                return flag(sev, format!("`{}` repeated back to back", g.join(sep(g))));
            }
        }
        // Single CJK characters repeat as emphasis (ノーーーー, 哈哈哈哈).
        if let Some(w) = t
            .windows(4)
            .find(|w| w.iter().all(|x| x == &w[0]) && lettered(&w[0]) && !all_cjk(&w[..1]))
        {
            return flag(
                Severity::Warning,
                format!("`{}` repeated 4+ times in a row", w[0]),
            );
        }
    }
    if !source_repeats(&s, 3) {
        let thrice = longest(&t, 3..=12, |g, p| {
            n_ok(g, Rule::Thrice) && non_overlapping(p, g.len()) >= 3
        });
        if let Some(g) = thrice {
            return flag(
                Severity::Warning,
                format!("`{}` occurs 3 or more times", g.join(sep(g))),
            );
        }
    }
    if !source_repeats(&s, 2) {
        let close = |g: &[String], p: &[usize]| {
            n_ok(g, Rule::Twice)
                && g.iter().filter(|w| content(w)).count() >= 2
                && p.windows(2)
                    .any(|w| w[1] >= w[0] + g.len() && w[1] - (w[0] + g.len()) <= max_gap(g))
        };
        if let Some(g) = longest(&t, 3..=12, close) {
            return flag(
                Severity::Warning,
                format!(
                    "`{}` repeated in the target but not in the source",
                    g.join(sep(g))
                ),
            );
        }
    }
    None
}

/// Tokens allowed between two occurrences of a phrase for rule 3: loops come
/// back quickly; a phrase recurring at the other end of a long sentence is
/// usually a faithful translation.
fn max_gap(g: &[String]) -> usize {
    if all_cjk(g) {
        12
    } else {
        6
    }
}

fn n_ok(g: &[String], rule: Rule) -> bool {
    g.len() >= min_len(all_cjk(g), rule)
}

fn sep(g: &[String]) -> &'static str {
    if all_cjk(g) {
        ""
    } else {
        " "
    }
}

// ---------------------------------------------------------------- untranslated

/// Whether a segment is mostly names and numbers ("Manchester United 2
/// Chelsea 1"), which stay the same in any language written in the same script.
fn mostly_names(text: &str, lang: Lang) -> bool {
    let ws = words(text);
    if ws.is_empty() {
        return true;
    }
    let cased = matches!(lang.script(), "Latn" | "Cyrl" | "Grek");
    let namey = |w: &&str| {
        w.chars()
            .any(|c| c.is_ascii_digit() || crate::number::digit(c).is_some())
            || !w.chars().any(char::is_alphabetic)
            || (cased && w.chars().next().is_some_and(char::is_uppercase))
    };
    // The first word is capitalised in any sentence.
    let body = if ws.len() > 1 { &ws[1..] } else { &ws[..] };
    let names = body.iter().filter(|w| namey(w)).count();
    names * 10 >= body.len() * 6
}

pub(crate) fn untranslated(seg: &SegmentCheck) -> Option<Flag> {
    if seg.src_lang == seg.trg_lang {
        return None;
    }
    let s = normalize_segment(seg.source).to_lowercase();
    let t = normalize_segment(seg.target).to_lowercase();
    if s.is_empty() || !s.chars().any(char::is_alphabetic) || mostly_names(seg.source, seg.src_lang)
    {
        return None;
    }
    if s == t {
        return Some(Flag::new(
            Check::Untranslated,
            Severity::Error,
            format!("target is the source, untranslated: `{}`", clip(seg.target)),
        ));
    }
    let is_word = |w: &String| w.chars().any(char::is_alphabetic);
    let st: Vec<String> = tokens(seg.source).into_iter().filter(is_word).collect();
    let tt: Vec<String> = tokens(seg.target).into_iter().filter(is_word).collect();
    if words(seg.source).len() < 4 || st.is_empty() || tt.is_empty() {
        return None;
    }
    let mut bag: HashMap<&str, usize> = HashMap::new();
    for w in &st {
        *bag.entry(w).or_default() += 1;
    }
    let mut shared = 0;
    for w in &tt {
        if let Some(c) = bag.get_mut(w.as_str()).filter(|c| **c > 0) {
            *c -= 1;
            shared += 1;
        }
    }
    let share = shared as f64 / st.len().max(tt.len()) as f64;
    (share > 0.8).then(|| {
        Flag::new(
            Check::Untranslated,
            Severity::Error,
            format!(
                "{:.0}% of the target's words are copied from the source: `{}`",
                share * 100.0,
                clip(seg.target)
            ),
        )
    })
}

fn clip(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(80).collect::<String>())
    }
}

// ---------------------------------------------------------------- length ratio

#[derive(Clone, Copy, PartialEq, Eq)]
enum Density {
    Alphabetic,
    Cjk,
    Arabic,
}

fn density(lang: Lang) -> Density {
    match lang.script() {
        "Hans" | "Hant" | "Jpan" | "Kore" => Density::Cjk,
        "Arab" => Density::Arabic,
        _ => Density::Alphabetic,
    }
}

/// The accepted range of target/source length in characters for a pair.
///
/// Wide on purpose: a flag should mean "look, something is missing or
/// added", not "this translator is wordy". Checked against the human
/// translations of NTREX-128 (1,997 English news sentences; ratio of
/// characters, 0.5th–99.5th percentile): en→pt 0.72–1.66, en→fr 0.75–1.89,
/// en→id 0.79–1.77, id→en 0.55–1.25, en→ja 0.27–0.82, en→zh 0.20–0.75,
/// en→ar 0.57–1.78. Each band contains those ranges with margin; pairs not
/// measured take the inverse of a measured band or a guess of the same width.
pub fn length_band(src: Lang, trg: Lang) -> (f64, f64) {
    use Density::*;
    match (density(src), density(trg)) {
        (Alphabetic, Alphabetic) => (0.5, 2.0),
        (Alphabetic, Cjk) => (0.15, 1.0),
        (Cjk, Alphabetic) => (1.0, 6.0),
        (Cjk, Cjk) => (0.5, 2.0),
        (Alphabetic, Arabic) => (0.45, 2.0),
        (Arabic, Alphabetic) => (0.5, 2.2),
        (Arabic, Cjk) => (0.15, 1.2),
        (Cjk, Arabic) => (0.8, 6.0),
        (Arabic, Arabic) => (0.5, 2.0),
    }
}

/// Segments shorter than this (in characters) are not judged: "Ya." → "Yes."
/// is a ratio of 1.3 or 0.5 depending on punctuation.
const MIN_LENGTH_CHARS: usize = 20;

pub(crate) fn length_ratio(seg: &SegmentCheck) -> Option<Flag> {
    let s = seg.source.trim().chars().count();
    if s < MIN_LENGTH_CHARS {
        return None;
    }
    let t = seg.target.trim().chars().count();
    let (lo, hi) = length_band(seg.src_lang, seg.trg_lang);
    let r = t as f64 / s as f64;
    (r < lo || r > hi).then(|| {
        let what = if r < lo { "too short" } else { "too long" };
        Flag::new(
            Check::LengthRatio,
            Severity::Warning,
            format!("target {what}: {t} characters for {s} in the source (ratio {r:.2}, expected {lo:.2}–{hi:.2})"),
        )
    })
}

// ---------------------------------------------------------------- script

pub(crate) fn script(seg: &SegmentCheck) -> Option<Flag> {
    let mut by: HashMap<Script, usize> = HashMap::new();
    for c in seg.target.chars().filter(|c| c.is_alphabetic()) {
        *by.entry(Script::of(c)).or_default() += 1;
    }
    let total: usize = by
        .iter()
        .filter(|(s, _)| **s != Script::Common)
        .map(|(_, n)| n)
        .sum();
    if total < 3 {
        return None;
    }
    let n = |s: Script| by.get(&s).copied().unwrap_or(0);
    let (han, kana, hangul) = (
        n(Script::Han),
        n(Script::Hiragana) + n(Script::Katakana),
        n(Script::Hangul),
    );
    let share = |k: usize| k as f64 / total as f64;
    // In CJK targets a character is worth a word: "BBC Scotland 的 Alasdair
    // Lamont 在 Tony Macaroni 球场" is good Chinese with 4 Han characters and
    // 37 Latin letters. Compare characters with foreign *words*.
    let foreign_words = seg
        .target
        .split(|c: char| !c.is_alphabetic() || is_cjk_char(c))
        .filter(|w| !w.is_empty())
        .count();
    let cjk_share = |k: usize| k as f64 / (k + foreign_words).max(1) as f64;
    let lang = seg.trg_lang;
    let problem = match lang.script() {
        "Jpan" if han + kana == 0 => Some("no kana or kanji".to_string()),
        "Jpan" if kana == 0 && han >= 8 => {
            Some(format!("{han} kanji but no kana: looks like Chinese"))
        }
        "Jpan" if cjk_share(han + kana) < 0.25 => Some(format!(
            "{} kana/kanji for {foreign_words} foreign words",
            han + kana
        )),
        "Hans" | "Hant" if han == 0 => Some("no Han characters".to_string()),
        "Hans" | "Hant" if kana >= 2 && kana * 10 > han + kana => {
            Some(format!("{kana} kana: looks like Japanese"))
        }
        "Hans" | "Hant" if cjk_share(han) < 0.25 => Some(format!(
            "{han} Han characters for {foreign_words} foreign words"
        )),
        "Kore" if hangul == 0 || cjk_share(hangul + han) < 0.25 => {
            Some("too little Hangul".to_string())
        }
        code => {
            let want = match code {
                "Latn" => Some(Script::Latin),
                "Arab" => Some(Script::Arabic),
                "Cyrl" => Some(Script::Cyrillic),
                "Grek" => Some(Script::Greek),
                "Hebr" => Some(Script::Hebrew),
                "Deva" => Some(Script::Devanagari),
                "Thai" => Some(Script::Thai),
                _ => None,
            };
            let threshold = if code == "Latn" { 0.6 } else { 0.5 };
            want.filter(|&w| share(n(w)) < threshold).map(|w| {
                format!(
                    "only {:.0}% of letters in {w:?} script",
                    share(n(w)) * 100.0
                )
            })
        }
    };
    problem.map(|p| {
        let (main, _) = by
            .iter()
            .filter(|(s, _)| **s != Script::Common)
            .max_by_key(|(s, n)| (**n, format!("{s:?}")))
            .map(|(s, n)| (*s, *n))
            .unwrap_or((Script::Other, 0));
        Flag::new(
            Check::Script,
            Severity::Error,
            format!(
                "target should be in {} script ({}): {p}, mostly {main:?}",
                lang.script(),
                lang.english_name()
            ),
        )
    })
}

// ---------------------------------------------------------------- tags

pub(crate) fn tags(seg: &SegmentCheck) -> Option<Flag> {
    let (Some(sh), Some(th)) = (seg.source_html, seg.target_html) else {
        return None;
    };
    // Both read by warta-html's parser, as a browser reads them.
    let (so, to) = (warta_html::outline(sh), warta_html::outline(th));
    let mut problems = Vec::new();
    let multiset = |o: &warta_html::Outline| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for e in &o.elements {
            *m.entry(e.name.clone()).or_default() += 1;
        }
        m
    };
    let (sm, tm) = (multiset(&so), multiset(&to));
    let mut names: Vec<&String> = sm.keys().chain(tm.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (a, b) = (
            sm.get(name).copied().unwrap_or(0),
            tm.get(name).copied().unwrap_or(0),
        );
        if a != b {
            problems.push(format!("`<{name}>` {a}× in source, {b}× in target"));
        }
    }
    let target_hrefs: Vec<&str> = to
        .elements
        .iter()
        .filter_map(|e| e.href.as_deref())
        .collect();
    for h in so.elements.iter().filter_map(|e| e.href.as_deref()) {
        if !target_hrefs.contains(&h) {
            problems.push(format!("link `{h}` missing from target"));
        }
    }
    if so.repairs.is_empty() {
        if let Some(p) = to.repairs.first() {
            problems.push(format!("target markup unbalanced: {p}"));
        }
    }
    (!problems.is_empty()).then(|| Flag::new(Check::Tags, Severity::Error, problems.join("; ")))
}

// ---------------------------------------------------------------- protected

pub(crate) fn protected(seg: &SegmentCheck) -> Option<Flag> {
    let spans = protected_spans(seg.source, seg.src_lang);
    if spans.is_empty() {
        return None;
    }
    let mut missing = Vec::new();
    for group in span_groups(seg.source, &spans) {
        if group
            .iter()
            .any(|p| span_preserved(p, seg.target, seg.src_lang, seg.trg_lang))
        {
            continue;
        }
        let p = group[0];
        let expected = expected_in_target(p, seg.src_lang, seg.trg_lang);
        let shown: Vec<&str> = expected.iter().take(2).map(String::as_str).collect();
        missing.push(format!(
            "{} `{}` (expected {})",
            p.kind.name(),
            p.text,
            shown.join(" or ")
        ));
    }
    (!missing.is_empty()).then(|| {
        Flag::new(
            Check::Protected,
            Severity::Error,
            format!("not preserved in target: {}", missing.join("; ")),
        )
    })
}

/// Whether `target` keeps protected span `p` of the source in a form
/// acceptable for `trg` (always, when nothing is expected for the pair).
/// The protected check and the pipeline's enforcement both ask this, so a
/// span enforcement leaves alone is never one the check flags.
pub fn span_preserved(p: &Protected, target: &str, src: Lang, trg: Lang) -> bool {
    let expected = expected_in_target(p, src, trg);
    if expected.is_empty() {
        return true;
    }
    match p.kind {
        ProtectedKind::Url if p.text.contains("://") => {
            expected.iter().any(|e| target.contains(e.as_str()))
        }
        k if k.is_verbatim() => expected
            .iter()
            .any(|e| warta_core::term::contains_term(target, e, false)),
        ProtectedKind::Date => {
            let loose_target = loose(target);
            expected
                .iter()
                .any(|e| warta_core::term::contains_term(&loose_target, &loose(e), false))
        }
        _ => {
            let target_numbers: Vec<(&str, Number)> = number::scan(target, trg)
                .into_iter()
                .filter_map(|f| Some((target.get(f.range)?, f.number)))
                .collect();
            expected.iter().any(|e| target_numbers.iter().any(|(raw, _)| raw == e))
                || p.value.as_ref().is_some_and(|n| {
                    as_word(n, target, trg)
                        // `5,000` → `5 mil`: a scale word is a rendering too.
                        || target_numbers.iter().any(|(_, t)| t.scale != n.scale && t.same_quantity(n))
                })
        }
    }
}

/// The protected spans of `source` grouped by what the target must keep:
/// each span alone, except an amount given in two units — `45 miles (72
/// kilometers)`, `$5 (€4.60)` — whose two spans form one group that a
/// target keeping either satisfies (a translation may localise the unit).
pub fn span_groups<'a>(source: &str, spans: &'a [Protected]) -> Vec<Vec<&'a Protected>> {
    let mut out: Vec<Vec<&Protected>> = Vec::new();
    let mut i = 0;
    while i < spans.len() {
        let p = &spans[i];
        if let Some(q) = spans.get(i + 1) {
            let between = source.get(p.range.end..q.range.start).unwrap_or("x");
            let amounts =
                |k: ProtectedKind| matches!(k, ProtectedKind::Measure | ProtectedKind::Currency);
            if amounts(p.kind) && amounts(q.kind) && between.trim() == "(" {
                out.push(vec![p, q]);
                i += 2;
                continue;
            }
        }
        out.push(vec![p]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_segment, ExpectedTerm};

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    fn flags(src: &str, trg: &str, s: &str, t: &str) -> Vec<Check> {
        check_segment(&SegmentCheck::new(src, trg, lang(s), lang(t)))
            .into_iter()
            .map(|f| f.check)
            .collect()
    }

    #[test]
    fn numbers_compare_values_across_locales() {
        assert!(flags(
            "Harganya Rp 10.000,5 per kilo.",
            "The price is Rp 10,000.5 per kilo.",
            "id",
            "en"
        )
        .is_empty());
        assert_eq!(
            flags(
                "About 2,000 people came.",
                "Cerca de 200 pessoas vieram.",
                "en",
                "pt"
            ),
            [Check::Numbers, Check::Protected]
        );
        // Scale words: numeral compared, or quantity.
        assert!(flags(
            "Dananya US$ 5,5 juta.",
            "The fund is US$5.5 million.",
            "id",
            "en"
        )
        .is_empty());
        assert!(flags(
            "About 5,000 people came to the rally.",
            "Cerca de 5 mil pessoas vieram ao comício.",
            "en",
            "pt"
        )
        .is_empty());
        let f = check_segment(&SegmentCheck::new(
            "It cost $5 million.",
            "Custou 5 mil dólares.",
            lang("en"),
            lang("pt"),
        ));
        assert_eq!(f[0].check, Check::Numbers, "{f:?}");
        // Small numbers may become words.
        assert!(flags(
            "The 2 men were arrested on Monday.",
            "Os dois homens foram presos na segunda-feira.",
            "en",
            "pt"
        )
        .is_empty());
    }

    #[test]
    fn repetition_finds_loops_but_not_ordinary_text() {
        let f = check_segment(&SegmentCheck::new(
            "Kazakhstan, bekas republik Uni Soviet, menjadi tuan rumah.",
            "Kazakhstan, the Soviet Union, which was part of the Soviet Union, was the host.",
            lang("id"),
            lang("en"),
        ));
        assert_eq!(
            f.iter().map(|f| f.check).collect::<Vec<_>>(),
            [Check::Repetition],
            "{f:?}"
        );
        assert!(f[0].detail.contains("the soviet union"));
        let g = check_segment(&SegmentCheck::new(
            "Kazakhstan was part of the Soviet Union.",
            "O Cazaquistão fazia parte da União Soviética, fazia parte da União Soviética.",
            lang("en"),
            lang("pt"),
        ));
        assert!(
            g.iter()
                .any(|f| f.check == Check::Repetition && f.severity == Severity::Error),
            "{g:?}"
        );
        assert!(flags(
            "The Soviet Union, which was part of the Soviet Union era, fell.",
            "A União Soviética, que fazia parte da era da União Soviética, caiu.",
            "en",
            "pt"
        )
        .is_empty());
    }

    #[test]
    fn glossary_requires_the_target_term() {
        let g = [ExpectedTerm::new("CSTO", "OTSC")];
        let seg = SegmentCheck {
            glossary: &g,
            ..SegmentCheck::new(
                "The Russia-led CSTO met.",
                "A Organização da Unidade para a Unidade reuniu-se.",
                lang("en"),
                lang("pt"),
            )
        };
        let f = check_segment(&seg);
        assert_eq!(f[0].check, Check::Glossary);
        assert!(f[0].detail.contains("CSTO") && f[0].detail.contains("OTSC"));
        let ok = SegmentCheck {
            glossary: &g,
            ..SegmentCheck::new("The CSTO met.", "A OTSC reuniu-se.", lang("en"), lang("pt"))
        };
        assert!(check_segment(&ok).is_empty());
    }

    #[test]
    fn tags_need_the_same_markup_and_links() {
        let s = r#"Read <a href="https://x.id/a?b=1&amp;c=2">the <b>report</b></a>."#;
        let good = r#"Leia <a href="https://x.id/a?b=1&amp;c=2">o <b>relatório</b></a>."#;
        let seg = |t: &'static str| SegmentCheck {
            source_html: Some(s),
            target_html: Some(t),
            ..SegmentCheck::new(
                "Read the report.",
                "Leia o relatório.",
                lang("en"),
                lang("pt"),
            )
        };
        assert!(tags(&seg(good)).is_none());
        assert!(tags(&seg(
            r#"Leia <a href="https://x.id/">o <b>relatório</a></b>."#
        ))
        .unwrap()
        .detail
        .contains("link"));
        assert!(tags(&seg(
            r#"Leia <a href="https://x.id/a?b=1&c=2">o relatório</a>."#
        ))
        .unwrap()
        .detail
        .contains("<b>"));
        assert!(tags(&seg(
            r#"Leia <a href="https://x.id/a?b=1&c=2">o <b>relatório</a>.</b>"#
        ))
        .unwrap()
        .detail
        .contains("unbalanced"));
        assert!(warta_html::outline("a < b and <3").elements.is_empty());
    }

    #[test]
    fn script_flags_wrong_writing_system() {
        assert_eq!(
            flags(
                "The minister resigned today.",
                "The minister resigned today.",
                "en",
                "ja"
            ),
            [Check::Untranslated, Check::Script]
        );
        assert_eq!(
            flags(
                "The minister resigned on Monday evening.",
                "部长周一晚上辞职了，政府正在寻找继任者。",
                "en",
                "ja"
            ),
            [Check::Script]
        );
        assert!(flags(
            "The minister resigned on Monday evening.",
            "大臣は月曜日の夜に辞任した。",
            "en",
            "ja"
        )
        .is_empty());
        assert!(flags(
            "The minister resigned on Monday evening.",
            "部长周一晚上辞职了。",
            "en",
            "zh"
        )
        .is_empty());
    }

    #[test]
    fn nothing_panics_on_generated_strings() {
        // Deterministic xorshift over an alphabet of the characters the
        // scanners branch on; every string is checked in several pairs.
        let alphabet: Vec<char> = "0123456789.,:;- \u{00A0}\u{202F}٫٬٠٩１万億亿%°$€Rp@#/<>=\"'ahttps:wwwCSTOmilJanuari年月日はのİẞ😀\u{0301}"
            .chars()
            .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let pairs = [
            ("en", "pt"),
            ("id", "en"),
            ("en", "ja"),
            ("en", "zh"),
            ("en", "ar"),
            ("en", "fr"),
        ];
        for _ in 0..3000 {
            let mut make = || {
                let len = (next() % 40) as usize;
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect::<String>()
            };
            let (s, t) = (make(), make());
            let (a, b) = pairs[(next() % pairs.len() as u64) as usize];
            let seg = SegmentCheck {
                source_html: Some(&s),
                target_html: Some(&t),
                ..SegmentCheck::new(&s, &t, lang(a), lang(b))
            };
            let _ = check_segment(&seg);
            for p in protected_spans(&s, lang(a)) {
                assert_eq!(&s[p.range.clone()], p.text);
                let _ = expected_in_target(&p, lang(a), lang(b));
            }
        }
    }

    #[test]
    fn nothing_panics_on_odd_pairs() {
        let odd = [
            "",
            " ",
            "\u{0}",
            "<",
            "<a href=",
            "<<>>",
            "1.2.3.4.5",
            "@#$%",
            "😀😀😀😀",
            "١٬٢٫٣",
            "a a a a a a a a a a",
            "\u{202F}",
            "Rp",
            "https://",
            "\u{FEFF}x",
            "<b><i></b></i>",
            "٪٪",
            "ǅ ǈ",
        ];
        for s in odd {
            for t in odd {
                for (a, b) in [
                    ("en", "pt"),
                    ("id", "en"),
                    ("en", "ja"),
                    ("en", "zh"),
                    ("en", "ar"),
                    ("fr", "en"),
                ] {
                    let seg = SegmentCheck {
                        source_html: Some(s),
                        target_html: Some(t),
                        ..SegmentCheck::new(s, t, lang(a), lang(b))
                    };
                    let _ = check_segment(&seg);
                }
            }
        }
    }
}
