//! The check stage inside the pipeline: what a sentence must contain
//! (glossary terms, protected spans), putting it there through the word
//! alignment when the model lost it, and the QA flags on the result.
//!
//! The checks themselves live in `warta-qa`; this module adapts them to the
//! pipeline's sentences and alignments.

use std::ops::Range;

use serde::Serialize;
use warta_core::Lang;
use warta_engine::AlignedText;
use warta_store::Severity;

/// A glossary entry for one target language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub source: String,
    pub target: String,
    pub case_sensitive: bool,
}

/// Something the target must contain, located in the source.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub source_range: Range<usize>,
    /// Acceptable target texts; the first is the one put in when missing.
    pub alternatives: Vec<String>,
    pub case_sensitive: bool,
    pub kind: &'static str,
}

/// A QA finding on one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub check: String,
    pub severity: Severity,
    pub detail: String,
}

/// Byte ranges where `term` occurs in `text` as a whole word (the
/// characters around it are not letters or digits). The ranges index `text`
/// itself: case-insensitive matching folds both sides character by character
/// and never carries an offset from a folded copy over to the original
/// (lower-casing changes byte lengths: `İ` is 2 bytes, its lower case 3).
pub fn find_term(text: &str, term: &str, case_sensitive: bool) -> Vec<Range<usize>> {
    if term.is_empty() {
        return Vec::new();
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let needle: Vec<char> = if case_sensitive { term.chars().collect() } else { term.chars().flat_map(fold).collect() };
    let mut out: Vec<Range<usize>> = Vec::new();
    for (start, _) in text.char_indices() {
        if out.last().is_some_and(|r| start < r.end) {
            continue; // matches do not overlap
        }
        let Some(end) = match_at(text, start, &needle, case_sensitive) else { continue };
        if boundary(text[..start].chars().next_back()) && boundary(text[end..].chars().next()) {
            out.push(start..end);
        }
    }
    out
}

/// One character case-folded for comparison: its lower case, with the Greek
/// final sigma as the ordinary one (`ΟΔΟΣ` / `οδος`).
fn fold(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l })
}

/// Where in `text` a match of `needle` (already folded unless
/// `case_sensitive`) starting at byte `start` ends: `None` unless the needle
/// is consumed exactly at a character boundary of `text` (the needle `i`
/// does not match half of `İ`, whose lower case is `i` + U+0307).
fn match_at(text: &str, start: usize, needle: &[char], case_sensitive: bool) -> Option<usize> {
    let mut k = 0;
    for (i, c) in text[start..].char_indices() {
        if case_sensitive {
            if needle[k] != c {
                return None;
            }
            k += 1;
        } else {
            for f in fold(c) {
                if needle.get(k) != Some(&f) {
                    return None;
                }
                k += 1;
            }
        }
        if k == needle.len() {
            return Some(start + i + c.len_utf8());
        }
    }
    None
}

pub fn has_glossary_term(src: &str, terms: &[Term]) -> bool {
    terms.iter().any(|t| !find_term(src, &t.source, t.case_sensitive).is_empty())
}

/// What the translation of `src` must contain.
pub fn requirements(src: &str, src_lang: Lang, trg_lang: Lang, terms: &[Term]) -> Vec<Requirement> {
    let mut out = Vec::new();
    for t in terms {
        for r in find_term(src, &t.source, t.case_sensitive) {
            out.push(Requirement {
                source_range: r,
                alternatives: vec![t.target.clone()],
                case_sensitive: t.case_sensitive,
                kind: "glossary",
            });
        }
    }
    for p in warta_qa::protected_spans(src, src_lang) {
        if out.iter().any(|r| r.source_range.start < p.range.end && p.range.start < r.source_range.end) {
            continue; // a glossary term covers it
        }
        let alternatives = warta_qa::expected_in_target(&p, src_lang, trg_lang);
        if !alternatives.is_empty() {
            out.push(Requirement { source_range: p.range.clone(), alternatives, case_sensitive: true, kind: "protected" });
        }
    }
    out
}

