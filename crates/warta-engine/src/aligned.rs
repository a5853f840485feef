//! Translation with word alignments, for carrying inline markup (links,
//! emphasis) from source to target.
//!
//! fxtranslate's `translate_aligned` returns, per sentence, token spans in
//! UTF-16 units over the SentencePiece-*normalised* source and the soft
//! alignment of each target token over the source tokens (marian's
//! `SoftAlignment`). This module turns that into byte ranges over the caller's
//! own strings, stitches sentences into one block-diagonal alignment for the
//! whole text, and composes the two legs of a pivot route
//! (`A[t][s] = Σ_p A₂[t][p] · A₁[p][s]`, matching pivot tokens by their
//! character overlap since the two models tokenise English differently).

use std::ops::Range;

use fxtranslate::engine::Engine;
use warta_core::Alignment;

use crate::sentences::{self, Piece};
use crate::Translator;

/// A translated text with its alignment to the source.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedText {
    pub target: String,
    pub alignment: Alignment,
    /// The first leg's output on a two-leg route (the English pivot).
    pub pivot: Option<String>,
}

pub(crate) fn translate(tr: &Translator, text: &str) -> AlignedText {
    let pieces = sentences::pieces(text);
    let no_space_between = matches!(tr.trg.script(), "Hans" | "Hant" | "Jpan");
    let mut target = String::new();
    let mut pivot: Option<String> = None;
    let mut al = Alignment::default();
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Gap(g) => {
                let between = i > 0 && i + 1 < pieces.len();
                if !(no_space_between && between && g.chars().all(|c| c == ' ' || c == '\u{3000}'))
                {
                    target.push_str(g);
                }
            }
            Piece::Sentence(s) => {
                let src_off = s.as_ptr() as usize - text.as_ptr() as usize;
                let sent = sentence(tr, s);
                append_alignment(&mut al, &sent.alignment, src_off, target.len());
                target.push_str(&sent.target);
                if let Some(p) = sent.pivot {
                    let acc = pivot.get_or_insert_with(String::new);
                    if !acc.is_empty() {
                        acc.push(' ');
                    }
                    acc.push_str(&p);
                }
            }
        }
    }
    AlignedText {
        target,
        alignment: al,
        pivot,
    }
}

/// One sentence through every leg of the route.
fn sentence(tr: &Translator, s: &str) -> AlignedText {
    let mut legs = tr.legs.iter();
    let first = legs.next().expect("a route has a leg");
    first
        .sentences
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut acc = leg(&first.engine, s);
    for next in legs {
        next.sentences
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let second = leg(&next.engine, &acc.target);
        acc = AlignedText {
            alignment: compose(&acc.alignment, &second.alignment),
            pivot: Some(acc.target),
            target: second.target,
        };
    }
    acc
}

/// One sentence through one model, cut to the model's window like the batch
/// path so the target text is the same.
fn leg(engine: &Engine, s: &str) -> AlignedText {
    let mut out = AlignedText {
        target: String::new(),
        alignment: Alignment::default(),
        pivot: None,
    };
    let mut cursor = 0;
    for (piece, _) in crate::batch::fit_window(engine, s) {
        // Where this piece starts in `s` (pieces are `s`'s words in order).
        let first_word = piece.split_whitespace().next().unwrap_or("");
        let off = s[cursor..]
            .find(first_word)
            .map(|o| cursor + o)
            .unwrap_or(cursor);
        cursor = off + piece.len().min(s.len() - off);
        let one = leg_window(engine, &piece);
        if !out.target.is_empty() && !one.target.is_empty() {
            out.target.push(' ');
        }
        let trg_off = out.target.len();
        append_alignment(&mut out.alignment, &one.alignment, off, trg_off);
        out.target.push_str(&one.target);
    }
    out
}

fn leg_window(engine: &Engine, s: &str) -> AlignedText {
    let a = engine.translate_aligned(s);
    let src_norm_bytes = utf16_to_byte_map(&a.source_normalized);
    let norm_to_raw = normalized_to_raw(s, &a.source_normalized);
    let trg_bytes = utf16_to_byte_map(&a.target_text);
    // Drop the EOS tokens (zero-width, last on both sides): they carry no text.
    let n_src = a.source_tokens.len().saturating_sub(1);
    let n_trg = match a.target_tokens.last() {
        Some(t) if t.begin == t.end => a.target_tokens.len() - 1,
        _ => a.target_tokens.len(),
    };
    // A SentencePiece token starting a word carries the space before it;
    // the ranges here cover the token's visible characters only.
    let source_tokens = a.source_tokens[..n_src]
        .iter()
        .map(|t| {
            trim_space(
                s,
                norm_to_raw[src_norm_bytes[t.begin]]..norm_to_raw[src_norm_bytes[t.end]],
            )
        })
        .collect();
    let target_tokens = a.target_tokens[..n_trg]
        .iter()
        .map(|t| trim_space(&a.target_text, trg_bytes[t.begin]..trg_bytes[t.end]))
        .collect();
    let weights = a.alignments[..n_trg]
        .iter()
        .map(|row| row[..n_src].to_vec())
        .collect();
    AlignedText {
        target: a.target_text,
        alignment: Alignment {
            source_tokens,
            target_tokens,
            weights,
        },
        pivot: None,
    }
}

fn trim_space(text: &str, r: Range<usize>) -> Range<usize> {
    let Some(slice) = text.get(r.clone()) else {
        return r;
    };
    let lead = slice.len() - slice.trim_start().len();
    if lead == slice.len() {
        return r;
    }
    r.start + lead..r.end
}

