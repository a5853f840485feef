//! Any text, of any length, script and whitespace, goes through both
//! translation paths of the real en→pt test model (`scripts/fetch-test-models`)
//! and they agree: the aligned path's text is the batch path's text for the
//! same input (its documented contract, `Translator::translate_aligned`),
//! and every alignment range lies on char boundaries of the string it
//! refers to, in order.
//!
//! Issue 18: a sentence longer than the model's window (127 tokens) with
//! Cyrillic letters and runs of no-break spaces panicked on the aligned path
//! (`start byte index N is not a char boundary; it is inside 'д'`), because
//! the window pieces were rebuilt text rather than slices of the sentence.
//!
//! The property test decodes real sentences of up to several hundred tokens
//! twice per case, so it runs few cases by default (under a minute in the
//! test profile on 2 cores); run more with `PROPTEST_CASES=500 cargo test
//! -p warta-engine --test long_sentences` (the variable sets both
//! properties' case count).

use std::ops::Range;

use proptest::prelude::*;
use warta_core::Lang;
use warta_engine::{AlignedText, ModelPool, Translator};
use warta_models::ModelStore;

fn lang(c: &str) -> Lang {
    Lang::parse(c).unwrap()
}

/// One pool for the whole binary: the model loads once.
fn pool() -> &'static ModelPool {
    static POOL: std::sync::OnceLock<ModelPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| ModelPool::new(ModelStore::open(warta_testkit::test_models()), 2))
}

fn en_pt() -> Translator {
    pool().translator(lang("en"), lang("pt")).unwrap()
}

fn on_boundaries(s: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && r.end <= s.len() && s.is_char_boundary(r.start) && s.is_char_boundary(r.end)
}

/// The invariants of one aligned translation of `text`, against the batch
/// path's output `batch`; `Err` names the first that fails.
fn check(text: &str, a: &AlignedText, batch: &str) -> Result<(), String> {
    if a.target != batch {
        return Err(format!(
            "aligned text differs from batch text\n aligned: {:?}\n batch:   {:?}",
            a.target, batch
        ));
    }
    let al = &a.alignment;
    for (what, s, tokens) in [
        ("source", text, &al.source_tokens),
        ("target", a.target.as_str(), &al.target_tokens),
    ] {
        for r in tokens.iter() {
            if !on_boundaries(s, r) {
                return Err(format!("{what} token {r:?} is off {s:?}"));
            }
        }
        if tokens.windows(2).any(|w| w[1].start < w[0].start) {
            return Err(format!("{what} tokens out of order: {tokens:?}"));
        }
    }
    if al.weights.len() != al.target_tokens.len() {
        return Err(format!(
            "{} rows for {} target tokens",
            al.weights.len(),
            al.target_tokens.len()
        ));
    }
    for row in &al.weights {
        if row.len() != al.source_tokens.len() || row.iter().any(|w| !(0.0..=1.0).contains(w)) {
            return Err(format!(
                "a row of {} weights for {} source tokens (or a weight outside 0..=1)",
                row.len(),
                al.source_tokens.len()
            ));
        }
    }
    Ok(())
}

/// Words of every script and kind the newsroom's feeds carry, and the odd
/// characters editors paste: accents, NFKC rewrites (ligatures, squared
/// units, full-width letters, numerals), combining marks, emoji with ZWJ
/// and modifiers, direction marks and controls.
fn word() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "the",
        "police",
        "said",
        "government",
        "minister",
        "Lisbon",
        "élection",
        "naïve",
        "Straße",
        "İstanbul",
        "São",
        "Paulo",
        "CSTO",
        "Москва",
        "правительство",
        "заявил",
        "д",
        "Санкт-Петербург",
        "ОДКБ",
        "Україна",
        "東京",
        "中华人民共和国",
        "新闻",
        "日本語のテキスト",
        "서울",
        "العربية",
        "الحكومة",
        "قال",
        "עברית",
        "ελληνικά",
        "हिन्दी",
        "ไทย",
        "👨\u{200d}👩\u{200d}👧",
        "🇵🇹",
        "👍🏽",
        "❤\u{fe0f}",
        "e\u{301}",
        "a\u{308}\u{304}",
        "Z\u{351}\u{35b}\u{362}\u{334}",
        "n\u{303}o",
        "ﬁnance",
        "3㎏",
        "ｆｕｌｌ",
        "Ⅻ",
        "①",
        "ǅ",
        "½",
        "10.000,5",
        "2026",
        "+62",
        "\u{1}",
        "\u{7f}",
        "\u{feff}",
        "\u{fffd}",
        "\u{200f}",
        "\u{202e}abc\u{202c}",
        "\u{85}",
        "(",
        ")",
        ",",
        "—",
        "«",
        "»",
        "\u{2581}",
        "<b>",
        "&amp;",
        "https://example.org/a?b=c",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        6 => fixed,
        1 => "\\PC{1,4}",
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

/// What goes between words: spaces of every kind, and runs of them, and
/// nothing at all (long runs without whitespace).
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        " ",
        " ",
        "  ",
        "\u{a0}",
        "\u{a0}\u{a0}",
        "\u{a0}\u{a0}\u{a0}\u{a0}",
        "\u{3000}",
        "\t",
        "\u{200b}",
        " \u{200b} ",
        "\u{2009}",
        "\u{202f}",
        " \t ",
        "",
        "\u{2028}",
        "\u{200d}",
    ])
}

