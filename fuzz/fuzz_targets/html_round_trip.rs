//! HTML round trip, as the pipeline does it (crates/warta-pipeline/src/run.rs
//! and crates/warta-ingest/src/article.rs): sanitise editor HTML → cut it into units
//! (`Fragment::parse`) → place inline markup in a translation
//! (`project_spans`) → put the fragment back together (`Fragment::render`).
//!
//! Invariants, from warta-html's documented contracts:
//! - nothing panics, whatever the input, translation or alignment;
//! - sanitising is idempotent, and sanitised HTML always parses (only
//!   `TooDeep` may refuse it);
//! - the identity translation renders equivalent units back (attribute
//!   values may lose repeated whitespace), and rendering it again is a fixed
//!   point (tests/properties.rs states the same);
//! - rendered output — identity or any translation — is stable under
//!   sanitising again (what warta publishes, the sanitiser would keep), and
//!   keeps every link's href;
//! - every projected span lies on character boundaries of the target.

#![no_main]

use std::ops::Range;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use warta_core::Alignment;
use warta_html::{project_spans, sanitize, sanitize_checked, Fragment, HtmlError, Unit, UnitTranslation};

#[derive(Arbitrary, Debug)]
struct Input {
    html: String,
    /// Translations for the first units (the rest stay untranslated).
    texts: Vec<String>,
    /// Token boundaries (byte offsets, any value) and attention weights
    /// for the alignment between a unit and its translation.
    src_cuts: Vec<u8>,
    tgt_cuts: Vec<u8>,
    weights: Vec<u8>,
    /// Whether to project spans through the alignment or place them raw.
    raw_picks: Vec<(u8, u8, bool)>,
}

fn on_boundaries(s: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && r.end <= s.len() && s.is_char_boundary(r.start) && s.is_char_boundary(r.end)
}

/// Every link target in `html`, read by an HTML parser (sorted). Not from
/// the units: a link whose text is gone has no unit to find it by.
fn hrefs(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_fragment(html);
    let links = scraper::Selector::parse("a[href]").expect("a valid selector");
    let mut out: Vec<String> = doc.select(&links).filter_map(|a| a.value().attr("href")).map(str::to_string).collect();
    out.sort();
    out
}

fn ranges(cuts: &[u8]) -> Vec<Range<usize>> {
    cuts.chunks(2).map(|c| {
        let (a, b) = (usize::from(c[0]), usize::from(*c.get(1).unwrap_or(&c[0])));
        a.min(b)..a.max(b)
    }).collect()
}

/// Units as a reader sees them: a translatable attribute's value is a unit
/// whose text is whitespace-collapsed (`Unit::text`), so after an identity
/// render the element carries the collapsed value (`alt="a\nb"` becomes
/// `alt="a b"`, which shows the same). Compare attribute values collapsed;
/// links are compared exactly by `hrefs`.
fn equivalent(units: &[Unit]) -> Vec<Unit> {
    let collapse = |v: &str| v.split(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    units
        .iter()
        .cloned()
        .map(|mut u| {
            for s in &mut u.spans {
                for (_, v) in &mut s.attrs {
                    *v = collapse(v);
                }
            }
            u
        })
        .collect()
}

fn parse(clean: &str) -> Option<Fragment> {
    match Fragment::parse(clean) {
        Ok(f) => Some(f),
        Err(HtmlError::TooDeep { .. }) => None,
        Err(e) => panic!("sanitised HTML did not parse: {e}\n{clean:?}"),
    }
}

fuzz_target!(|input: Input| {
    let _ = sanitize_checked(&input.html);
    let clean = sanitize(&input.html);
    assert_eq!(sanitize(&clean), clean, "sanitising twice changed {:?}", input.html);
    let Some(fragment) = parse(&clean) else { return };

    // The identity translation.
    let identity: Vec<UnitTranslation> = fragment.units().iter().map(UnitTranslation::identity).collect();
    let rendered = fragment.render(&identity).expect("one translation per unit");
    let again = parse(&rendered).expect("rendering does not deepen nesting");
    assert_eq!(equivalent(again.units()), equivalent(fragment.units()), "{clean:?} rendered as {rendered:?}");
    let identity2: Vec<UnitTranslation> = again.units().iter().map(UnitTranslation::identity).collect();
    assert_eq!(again.render(&identity2).unwrap(), rendered, "rendering is a fixed point");
    assert_eq!(sanitize(&rendered), rendered, "identity render of {clean:?} is not sanitise-stable");

    // Any translation, its spans placed through an arbitrary alignment or
    // at arbitrary (possibly invalid) ranges.
    let mut picks = input.raw_picks.iter().cycle();
    let mut weights = input.weights.iter().cycle();
    let translations: Vec<UnitTranslation> = fragment
        .units()
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let text = input.texts.get(i).cloned().unwrap_or_else(|| u.text.clone());
            let source_tokens = ranges(&input.src_cuts);
            let target_tokens = ranges(&input.tgt_cuts);
            let rows = (0..target_tokens.len() + 1)
                .map(|_| (0..source_tokens.len() + 1).map(|_| f32::from(*weights.next().unwrap_or(&1)) - 8.0).collect())
                .collect();
            let alignment = Alignment { source_tokens, target_tokens, weights: rows };
            let projected = project_spans(&u.text, &u.spans, &text, &alignment);
            assert_eq!(projected.len(), u.spans.len());
            for r in projected.iter().flatten() {
                assert!(on_boundaries(&text, r), "projected {r:?} into {text:?}");
            }
            let spans = projected
                .into_iter()
                .map(|p| match picks.next() {
                    Some(&(a, b, true)) => Some(usize::from(a.min(b))..usize::from(a.max(b))),
                    _ => p,
                })
                .collect();
            UnitTranslation { text, spans }
        })
        .collect();
    let out = fragment.render(&translations).expect("one translation per unit, one placement per span");
    parse(&out).expect("rendering does not deepen nesting");
    assert_eq!(sanitize(&out), out, "rendered translation of {clean:?} is not sanitise-stable");
    let mut after = hrefs(&out);
    for h in hrefs(&rendered) {
        let at = after.iter().position(|a| *a == h);
        assert!(at.is_some(), "link {h:?} lost: {clean:?} -> {out:?}");
        after.remove(at.unwrap_or_default());
    }
});
