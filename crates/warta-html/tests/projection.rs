//! Alignment-based tag transfer, from a hand-made alignment to rendered HTML.

use std::ops::Range;
use warta_core::Alignment;
use warta_html::{project_spans, Fragment, InlineSpan, UnitTranslation};

const SRC_HTML: &str = r#"<p>Warga <a href="https://e.org/km">Kampung Melayu</a> mengungsi<br> ke <em>masjid</em>.</p>"#;
const TGT: &str = "Residents of Kampung Melayu fled to the mosque.";

/// A HAND-MADE alignment (not model output) for
/// "Warga Kampung Melayu mengungsi ke masjid." →
/// "Residents of Kampung Melayu fled to the mosque.", tokenised the way
/// SentencePiece does (a word's leading space belongs to its first piece).
///
/// Row t lists P(source token s | target token t) for s = 0..7. The rows are
/// what a translator would draw by hand, with two deliberate imperfections a
/// real model shows: "Kam" attends to "Warga" (so the link must be widened
/// back to the whole word "Kampung"), and "the" splits its mass between "ke"
/// and "masjid".
fn alignment() -> Alignment {
    let source_tokens = vec![
        0..5,   // s0 "Warga"
        5..13,  // s1 " Kampung"
        13..20, // s2 " Melayu"
        20..30, // s3 " mengungsi"
        30..33, // s4 " ke"
        33..40, // s5 " masjid"
        40..41, // s6 "."
    ];
    let target_tokens = vec![
        0..9,   // t0 "Residents"
        9..12,  // t1 " of"
        12..16, // t2 " Kam"
        16..20, // t3 "pung"
        20..27, // t4 " Melayu"
        27..32, // t5 " fled"
        32..35, // t6 " to"
        35..39, // t7 " the"
        39..43, // t8 " mos"
        43..46, // t9 "que"
        46..47, // t10 "."
    ];
    #[rustfmt::skip]
    let weights = vec![
        //    s0   s1   s2   s3   s4   s5   s6
        vec![0.9, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0], // t0 Residents → Warga
        vec![0.6, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0], // t1 of        → Warga
        vec![0.5, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0], // t2 Kam       → Warga (noise)
        vec![0.1, 0.8, 0.1, 0.0, 0.0, 0.0, 0.0], // t3 pung      → Kampung
        vec![0.0, 0.1, 0.9, 0.0, 0.0, 0.0, 0.0], // t4 Melayu    → Melayu
        vec![0.0, 0.0, 0.0, 0.8, 0.1, 0.0, 0.0], // t5 fled      → mengungsi
        vec![0.0, 0.0, 0.0, 0.1, 0.7, 0.0, 0.0], // t6 to        → ke
        vec![0.0, 0.0, 0.0, 0.0, 0.4, 0.3, 0.0], // t7 the       → ke
        vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0], // t8 mos       → masjid
        vec![0.0, 0.0, 0.0, 0.0, 0.1, 0.6, 0.0], // t9 que       → masjid
        vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9], // t10 .        → .
    ];
    Alignment {
        source_tokens,
        target_tokens,
        weights,
    }
}

fn at(text: &str, needle: &str) -> Range<usize> {
    let start = text.find(needle).expect("needle in text");
    start..start + needle.len()
}

#[test]
fn source_unit_matches_the_hand_made_tokens() {
    // Guards the test data: the token offsets above are offsets into this.
    let f = Fragment::parse(SRC_HTML).unwrap();
    assert_eq!(
        f.units()[0].text,
        "Warga Kampung Melayu mengungsi ke masjid."
    );
}

#[test]
fn link_emphasis_and_break_land_on_the_right_target_words() {
    let f = Fragment::parse(SRC_HTML).unwrap();
    let unit = &f.units()[0];
    let got = project_spans(&unit.text, &unit.spans, TGT, &alignment());
    // By hand: the link covers t3..t4, widened to the whole word "Kampung";
    // em covers t8..t9 without the space of " mos"; br follows "fled", the
    // target of "mengungsi", the source token before it.
    let fled_end = at(TGT, "fled").end;
    assert_eq!(
        got,
        vec![
            Some(at(TGT, "Kampung Melayu")),
            Some(fled_end..fled_end),
            Some(at(TGT, "mosque")),
        ]
    );
}