/// A text: mostly one sentence far past the window (60 to 320 words),
/// sometimes a short one, sometimes with leading or trailing whitespace.
fn text() -> impl Strategy<Value = String> {
    let words = prop_oneof![1 => 1usize..20, 3 => 60usize..320];
    (
        words.prop_flat_map(|n| prop::collection::vec((word(), separator()), n)),
        separator(),
        separator(),
    )
        .prop_map(|(ws, lead, tail)| {
            let mut t = lead.to_string();
            for (w, sep) in ws {
                t.push_str(&w);
                t.push_str(sep);
            }
            t.push_str(tail);
            t
        })
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(12),
        // Each case is a real decode: bound the shrinking of a failure.
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn aligned_and_batch_paths_agree_on_any_text(t in text()) {
        let tr = en_pt();
        let batch = tr.translate_texts(&[t.as_str()], None).remove(0);
        let a = tr.translate_aligned(&t);
        if let Err(e) = check(&t, &a, &batch) {
            return Err(TestCaseError::fail(format!("{e}\n text: {t:?}")));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(3),
        max_shrink_iters: 100,
        ..ProptestConfig::default()
    })]

    /// Through a pivot (en→pt→en): the second leg translates the first
    /// leg's output, window pieces and all, and the composed alignment keeps
    /// the same invariants.
    #[test]
    fn the_pivot_route_agrees_too(t in text()) {
        let tr = pool().translator_via(lang("en"), lang("pt"), lang("en")).unwrap();
        let batch = tr.translate_texts(&[t.as_str()], None).remove(0);
        let a = tr.translate_aligned(&t);
        if let Err(e) = check(&t, &a, &batch) {
            return Err(TestCaseError::fail(format!("{e}\n text: {t:?}")));
        }
    }
}

/// The shape of the articles issue 18 found untranslated: one sentence far
/// past the window, on the aligned path, Cyrillic names, runs of no-break
/// spaces between words.
fn issue_18_sentence() -> String {
    let clause = "the delegation from Москва\u{a0}\u{a0}met officials of the\u{a0}\u{a0}\u{a0}Санкт-Петербург \
                  city council and\u{a0}discussed the treaty signed by Дмитрий\u{a0}\u{a0}Медведев, ";
    let mut s = String::from("On Monday ");
    for _ in 0..6 {
        s.push_str(clause);
    }
    s.push_str("and nobody was hurt.");
    s
}

#[test]
fn a_long_cyrillic_sentence_with_no_break_space_runs_goes_through_the_aligned_path() {
    let tr = en_pt();
    let text = issue_18_sentence();
    let engine = &pool().model("en-pt".parse().unwrap()).unwrap().engine;
    // Several windows' worth: the case that is cut into pieces.
    assert!(
        engine.src_ids(&text).len() > 2 * 128,
        "{}",
        engine.src_ids(&text).len()
    );
    let batch = tr.translate_texts(&[text.as_str()], None).remove(0);
    let a = tr.translate_aligned(&text);
    check(&text, &a, &batch).unwrap();
    assert!(!a.target.is_empty());
    // Oracle: SentencePiece's tokens tile the normal form, which for this
    // text (no rewrites) is the text with each whitespace run as one `▁`.
    // So the source tokens' slices are exactly the text's visible
    // characters, in order.
    // (A token of a space alone, before a piece that takes no space of
    // its own, covers that space.)
    let visible: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let covered: String = a
        .alignment
        .source_tokens
        .iter()
        .flat_map(|r| text[r.clone()].chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(covered, visible);
    // Every occurrence of the Cyrillic name is covered by tokens that lie
    // inside it (no drift after the no-break spaces).
    for (at, _) in text.match_indices("Медведев") {
        let inside: String = a
            .alignment
            .source_tokens
            .iter()
            .filter(|r| r.start >= at && r.end <= at + "Медведев".len())
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(inside, "Медведев", "at byte {at}");
    }
}

#[test]
fn odd_characters_keep_their_place_in_the_alignment() {
    // One window, characters the vocabulary rewrites or drops ('ﬁ' → "fi",
    // '㎏' → "kg", 'e' + U+0301 → 'é', a control char dropped: its own
    // `normalize` output): the tokens made of a rewrite cover the
    // characters it came from, the dropped char is covered by none.
    let tr = en_pt();
    let text = "The \u{fb01}nance minister\u{200b}said 3\u{338f} of\u{3000}rice cost \u{1}e\u{301}\u{a0}\u{a0}10 euros.";
    let batch = tr.translate_texts(&[text], None).remove(0);
    let a = tr.translate_aligned(text);
    check(text, &a, &batch).unwrap();
    let slices: Vec<&str> = a
        .alignment
        .source_tokens
        .iter()
        .map(|r| &text[r.clone()])
        .collect();
    let joined: String = slices.concat();
    for whole in [
        "\u{fb01}nance",
        "3\u{338f}",
        "e\u{301}",
        "minister",
        "said",
        "euros.",
    ] {
        assert!(joined.contains(whole), "{whole:?} in {slices:?}");
    }
    assert!(!joined.contains('\u{1}'), "{slices:?}");
    // No token starts inside a char the vocabulary rewrote.
    let fi = text.find('\u{fb01}').unwrap();
    assert!(a
        .alignment
        .source_tokens
        .iter()
        .all(|r| r.start <= fi || r.start >= fi + 3));
}