fn contains(target: &str, alt: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        target.contains(alt)
    } else {
        target.to_lowercase().contains(&alt.to_lowercase())
    }
}

/// Requirements `target` does not meet.
pub fn unmet<'a>(target: &str, reqs: &'a [Requirement]) -> Vec<&'a Requirement> {
    reqs.iter().filter(|r| !r.alternatives.iter().any(|a| contains(target, a, r.case_sensitive))).collect()
}

/// Put each unmet requirement where the alignment says its source went:
/// the target words attending most to the source range are replaced by the
/// required text. Keeps the alignment consistent with the edited text.
pub fn enforce(a: &mut AlignedText, _src: &str, reqs: &[Requirement]) {
    for req in reqs {
        if req.alternatives.iter().any(|alt| contains(&a.target, alt, req.case_sensitive)) {
            continue;
        }
        let al = &a.alignment;
        let hits: Vec<Range<usize>> = al
            .target_tokens
            .iter()
            .enumerate()
            .filter(|(t, r)| {
                let row = &al.weights[*t];
                let best = (0..row.len()).max_by(|&x, &y| row[x].total_cmp(&row[y]));
                !r.is_empty()
                    && best.is_some_and(|b| {
                        let s = &al.source_tokens[b];
                        s.start < req.source_range.end && req.source_range.start < s.end.max(s.start + 1)
                    })
            })
            .map(|(_, r)| r.clone())
            .collect();
        let (Some(lo), Some(hi)) = (hits.iter().map(|r| r.start).min(), hits.iter().map(|r| r.end).max()) else {
            continue;
        };
        let range = if req.kind == "protected" && !req.alternatives[0].contains(char::is_whitespace) {
            // URLs, addresses, handles, numbers are one run of non-space
            // characters: replace the whole mangled run, keeping sentence
            // punctuation after it.
            widen_to_run(&a.target, lo..hi)
        } else {
            // Keep edge punctuation the model put around the word.
            trim_punct(&a.target, widen_to_word(&a.target, lo..hi))
        };
        if range.is_empty() {
            continue;
        }
        replace(a, range, &req.alternatives[0]);
    }
}

fn widen_to_word(text: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start;
    let mut end = r.end;
    let word = |c: char| c.is_alphanumeric() && !is_cjk(c);
    while let Some(c) = text[..start].chars().next_back() {
        if !word(c) {
            break;
        }
        start -= c.len_utf8();
    }
    while let Some(c) = text[end..].chars().next() {
        if !word(c) {
            break;
        }
        end += c.len_utf8();
    }
    start..end
}

fn widen_to_run(text: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start;
    let mut end = r.end;
    while let Some(c) = text[..start].chars().next_back() {
        if c.is_whitespace() || c == '(' || c == '«' {
            break;
        }
        start -= c.len_utf8();
    }
    while let Some(c) = text[end..].chars().next() {
        if c.is_whitespace() {
            break;
        }
        end += c.len_utf8();
    }
    let trailing = text[start..end].len() - text[start..end].trim_end_matches(|c: char| ".,;:!?)»\"'".contains(c)).len();
    start..end - trailing
}

fn trim_punct(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation()).len();
    let trail = s.len() - s.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation()).len();
    if lead + trail >= s.len() {
        return r.start..r.start;
    }
    r.start + lead..r.end - trail
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

fn replace(a: &mut AlignedText, range: Range<usize>, with: &str) {
    let delta = with.len() as isize - range.len() as isize;
    a.target.replace_range(range.clone(), with);
    let new_end = range.start + with.len();
    for r in &mut a.alignment.target_tokens {
        if r.end <= range.start {
            continue;
        }
        if r.start >= range.end {
            r.start = (r.start as isize + delta) as usize;
            r.end = (r.end as isize + delta) as usize;
        } else {
            // A token overlapping the replaced text: its offsets inside that
            // text mean nothing in the new one (and may fall inside one of
            // its characters). Edges outside the replaced text stay (the end
            // shifted); edges inside move to the replacement's end, so the
            // token that started the replaced text covers the replacement.
            let start = if r.start <= range.start { r.start } else { new_end };
            let end = if r.end >= range.end { (r.end as isize + delta) as usize } else { new_end };
            r.start = start;
            r.end = end.max(start);
        }
    }
}