#[test]
fn projected_spans_render_into_the_expected_html() {
    let f = Fragment::parse(SRC_HTML).unwrap();
    let unit = &f.units()[0];
    let tr = UnitTranslation {
        text: TGT.into(),
        spans: project_spans(&unit.text, &unit.spans, TGT, &alignment()),
    };
    assert_eq!(
        f.render(&[tr]).unwrap(),
        r#"<p>Residents of <a href="https://e.org/km">Kampung Melayu</a> fled<br> to the <em>mosque</em>.</p>"#
    );
}

#[test]
fn link_on_a_word_does_not_take_the_full_stop() {
    // Hand-made: source "Lihat foto." with <a> on "foto"; the model aligns
    // the target's "photo." as ONE token to "foto". The source span has no
    // full stop, so the target span must not either.
    let src = "Lihat foto.";
    let tgt = "See photo.";
    let spans = vec![InlineSpan {
        tag: "a".into(),
        attrs: vec![("href".into(), "https://e.org/f".into())],
        range: at(src, "foto"),
        depth: 0,
    }];
    let alignment = Alignment {
        source_tokens: vec![0..5, 5..10, 10..11], // "Lihat", " foto", "."
        target_tokens: vec![0..3, 3..10],         // "See", " photo."
        weights: vec![vec![0.9, 0.1, 0.0], vec![0.0, 0.7, 0.3]],
    };
    assert_eq!(
        project_spans(src, &spans, tgt, &alignment),
        vec![Some(at(tgt, "photo"))]
    );
}

#[test]
fn unaligned_and_malformed_alignments_give_none_without_panicking() {
    let f = Fragment::parse(SRC_HTML).unwrap();
    let unit = &f.units()[0];
    // Nothing attends to anything: every span is unplaceable (spec: None if
    // no token aligns).
    let mut zero = alignment();
    for row in &mut zero.weights {
        row.iter_mut().for_each(|w| *w = 0.0);
    }
    assert_eq!(
        project_spans(&unit.text, &unit.spans, TGT, &zero),
        vec![None, None, None]
    );

    // Ragged rows, NaN, offsets past the end or inside a character: no panic.
    let broken = Alignment {
        source_tokens: vec![0..5, 3..1000, Range { start: 7, end: 6 }],
        target_tokens: vec![0..2, 1..1, 40..4000, 44..45],
        weights: vec![vec![f32::NAN, 1.0], vec![], vec![0.5; 10]],
    };
    let _ = project_spans(&unit.text, &unit.spans, "é tgt", &broken);
    let _ = project_spans(&unit.text, &unit.spans, "", &Alignment::default());
}

#[test]
fn identical_text_with_diagonal_alignment_projects_spans_onto_themselves() {
    // Spec consequence: translating a text into itself word for word must
    // leave every span where it was.
    let f = Fragment::parse(
        r#"<p>Hujan <b>deras <i>sekali</i></b> di <a href="/x">Jakarta Timur</a>.<br>Usai.</p>"#,
    )
    .unwrap();
    let unit = &f.units()[0];
    let mut tokens = Vec::new();
    let mut start = 0;
    for (i, c) in unit.text.char_indices() {
        if c == ' ' && i > start {
            tokens.push(start..i);
            start = i;
        }
    }
    tokens.push(start..unit.text.len());
    let n = tokens.len();
    let weights = (0..n)
        .map(|t| (0..n).map(|s| if s == t { 1.0 } else { 0.0 }).collect())
        .collect();
    let alignment = Alignment {
        source_tokens: tokens.clone(),
        target_tokens: tokens,
        weights,
    };
    let got = project_spans(&unit.text, &unit.spans, &unit.text, &alignment);
    let expected: Vec<_> = unit.spans.iter().map(|s| Some(s.range.clone())).collect();
    assert_eq!(got, expected);
}
