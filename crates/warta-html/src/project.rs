//! Moving inline-span ranges from a source text to its translation.
//!
//! This is Bergamot's tag transfer (`browsermt/bergamot-translator`,
//! `src/translator/html.cpp`, `HTML::hardAlignments` and `copyTaint`): every
//! target token is hard-aligned to the source token it attends to most, and
//! inherits that token's markup. Bergamot then lets all pieces of one word
//! share markup (`isContinuation`); here the same effect comes from widening
//! a span's target range to whole words. Unlike Bergamot, which re-emits tags
//! per token, a span gets one contiguous range (min..max of its tokens): an
//! element is never split in two.

use crate::fragment::InlineSpan;
use std::ops::Range;
use warta_core::Alignment;

/// Projects each span of `src_text` onto `tgt_text` using `alignment`, whose
/// token offsets are byte ranges into exactly these two strings (the unit
/// text as sent to the engine, and the translation as returned).
///
/// A span with text covers the target tokens whose hard-aligned source token
/// overlaps the span's text (not just its surrounding whitespace); its range
/// is the first to last such token, widened to whole words and trimmed of
/// edge whitespace and of edge punctuation the source span did not have.
/// A zero-width span (`br`, an image) goes right after the target token
/// aligned to the source token before it (or, at the very start, right before
/// the target token aligned to the source token after it). `None` where no
/// target token aligns. Malformed alignments (out-of-range or
/// non-boundary offsets, ragged rows, NaN weights) are tolerated: the bad
/// parts simply align nothing.
pub fn project_spans(
    src_text: &str,
    spans: &[InlineSpan],
    tgt_text: &str,
    alignment: &Alignment,
) -> Vec<Option<Range<usize>>> {
    let src_tokens = &alignment.source_tokens;
    let tgt_tokens: Vec<Option<Range<usize>>> = alignment
        .target_tokens
        .iter()
        .map(|r| tgt_text.get(r.clone()).map(|_| r.clone()))
        .collect();
    // hard[t] = the source token target token t attends to most.
    let hard: Vec<Option<usize>> = (0..tgt_tokens.len())
        .map(|t| {
            let row = alignment.weights.get(t)?;
            let mut best: Option<(usize, f32)> = None;
            for (s, &w) in row.iter().enumerate().take(src_tokens.len()) {
                // Strictly greater: ties go to the earlier source token, as
                // in Bergamot. NaN never compares greater.
                if w > 0.0 && best.is_none_or(|(_, b)| w > b) {
                    best = Some((s, w));
                }
            }
            best.map(|(s, _)| s)
        })
        .collect();
    // aligned[s] = the target tokens hard-aligned to source token s.
    let mut aligned: Vec<Vec<Range<usize>>> = vec![Vec::new(); src_tokens.len()];
    for (t, s) in hard.iter().enumerate() {
        if let (Some(s), Some(r)) = (s, &tgt_tokens[t]) {
            aligned[*s].push(r.clone());
        }
    }

    spans
        .iter()
        .map(|span| {
            let src_piece = src_text.get(span.range.clone()).unwrap_or("");
            if src_piece.trim().is_empty() {
                return project_point(src_tokens, span.range.start, &aligned, tgt_text);
            }
            let mut lo = usize::MAX;
            let mut hi = 0;
            for (s, tok) in src_tokens.iter().enumerate() {
                if !overlaps_text(src_text, tok, &span.range) {
                    continue;
                }
                for r in &aligned[s] {
                    lo = lo.min(r.start);
                    hi = hi.max(r.end);
                }
            }
            if lo >= hi {
                return None;
            }
            let r = widen_to_words(tgt_text, lo..hi);
            trim_edges(tgt_text, r, src_piece)
        })
        .collect()
}

/// True when `tok` and `span` share a character that is not whitespace: a
/// SentencePiece token carries its word's leading space, which must not pull
/// the previous word's translation into a span.
fn overlaps_text(text: &str, tok: &Range<usize>, span: &Range<usize>) -> bool {
    let start = tok.start.max(span.start);
    let end = tok.end.min(span.end);
    start < end && text.get(start..end).is_some_and(|s| !s.trim().is_empty())
}