/// Append `part` (offsets relative to its own sentence) to `acc`, shifting
/// ranges and keeping the matrix block-diagonal.
pub fn append_alignment(acc: &mut Alignment, part: &Alignment, src_off: usize, trg_off: usize) {
    let old_src = acc.source_tokens.len();
    let new_src = old_src + part.source_tokens.len();
    for row in &mut acc.weights {
        row.resize(new_src, 0.0);
    }
    acc.source_tokens
        .extend(part.source_tokens.iter().map(|r| shift(r, src_off)));
    acc.target_tokens
        .extend(part.target_tokens.iter().map(|r| shift(r, trg_off)));
    for row in &part.weights {
        let mut full = vec![0.0; new_src];
        full[old_src..].copy_from_slice(row);
        acc.weights.push(full);
    }
}

fn shift(r: &Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

/// Compose `first` (source → pivot) and `second` (pivot → target).
fn compose(first: &Alignment, second: &Alignment) -> Alignment {
    let n_src = first.source_tokens.len();
    // For each pivot token as the second model saw it, the first model's
    // target tokens that overlap it in the pivot text.
    let overlaps: Vec<Vec<usize>> = second
        .source_tokens
        .iter()
        .map(|p| {
            first
                .target_tokens
                .iter()
                .enumerate()
                .filter(|(_, q)| {
                    q.start < p.end.max(p.start + 1) && p.start < q.end.max(q.start + 1)
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let weights = second
        .weights
        .iter()
        .map(|row| {
            let mut out = vec![0.0f32; n_src];
            for (p, &w) in row.iter().enumerate() {
                let qs = &overlaps[p];
                if w == 0.0 || qs.is_empty() {
                    continue;
                }
                for &q in qs {
                    for (s, o) in out.iter_mut().enumerate() {
                        *o += w * first.weights[q][s] / qs.len() as f32;
                    }
                }
            }
            out
        })
        .collect();
    Alignment {
        source_tokens: first.source_tokens.clone(),
        target_tokens: second.target_tokens.clone(),
        weights,
    }
}

/// `map[u]` = byte offset of UTF-16 offset `u` in `s` (for every `u` up to the
/// string's UTF-16 length).
fn utf16_to_byte_map(s: &str) -> Vec<usize> {
    let mut map = Vec::with_capacity(s.len() + 1);
    for (b, c) in s.char_indices() {
        for _ in 0..c.len_utf16() {
            map.push(b);
        }
    }
    map.push(s.len());
    map
}

/// `map[b]` = byte offset in `raw` of byte offset `b` in `norm`, where `norm`
/// is SentencePiece's normalisation of `raw`: a `▁` (U+2581) dummy prefix,
/// every run of whitespace collapsed into one `▁`, NFKC-style rewrites of
/// single characters. Walks both strings: a `▁` consumes the raw whitespace
/// it stands for (or nothing, as the prefix), other characters skip stray raw
/// whitespace and consume one raw character.
fn normalized_to_raw(raw: &str, norm: &str) -> Vec<usize> {
    const SPACE: char = '\u{2581}';
    let mut map = vec![raw.len(); norm.len() + 1];
    let raw_chars: Vec<(usize, char)> = raw.char_indices().collect();
    let at = |r: usize| raw_chars.get(r).map(|x| x.0).unwrap_or(raw.len());
    let mut r = 0;
    for (b, c) in norm.char_indices() {
        let here;
        if c == SPACE || c.is_whitespace() {
            here = at(r);
            while r < raw_chars.len() && raw_chars[r].1.is_whitespace() {
                r += 1;
            }
        } else {
            while r < raw_chars.len() && raw_chars[r].1.is_whitespace() {
                r += 1;
            }
            here = at(r);
            r += 1;
        }
        for slot in map.iter_mut().skip(b).take(c.len_utf8()) {
            *slot = here;
        }
    }
    map[norm.len()] = at(r).max(map.get(norm.len().wrapping_sub(1)).copied().unwrap_or(0));
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_map_follows_sentencepiece_spaces() {
        // SentencePiece's normal form of "a  b" is "▁a▁b" (dummy prefix, runs
        // of spaces collapsed into one U+2581, 3 bytes each).
        let m = normalized_to_raw("a  b", "\u{2581}a\u{2581}b");
        assert_eq!(m[0], 0, "prefix sits before 'a'");
        assert_eq!(m[3], 0, "'a' is at raw byte 0");
        assert_eq!(m[4], 1, "the separator starts at raw byte 1");
        assert_eq!(m[7], 3, "'b' is at raw byte 3");
        assert_eq!(m[8], 4, "end maps to end");
    }

    #[test]
    fn utf16_offsets_map_to_bytes() {
        // "é" is 1 UTF-16 unit and 2 bytes; "𝄞" is 2 units and 4 bytes.
        let m = utf16_to_byte_map("é𝄞x");
        assert_eq!(m[1], 2);
        assert_eq!(m[3], 6);
        assert_eq!(m[4], 7);
    }

    #[test]
    fn pivot_composition_follows_the_chain() {
        // Hand-made: source tokens s0,s1; pivot "P Q" tokens p0,p1; target t0,t1.
        // t0 looks at p1, p1 looks at s0 → t0 should look at s0.
        let first = Alignment {
            source_tokens: vec![0..1, 2..3],
            target_tokens: vec![0..1, 2..3],
            weights: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
        };
        let second = Alignment {
            source_tokens: vec![0..1, 2..3],
            target_tokens: vec![0..2, 3..5],
            weights: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
        };
        let c = compose(&first, &second);
        assert_eq!(c.weights, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert_eq!(c.target_tokens, second.target_tokens);
    }
}