/// QA flags for one machine-translated sentence (the checks of `warta-qa`).
pub fn check(src: &str, tgt: &str, src_lang: Lang, trg_lang: Lang, terms: &[Term]) -> Vec<Flag> {
    let glossary: Vec<warta_qa::ExpectedTerm> = terms
        .iter()
        .map(|t| warta_qa::ExpectedTerm {
            source_term: t.source.clone(),
            target_term: t.target.clone(),
            case_sensitive: t.case_sensitive,
        })
        .collect();
    let seg = warta_qa::SegmentCheck {
        source: src,
        target: tgt,
        src_lang,
        trg_lang,
        glossary: &glossary,
        source_html: None,
        target_html: None,
    };
    warta_qa::check_segment(&seg).into_iter().map(flag_of).collect()
}

/// Tags and links of a whole rebuilt body against its source: every element
/// and every `href` must survive, well-formed.
pub fn check_markup(source_html: &str, target_html: &str, src_lang: Lang, trg_lang: Lang) -> Vec<Flag> {
    let seg = warta_qa::SegmentCheck {
        source: "",
        target: "",
        src_lang,
        trg_lang,
        glossary: &[],
        source_html: Some(source_html),
        target_html: Some(target_html),
    };
    warta_qa::check_segment(&seg).into_iter().filter(|f| f.check == warta_qa::Check::Tags).map(flag_of).collect()
}

fn flag_of(f: warta_qa::Flag) -> Flag {
    Flag { check: f.check.name().to_string(), severity: severity(f.severity), detail: f.detail }
}

fn severity(s: warta_qa::Severity) -> Severity {
    match s {
        warta_qa::Severity::Info => Severity::Info,
        warta_qa::Severity::Warning => Severity::Warning,
        warta_qa::Severity::Error => Severity::Error,
    }
}

/// Names spelled two ways in one document: each segment using a minority
/// spelling gets a `consistency` warning naming the usual one.
pub fn consistency_flags(segments: &[(&str, &str)]) -> Vec<(usize, Flag)> {
    let mut out = Vec::new();
    for inc in warta_qa::inconsistent_names(segments) {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, w) in &inc.renderings {
            match counts.iter_mut().find(|(s, _)| s == w) {
                Some((_, n)) => *n += 1,
                None => counts.push((w, 1)),
            }
        }
        // The most frequent spelling (the first seen on a tie) is the usual one.
        let usual = counts.iter().fold(("", 0), |best, &(w, n)| if n > best.1 { (w, n) } else { best }).0;
        for (idx, w) in &inc.renderings {
            if w != usual {
                out.push((
                    *idx,
                    Flag {
                        check: "consistency".into(),
                        severity: Severity::Warning,
                        detail: format!("`{}` is spelled `{w}` here but `{usual}` elsewhere in the article", inc.source_name),
                    },
                ));
            }
        }
    }
    out
}

