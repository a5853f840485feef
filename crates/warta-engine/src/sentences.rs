//! Sentence splitting for translation: the model translates one sentence at a
//! time, so paragraphs are cut with ICU's Unicode sentence rules (UAX #29, the
//! segmenter fxtranslate and Firefox use) and put back together with the
//! original whitespace between sentences.

use fxtranslate::segment::{IcuSegmenter, Segmenter};
use warta_core::Lang;

/// A sentence to translate, or the text between sentences to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Sentence(&'a str),
    Gap(&'a str),
}

/// `text` as alternating gaps and sentences, covering every byte once.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    for span in IcuSegmenter::new().sentences(text) {
        if span.start > at {
            out.push(Piece::Gap(&text[at..span.start]));
        }
        out.push(Piece::Sentence(span.of(text)));
        at = span.end;
    }
    if at < text.len() {
        out.push(Piece::Gap(&text[at..]));
    }
    out
}

/// The sentences of `text`, trimmed, in order.
pub fn split_sentences(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Sentence(s) => Some(s),
            Piece::Gap(_) => None,
        })
        .collect()
}

/// Whether the whitespace `gap` between two translated sentences is kept in
/// `trg`: Chinese and Japanese do not separate sentences with spaces, so a
/// gap of spaces only *between* sentences is dropped; line breaks and
/// leading/trailing whitespace always stay.
pub fn keep_gap(gap: &str, trg: Lang, between: bool) -> bool {
    let no_space_between = matches!(trg.script(), "Hans" | "Hant" | "Jpan");
    !(no_space_between && between && gap.chars().all(|c| c == ' ' || c == '\u{3000}'))
}

/// Rejoin translated sentences with the source's gaps. Chinese and Japanese do
/// not separate sentences with spaces, so a gap that is only spaces between two
/// sentences is dropped for those targets; line breaks are always kept.
pub(crate) fn reassemble<'a>(
    pieces: &[Piece<'a>],
    translated: impl Fn(&'a str) -> &'a str,
    trg: Lang,
) -> String
where
{
    let no_space_between = matches!(trg.script(), "Hans" | "Hant" | "Jpan");
    let mut out = String::new();
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Sentence(s) => out.push_str(translated(s)),
            Piece::Gap(g) => {
                let between = i > 0 && i + 1 < pieces.len();
                if no_space_between && between && g.chars().all(|c| c == ' ' || c == '\u{3000}') {
                    continue;
                }
                out.push_str(g);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_text_and_split_sentences() {
        // Expected split by UAX #29 sentence rules: a break after ". " before
        // an upper-case letter, none inside "Rp 10.000".
        let t = "  Harga naik menjadi Rp 10.000. Warga protes!\n";
        let p = pieces(t);
        let joined: String = p
            .iter()
            .map(|p| match p {
                Piece::Sentence(s) | Piece::Gap(s) => *s,
            })
            .collect();
        assert_eq!(joined, t);
        assert_eq!(
            split_sentences(t),
            vec!["Harga naik menjadi Rp 10.000.", "Warga protes!"]
        );
    }

    #[test]
    fn cjk_targets_drop_spaces_between_sentences_but_keep_newlines() {
        let t = "One. Two.\nThree.";
        let p = pieces(t);
        let zh = Lang::parse("zh").unwrap();
        let out = reassemble(
            &p,
            |s| match s {
                "One." => "一。",
                "Two." => "二。",
                _ => "三。",
            },
            zh,
        );
        assert_eq!(out, "一。二。\n三。");
        let fr = Lang::parse("fr").unwrap();
        let out = reassemble(&p, |s| s, fr);
        assert_eq!(out, t);
    }
}
