//! Properties of every function of this crate that maps text offsets, over
//! arbitrary and deliberately nasty Unicode (warta-core's `text_strategy`).
//!
//! The crate promises "No input makes it panic" (lib.rs); protected spans
//! promise `text == source[range]`, sorted and non-overlapping
//! ([`protected_spans`]); scanners promise byte ranges into the text they
//! were given. Those promises are the expected values here.

use proptest::prelude::*;
use warta_core::text_strategy::{any_lang, nasty_html, nasty_term, nasty_text};

use crate::*;

fn on_boundaries(s: &str, r: &std::ops::Range<usize>) -> bool {
    r.start <= r.end && r.end <= s.len() && s.is_char_boundary(r.start) && s.is_char_boundary(r.end)
}

/// Amounts, markers and the characters that change length when lower-cased
/// or that a marker may skip (`İ`, Arabic tanween), in any order.
fn money_text() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "£",
        "$",
        "US$",
        "R$",
        "€",
        "¥",
        "Rp",
        "5",
        "120",
        "1.5",
        "1,5",
        "10.000",
        " ",
        "\u{00A0}",
        "million",
        "milhões",
        "de ",
        "d'",
        "D’",
        "euros",
        "Libras",
        "%",
        "per cent",
        "km",
        "-",
        " a ",
        "two",
        "دولار",
        "\u{064B}",
        "ا",
        " أمريكي",
        "و",
        "万",
        "英镑",
        "キロ",
        "時速",
        "İ",
        "ẞ",
        "m",
        "mi",
        "°",
        "C",
        "(",
        ")",
    ];
    proptest::collection::vec(proptest::sample::select(PIECES), 0..16).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn protected_spans_are_sorted_disjoint_slices_of_the_source(text in nasty_text(), src in any_lang(), trg in any_lang()) {
        let spans = protected_spans(&text, src);
        for (i, p) in spans.iter().enumerate() {
            prop_assert!(on_boundaries(&text, &p.range), "{:?} in {:?}", p.range, text);
            prop_assert_eq!(&text[p.range.clone()], p.text.as_str());
            if let Some(next) = spans.get(i + 1) {
                prop_assert!(p.range.end <= next.range.start, "{:?} overlaps {:?}", p.range, next.range);
            }
            let _ = expected_in_target(p, src, trg);
            let _ = render_protected(p, trg);
        }
    }

    #[test]
    fn scanners_return_ranges_into_their_text(text in nasty_text(), lang in any_lang()) {
        for f in crate::number::scan(&text, lang) {
            prop_assert!(on_boundaries(&text, &f.range), "{:?} in {:?}", f.range, text);
            prop_assert!(f.range.end <= f.scale_end && text.is_char_boundary(f.scale_end) && f.scale_end <= text.len());
        }
        for (r, d) in crate::date::find_dates(&text, lang) {
            prop_assert!(on_boundaries(&text, &r), "{:?} in {:?}", r, text);
            let _ = crate::date::render_dates(&d, lang);
        }
        let _ = crate::date::months_mentioned(&text, lang);
        let _ = parse_number(&text, lang);
    }

    #[test]
    fn money_markers_are_slices_of_their_text(text in prop_oneof![nasty_text(), money_text()], lang in any_lang()) {
        let found = crate::number::scan(&text, lang);
        for c in crate::money::counted(&text, lang, &found).into_iter().flatten() {
            prop_assert!(on_boundaries(&text, &c.range), "{:?} in {:?}", c.range, text);
        }
        for m in crate::money::mentions(&text, lang) {
            prop_assert!(on_boundaries(&text, &m.range), "{:?} in {:?}", m.range, text);
        }
    }

    /// A text compared with itself keeps every currency and unit.
    #[test]
    fn a_text_is_never_a_money_flag_against_itself(text in prop_oneof![nasty_text(), money_text()], lang in any_lang()) {
        let f = money_and_units(&SegmentCheck::new(&text, &text, lang, lang));
        prop_assert!(f.is_none(), "{:?} on {:?}", f, text);
    }

    #[test]
    fn every_check_runs_on_any_segment(
        source in nasty_text(),
        target in nasty_text(),
        src_lang in any_lang(),
        trg_lang in any_lang(),
        terms in proptest::collection::vec((nasty_term(), nasty_term(), any::<bool>()), 0..4),
        html in proptest::option::of((nasty_html(), nasty_html())),
    ) {
        let glossary: Vec<ExpectedTerm> = terms
            .into_iter()
            .map(|(s, t, cs)| ExpectedTerm { source_term: s, target_term: t, case_sensitive: cs })
            .collect();
        let seg = SegmentCheck {
            source: &source,
            target: &target,
            src_lang,
            trg_lang,
            glossary: &glossary,
            source_html: html.as_ref().map(|h| h.0.as_str()),
            target_html: html.as_ref().map(|h| h.1.as_str()),
        };
        let flags = check_segment(&seg);
        for w in flags.windows(2) {
            prop_assert!(w[0].check < w[1].check, "one flag per check, in order: {:?}", flags);
        }
    }

    #[test]
    fn term_search_finds_a_term_standing_alone_and_never_panics(
        hay in nasty_text(),
        needle in nasty_term(),
        case_sensitive in any::<bool>(),
        lang in any_lang(),
    ) {
        // The one term matcher (warta_core::term) as the checks use it.
        let _ = lang;
        let hits = warta_core::term::find_term(&hay, &needle, case_sensitive);
        for r in &hits {
            prop_assert!(hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end) && r.start < r.end);
        }
        let trimmed = needle.trim();
        if !trimmed.is_empty() {
            let alone = format!("{hay} {trimmed} ");
            prop_assert!(warta_core::term::contains_term(&alone, trimmed, true) || !standalone(trimmed),
                "{:?} not found in {:?}", trimmed, alone);
            let _ = warta_core::term::contains_term(&alone.to_uppercase(), &needle, false);
        }
        let _ = crate::text::tokens_marked(&hay);
        let _ = crate::text::words(&hay);
        let _ = crate::text::loose(&hay);
    }

    #[test]
    fn consistency_indexes_only_real_segments(
        segs in proptest::collection::vec((nasty_text(), nasty_text()), 0..6),
    ) {
        let pairs: Vec<(&str, &str)> = segs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        for inc in inconsistent_names(&pairs) {
            for (i, w) in &inc.renderings {
                prop_assert!(*i < pairs.len());
                prop_assert!(pairs[*i].1.contains(w.as_str()));
            }
        }
    }
}

/// Whether a term is bounded by word characters at its edges only where
/// whitespace around it separates it (a term ending in a combining mark or
/// ZWJ glues to whatever follows; one starting with one, to what precedes).
fn standalone(term: &str) -> bool {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| !is_mark_or_joiner(c));
    edge_ok(term.chars().next()) && edge_ok(term.chars().next_back())
}

fn is_mark_or_joiner(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F | 0x200C | 0x200D | 0xFE00..=0xFE0F)
}