fn project_point(
    src_tokens: &[Range<usize>],
    pos: usize,
    aligned: &[Vec<Range<usize>>],
    tgt_text: &str,
) -> Option<Range<usize>> {
    // The source token ending last at or before the point...
    let before = (0..src_tokens.len())
        .filter(|&s| src_tokens[s].end <= pos && src_tokens[s].start < src_tokens[s].end)
        .max_by_key(|&s| (src_tokens[s].end, s));
    if let Some(end) = before.and_then(|s| aligned[s].iter().map(|r| r.end).max()) {
        let p = widen_to_words(tgt_text, end..end).end;
        return Some(p..p);
    }
    // ...else the first one starting at or after it.
    let after = (0..src_tokens.len())
        .filter(|&s| src_tokens[s].start >= pos)
        .min_by_key(|&s| (src_tokens[s].start, s));
    let start = after.and_then(|s| aligned[s].iter().map(|r| r.start).min())?;
    let p = widen_to_words(tgt_text, start..start).start;
    Some(p..p)
}

/// Characters that end a word for markup purposes. Bergamot's default
/// continuation delimiters are `\n ,.(){}[]`; this adds the rest of common
/// punctuation, including CJK and Arabic.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || (c.is_ascii_punctuation() && !matches!(c, '\'' | '-' | '_'))
        || matches!(
            c,
            '“' | '”'
                | '‘'
                | '«'
                | '»'
                | '„'
                | '…'
                | '–'
                | '—'
                | '、'
                | '。'
                | '，'
                | '．'
                | '：'
                | '；'
                | '！'
                | '？'
                | '（'
                | '）'
                | '「'
                | '」'
                | '『'
                | '』'
                | '【'
                | '】'
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '؟'
                | '،'
                | '؛'
        )
}

/// Scripts written without spaces: every character may be a word, so a span
/// must not grow across them (it would swallow the whole sentence).
fn is_unspaced_script(c: char) -> bool {
    warta_core::script::is_unspaced(c)
}

fn is_word_char(c: char) -> bool {
    !is_delimiter(c) && !is_unspaced_script(c)
}

/// Grows `r` to cover whole words at both ends, so that a span never starts
/// or stops inside a word whose first or last subword aligned elsewhere.
fn widen_to_words(text: &str, r: Range<usize>) -> Range<usize> {
    let (mut start, mut end) = (r.start, r.end);
    while let (Some(prev), Some(cur)) = (
        text[..start].chars().next_back(),
        text[start..].chars().next(),
    ) {
        if !(is_word_char(prev) && is_word_char(cur)) {
            break;
        }
        start -= prev.len_utf8();
    }
    while let (Some(prev), Some(next)) =
        (text[..end].chars().next_back(), text[end..].chars().next())
    {
        if !(is_word_char(prev) && is_word_char(next)) {
            break;
        }
        end += next.len_utf8();
    }
    start..end
}

/// Drops edge whitespace, and edge punctuation unless the source span had
/// punctuation at that edge too (a link on `"quoted"` keeps its quotes; a
/// link on a word does not take the sentence's full stop).
fn trim_edges(text: &str, r: Range<usize>, src_piece: &str) -> Option<Range<usize>> {
    let piece = &text[r.clone()];
    let ws_start = r.start + (piece.len() - piece.trim_start().len());
    let ws_end = r.end - (piece.len() - piece.trim_end().len());
    if ws_start >= ws_end {
        return None;
    }
    let src = src_piece.trim();
    let keep_lead = src.chars().next().is_some_and(|c| !c.is_alphanumeric());
    let keep_trail = src
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_alphanumeric());
    let inner = &text[ws_start..ws_end];
    let lead = if keep_lead {
        0
    } else {
        inner.len()
            - inner
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len()
    };
    let trail = if keep_trail {
        0
    } else {
        inner.len() - inner.trim_end_matches(|c: char| !c.is_alphanumeric()).len()
    };
    if ws_start + lead < ws_end - trail {
        Some(ws_start + lead..ws_end - trail)
    } else {
        // Nothing but punctuation aligned: keep it rather than lose the span.
        Some(ws_start..ws_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_stops_at_spaces_punctuation_and_cjk() {
        // Expected by hand from the word rules above.
        let t = "the mosque. 東京都";
        assert_eq!(&t[widen_to_words(t, 5..7)], "mosque");
        assert_eq!(&t[widen_to_words(t, 12..15)], "東");
        assert_eq!(&t[widen_to_words(t, 0..0)], "");
    }

    #[test]
    fn trimming_keeps_punctuation_the_source_had() {
        // Expected by hand: the source span `"kata"` starts and ends with
        // quotes, the source span `kata` does not.
        let t = "he said \"word\".";
        assert_eq!(
            trim_edges(t, 8..15, "\"kata\"").map(|r| &t[r]),
            Some("\"word\".")
        );
        assert_eq!(trim_edges(t, 8..15, "kata").map(|r| &t[r]), Some("word"));
        assert_eq!(trim_edges(t, 2..3, "kata"), None);
    }
}
