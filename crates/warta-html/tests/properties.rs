//! Properties of every offset-mapping function of the crate, over arbitrary
//! and deliberately nasty Unicode (warta-core's `text_strategy`): sanitising,
//! cutting into units, projecting spans and rendering never panic; every
//! range they produce lies on character boundaries of the string it indexes;
//! the identity translation renders the same units back.
//!
//! The expected values are the crate's own contracts (its docs) rather than
//! examples: "Infallible: the worst input yields an empty string", "ranges
//! that are out of bounds or not on character boundaries count as unplaced",
//! "every link survives with its href".

use std::ops::Range;

use proptest::prelude::*;
use warta_core::text_strategy::{nasty_html, nasty_text};
use warta_core::Alignment;
use warta_html::{project_spans, sanitize, Fragment, HtmlError, UnitTranslation};

fn on_boundaries(s: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && s.is_char_boundary(r.start) && s.is_char_boundary(r.end)
}

/// Fragment of sanitised input; `None` only for the documented failure.
fn fragment(clean: &str) -> Option<Fragment> {
    match Fragment::parse(clean) {
        Ok(f) => Some(f),
        Err(HtmlError::TooDeep { .. }) => None,
        Err(e) => panic!("parsing sanitised HTML failed: {e}"),
    }
}

/// Every `href` value written in serialised HTML (sorted). Read from the
/// markup itself: a link whose translation is empty has no unit to find it by.
fn hrefs(html: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .split(" href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

/// An alignment with arbitrary token ranges (in or out of bounds, on or off
/// character boundaries) and weights (NaN and negatives included).
fn wild_alignment(src_len: usize, tgt_len: usize) -> impl Strategy<Value = Alignment> {
    let range = |n: usize| (0..n + 4, 0..n + 4).prop_map(|(a, b)| a.min(b)..a.max(b));
    (
        proptest::collection::vec(range(src_len), 0..12),
        proptest::collection::vec(range(tgt_len), 0..12),
    )
        .prop_flat_map(|(s, t)| {
            let row = proptest::collection::vec(
                prop_oneof![4 => 0.0f32..1.0, 1 => Just(f32::NAN), 1 => Just(-1.0f32)],
                0..s.len() + 2,
            );
            let rows = proptest::collection::vec(row, 0..t.len() + 2);
            (Just(s), Just(t), rows)
        })
        .prop_map(|(source_tokens, target_tokens, weights)| Alignment {
            source_tokens,
            target_tokens,
            weights,
        })
}

/// Whitespace-delimited word ranges of `s`: the well-formed kind of tokens.
fn word_ranges(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain([(s.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(b)) => {
                out.push(b..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sanitising_never_panics_and_is_idempotent(html in nasty_html()) {
        let clean = sanitize(&html);
        prop_assert_eq!(sanitize(&clean), clean.clone(), "sanitising twice changed {:?}", html);
        let _ = warta_html::sanitize_checked(&html);
    }

    #[test]
    fn units_and_spans_index_their_own_text(html in nasty_html()) {
        let clean = sanitize(&html);
        let Some(f) = fragment(&clean) else { return Ok(()) };
        for u in f.units() {
            for s in &u.spans {
                prop_assert!(on_boundaries(&u.text, &s.range) && s.range.end <= u.text.len(),
                    "span {:?} of {:?} in {:?}", s.range, s.tag, u.text);
            }
        }
    }

    #[test]
    fn the_identity_translation_renders_the_same_units_back(html in nasty_html()) {
        // Same units, not same bytes: a unit's text is whitespace-collapsed
        // and trimmed (`Unit::text`), so `<p>\tİ</p>` renders as `<p>İ</p>`,
        // which a browser shows identically.
        let clean = sanitize(&html);
        let Some(f) = fragment(&clean) else { return Ok(()) };
        let identity: Vec<UnitTranslation> = f.units().iter().map(UnitTranslation::identity).collect();
        let rendered = f.render(&identity).unwrap();
        let again = fragment(&rendered).expect("as deep as before");
        prop_assert_eq!(again.units(), f.units(), "{:?} rendered as {:?}", clean, rendered);
        // And rendering is then a fixed point.
        let identity: Vec<UnitTranslation> = again.units().iter().map(UnitTranslation::identity).collect();
        prop_assert_eq!(again.render(&identity).unwrap(), rendered);
    }

    #[test]
    fn any_translation_renders_and_keeps_every_link(
        html in nasty_html(),
        texts in proptest::collection::vec(nasty_text(), 0..8),
        picks in proptest::collection::vec((0usize..64, 0usize..64, any::<bool>()), 0..64),
    ) {
        let clean = sanitize(&html);
        let Some(f) = fragment(&clean) else { return Ok(()) };
        let mut picks = picks.into_iter().cycle();
        let translations: Vec<UnitTranslation> = f
            .units()
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let text = texts.get(i).cloned().unwrap_or_else(|| u.text.clone());
                let spans = u
                    .spans
                    .iter()
                    .map(|_| {
                        // Arbitrary placements, on or off boundaries, in or out of bounds.
                        let (a, b, some) = picks.next().unwrap_or((0, 0, false));
                        some.then(|| a.min(b)..a.max(b))
                    })
                    .collect();
                UnitTranslation { text, spans }
            })
            .collect();
        let out = f.render(&translations).unwrap();
        fragment(&out).expect("rendering does not deepen nesting");
        let mut after = hrefs(&out);
        for h in hrefs(&f.render_source_unchanged()) {
            let at = after.iter().position(|a| *a == h);
            prop_assert!(at.is_some(), "link {:?} lost: {:?} -> {:?}", h, clean, out);
            after.remove(at.unwrap_or_default());
        }
    }

    #[test]
    fn projection_with_any_alignment_yields_ranges_on_target_boundaries(
        html in nasty_html(),
        tgt in nasty_text(),
        wild in wild_alignment(80, 80),
        seed in any::<u8>(),
    ) {
        let clean = sanitize(&html);
        let Some(f) = fragment(&clean) else { return Ok(()) };
        for u in f.units() {
            let words = {
                let (s, t) = (word_ranges(&u.text), word_ranges(&tgt));
                let weights = (0..t.len())
                    .map(|i| (0..s.len()).map(|j| ((i * 7 + j * 3 + usize::from(seed)) % 5) as f32).collect())
                    .collect();
                Alignment { source_tokens: s, target_tokens: t, weights }
            };
            for al in [wild.clone(), words] {
                let placed = project_spans(&u.text, &u.spans, &tgt, &al);
                prop_assert_eq!(placed.len(), u.spans.len());
                for r in placed.iter().flatten() {
                    prop_assert!(on_boundaries(&tgt, r) && r.end <= tgt.len(), "{:?} in {:?}", r, tgt);
                }
            }
        }
    }
}
