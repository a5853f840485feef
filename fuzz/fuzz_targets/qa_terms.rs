//! Glossary matching, protected spans and number extraction: warta's one
//! term matcher (`warta_core::term`) and warta-qa's public API, as the
//! pipeline calls them (crates/warta-pipeline).
//!
//! Invariants, from the documented contracts:
//! - no input makes either crate panic (warta-qa's lib.rs);
//! - `find_term` ranges lie on character boundaries of the text, in order,
//!   without overlap, and each is the term found again on its own; a term
//!   written between spaces is found (term.rs: "a term is found as a whole
//!   word", white space in the term matches any run of it);
//! - protected spans are sorted, disjoint, on character boundaries, and
//!   `text == source[range]` (`protected_spans`);
//! - a glossary term whose target term stands between spaces in the
//!   translation is never reported missing (the glossary check);
//! - a number rendered for a language parses back, in that language, to
//!   the same value (`render_number` / `parse_number`).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use warta_core::term::{contains_term, find_term};
use warta_core::Lang;
use warta_qa::{
    check_segment, expected_in_target, inconsistent_names, parse_number, protected_spans, render_number,
    render_protected, Check, ExpectedTerm, SegmentCheck,
};

/// The newsroom's languages (DESIGN.md) and the test model's.
const LANGS: [&str; 7] = ["id", "en", "zh", "ja", "ar", "fr", "pt"];

#[derive(Arbitrary, Debug)]
struct Input {
    source: String,
    target: String,
    src: u8,
    trg: u8,
    terms: Vec<(String, String, bool)>,
}

fn lang(i: u8) -> Lang {
    Lang::parse(LANGS[usize::from(i) % LANGS.len()]).expect("a known code")
}

fuzz_target!(|input: Input| {
    let (src, trg) = (lang(input.src), lang(input.trg));
    let source = input.source.as_str();

    for (term, _, case_sensitive) in input.terms.iter().take(4) {
        let found = find_term(source, term, *case_sensitive);
        let mut end = 0;
        for r in &found {
            assert!(end <= r.start && r.start < r.end && r.end <= source.len(), "{found:?} in {source:?}");
            assert!(source.is_char_boundary(r.start) && source.is_char_boundary(r.end), "{r:?} in {source:?}");
            let alone = &source[r.clone()];
            assert_eq!(find_term(alone, term, *case_sensitive), [0..alone.len()], "{term:?} in {alone:?}");
            end = r.end;
        }
        if !term.trim().is_empty() {
            let placed = format!("{source} {} ", term.trim());
            assert!(contains_term(&placed, term, *case_sensitive), "{term:?} not in {placed:?}");
        }
    }

    let spans = protected_spans(source, src);
    for (i, p) in spans.iter().enumerate() {
        let r = &p.range;
        assert!(r.start <= r.end && r.end <= source.len(), "{r:?} out of {source:?}");
        assert!(source.is_char_boundary(r.start) && source.is_char_boundary(r.end), "{r:?} in {source:?}");
        assert_eq!(&source[r.clone()], p.text, "span text");
        if let Some(next) = spans.get(i + 1) {
            assert!(r.end <= next.range.start, "{r:?} overlaps {:?} in {source:?}", next.range);
        }
        let _ = expected_in_target(p, src, trg);
        let _ = render_protected(p, trg);
    }

    if let Some(n) = parse_number(source, src) {
        let shown = render_number(&n, trg);
        let back = parse_number(&shown, trg);
        assert!(
            back.as_ref().is_some_and(|b| b.same_value(&n)),
            "{n:?} rendered for {trg} as {shown:?} parses back as {back:?}"
        );
    }

    let glossary: Vec<ExpectedTerm> = input
        .terms
        .iter()
        .take(4)
        .map(|(s, t, cs)| ExpectedTerm { source_term: s.clone(), target_term: t.clone(), case_sensitive: *cs })
        .collect();
    let seg = SegmentCheck {
        source,
        target: &input.target,
        src_lang: src,
        trg_lang: trg,
        glossary: &glossary,
        source_html: None,
        target_html: None,
    };
    let flags = check_segment(&seg);
    for w in flags.windows(2) {
        assert!(w[0].check < w[1].check, "one flag per check, in order: {flags:?}");
    }

    // Every target term placed in the translation between spaces: the
    // glossary check must be satisfied.
    let mut target = input.target.clone();
    for t in &glossary {
        target.push(' ');
        target.push_str(t.target_term.trim());
        target.push(' ');
    }
    if glossary.iter().all(|t| !t.target_term.trim().is_empty()) {
        let seg = SegmentCheck { target: &target, ..seg };
        let flags = check_segment(&seg);
        assert!(
            !flags.iter().any(|f| f.check == Check::Glossary),
            "every target term is in {target:?}, yet: {flags:?}"
        );
    }

    let pairs = [(source, input.target.as_str()), (input.target.as_str(), source)];
    for inc in inconsistent_names(&pairs) {
        for (i, w) in &inc.renderings {
            assert!(*i < pairs.len() && pairs[*i].1.contains(w.as_str()));
        }
    }
});
