//! Sentence segmentation over arbitrary and nasty Unicode (warta-core's
//! `text_strategy`): `pieces` covers every byte of its input exactly once
//! (its documented contract), so joining the pieces gives the text back, and
//! every sentence is a slice of the input. No model needed.

use proptest::prelude::*;
use warta_core::text_strategy::{any_lang, nasty_text};
use warta_engine::{keep_gap, pieces, split_sentences, Piece};

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn pieces_cover_the_text_exactly_once(text in nasty_text(), lang in any_lang()) {
        let ps = pieces(&text);
        let joined: String = ps.iter().map(|p| match p { Piece::Sentence(s) | Piece::Gap(s) => *s }).collect();
        prop_assert_eq!(&joined, &text);
        for (i, p) in ps.iter().enumerate() {
            if let Piece::Gap(g) = p {
                let _ = keep_gap(g, lang, i > 0 && i + 1 < ps.len());
            }
        }
        let base = text.as_ptr() as usize;
        for s in split_sentences(&text) {
            let at = s.as_ptr() as usize - base;
            prop_assert!(at + s.len() <= text.len() && text.is_char_boundary(at) && &text[at..at + s.len()] == s);
        }
    }
}