/// A flag when the model's confidence is below `threshold`.
pub fn confidence_flag(c: f64, threshold: f64) -> Option<Flag> {
    warta_qa::confidence_flag(c, threshold).map(flag_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_whole_words_only() {
        assert_eq!(find_term("the Russia-led CSTO, said", "CSTO", false), vec![15..19]);
        assert!(find_term("CSTOX and XCSTO", "CSTO", false).is_empty());
        assert_eq!(find_term("csto", "CSTO", false).len(), 1);
        assert!(find_term("csto", "CSTO", true).is_empty());
    }

    #[test]
    fn turkish_dotted_capital_i_before_a_term_does_not_panic_or_shift_the_match() {
        // The crash: `İ` (2 bytes) lower-cases to `i̇` (3 bytes), so
        // offsets found in the lower-cased text pointed past the term — here
        // with `ẞ` (3 bytes → `ß`, 2 bytes) evening out the total length,
        // which the old length guard did not catch.
        let text = "İstanbul ẞ CSTO";
        let r = find_term(text, "csto", false);
        assert_eq!(r.len(), 1);
        assert_eq!(&text[r[0].clone()], "CSTO");
        let text = "İİİ csto İ";
        assert_eq!(find_term(text, "CSTO", false).iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(), ["csto"]);
        // A term with `İ` matches its lower case and keeps whole characters.
        let text = "di istanbul, İSTANBUL";
        let got: Vec<&str> = find_term(text, "İstanbul", false).iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["İSTANBUL"], "`istanbul` has no dot above, `İstanbul` does (Unicode lower-casing)");
        // The kill test's hostile title (crates/warta/tests/kill.rs): with
        // the old code the offsets landed inside the two-byte `«`.
        let text = "STRAẞE «CSTO» İSTANBUL csto";
        let got: Vec<&str> = find_term(text, "CSTO", false).iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["CSTO", "csto"]);
        // Half a character never matches.
        assert!(find_term("İ", "i", false).is_empty());
        assert_eq!(find_term("ΟΔΟΣ", "οδος", false), vec![0..8]);
    }

    #[test]
    fn the_minority_spelling_of_a_name_is_flagged() {
        // Shape of real warta en→pt output on NTREX (newsweek.51310), where
        // "Virginia" came out as "Virgínia" in most sentences and "Virginia"
        // in one; the sentences here are hand-written.
        let segs = [
            ("Storms hit Virginia on Monday.", "Tempestades atingiram a Virgínia na segunda-feira."),
            ("Officials in Virginia closed roads.", "Autoridades da Virgínia fecharam estradas."),
            ("Schools in Virginia stayed open.", "As escolas em Virginia ficaram abertas."),
        ];
        let flags = consistency_flags(&segs);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].0, 2);
        assert_eq!(flags[0].1.check, "consistency");
        assert!(flags[0].1.detail.contains("`Virginia` here but `Virgínia`"), "{}", flags[0].1.detail);
    }

    #[test]
    fn replacement_keeps_alignment_ranges_on_the_new_text() {
        // Hand-made: "a CSTO b" with tokens a / CSTO / b aligned diagonally.
        let mut a = AlignedText {
            target: "a CSTO b".into(),
            pivot: None,
            alignment: warta_core::Alignment {
                source_tokens: vec![0..1, 2..6, 7..8],
                target_tokens: vec![0..1, 2..6, 7..8],
                weights: vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]],
            },
        };
        let req = Requirement { source_range: 2..6, alternatives: vec!["OTSC-X".into()], case_sensitive: true, kind: "glossary" };
        enforce(&mut a, "a CSTO b", &[req]);
        assert_eq!(a.target, "a OTSC-X b");
        assert_eq!(a.alignment.target_tokens, vec![0..1, 2..8, 9..10]);
    }

    #[test]
    fn tokens_inside_replaced_text_do_not_point_into_the_replacement() {
        // Found by the property test below: a target token inside the
        // replaced run kept its old offsets, which fell inside a character
        // of the URL put in its place (`ꬁ` here).
        let src = "https://example.org/a?b=1&c=İKꬁ";
        let mut a = AlignedText {
            target: "KAaAaAKK1.234.567,89İİİ İ x".into(),
            pivot: None,
            alignment: warta_core::Alignment {
                // A second, empty source token for "x" to attend to.
                source_tokens: vec![0..src.len(), src.len()..src.len()],
                target_tokens: vec![0..26, 27..29, 30..31],
                weights: vec![vec![1.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0]],
            },
        };
        let reqs = requirements(src, Lang::english(), Lang::english(), &[]);
        assert_eq!(reqs.len(), 1, "the URL is protected");
        enforce(&mut a, src, &reqs);
        assert_eq!(a.target, format!("{src} x"));
        for r in &a.alignment.target_tokens {
            assert!(a.target.is_char_boundary(r.start) && a.target.is_char_boundary(r.end), "{r:?} in {}", a.target);
        }
        assert_eq!(a.alignment.target_tokens[0], 0..src.len());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use warta_core::text_strategy::{any_lang, nasty_term, nasty_text};

        /// The oracle: every (start, end) pair of character boundaries whose
        /// text folds to the term's folding, at word boundaries, leftmost
        /// first and not overlapping — by brute force over the original.
        fn brute_force(text: &str, term: &str, case_sensitive: bool) -> Vec<Range<usize>> {
            let key = |s: &str| -> Vec<char> { if case_sensitive { s.chars().collect() } else { s.chars().flat_map(fold).collect() } };
            let want = key(term);
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            let mut out: Vec<Range<usize>> = Vec::new();
            for &a in &bounds {
                if want.is_empty() || out.last().is_some_and(|r| a < r.end) {
                    continue;
                }
                if let Some(&b) = bounds.iter().filter(|&&b| b > a).find(|&&b| key(&text[a..b]) == want) {
                    if boundary(text[..a].chars().next_back()) && boundary(text[b..].chars().next()) {
                        out.push(a..b);
                    }
                }
            }
            out
        }

        fn short_text() -> impl Strategy<Value = String> {
            nasty_text().prop_map(|s| s.chars().take(80).collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            #[test]
            fn find_term_agrees_with_brute_force_on_the_original(
                text in short_text(), term in nasty_term(), cs in any::<bool>(), pos in 0usize..100,
            ) {
                // Plant the term (or its upper case) somewhere to make matches likely.
                let at = text.char_indices().map(|(i, _)| i).nth(pos).unwrap_or(text.len());
                let planted = if cs { term.clone() } else { term.to_uppercase() };
                let text = format!("{} {planted} {}", &text[..at], &text[at..]);
                let got = find_term(&text, &term, cs);
                for r in &got {
                    prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end) && r.start < r.end);
                }
                prop_assert_eq!(got, brute_force(&text, &term, cs));
            }

            #[test]
            fn requirements_and_enforcement_keep_offsets_on_their_own_strings(
                src in nasty_text(),
                tgt in nasty_text(),
                terms in proptest::collection::vec((nasty_term(), nasty_term(), any::<bool>()), 0..4),
                src_lang in any_lang(),
                trg_lang in any_lang(),
                weights in proptest::collection::vec(0.0f32..1.0, 0..64),
            ) {
                let terms: Vec<Term> = terms
                    .into_iter()
                    .map(|(source, target, case_sensitive)| Term { source, target, case_sensitive })
                    .collect();
                let reqs = requirements(&src, src_lang, trg_lang, &terms);
                for r in &reqs {
                    prop_assert!(src.is_char_boundary(r.source_range.start) && src.is_char_boundary(r.source_range.end)
                        && r.source_range.end <= src.len(), "{:?} in {:?}", r.source_range, src);
                }
                let _ = has_glossary_term(&src, &terms);
                // Word tokens on both sides, every target token attending to
                // some source token: the shape of a real alignment.
                let words = |s: &str| -> Vec<Range<usize>> {
                    s.split_whitespace().map(|w| {
                        let start = w.as_ptr() as usize - s.as_ptr() as usize;
                        start..start + w.len()
                    }).collect()
                };
                let (st, tt) = (words(&src), words(&tgt));
                let mut ws = weights.into_iter().cycle();
                let rows = tt.iter().map(|_| st.iter().map(|_| ws.next().unwrap_or(0.5)).collect()).collect();
                let mut a = AlignedText {
                    target: tgt.clone(),
                    pivot: None,
                    alignment: warta_core::Alignment { source_tokens: st, target_tokens: tt, weights: rows },
                };
                enforce(&mut a, &src, &reqs);
                for r in &a.alignment.target_tokens {
                    prop_assert!(r.start <= r.end && r.end <= a.target.len()
                        && a.target.is_char_boundary(r.start) && a.target.is_char_boundary(r.end),
                        "{:?} in {:?}", r, a.target);
                }
                let _ = unmet(&a.target, &reqs);
                let _ = check(&src, &a.target, src_lang, trg_lang, &terms);
                let _ = check_markup(&src, &a.target, src_lang, trg_lang);
                let _ = consistency_flags(&[(&src, &a.target), (&tgt, &src)]);
            }
        }
    }
}
