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
//!
//! Total on any text: a sentence is cut to the model's window exactly as
//! the batch path cuts it (slices of the sentence), normalised spans go back
//! to the caller's text through [`NormalMap`], UTF-16 offsets past a string
//! clamp to its end and weight rows are cut or padded to the source tokens,
//! so every range returned lies on char boundaries of the string it indexes
//! (tests/long_sentences.rs, the `engine_paths` fuzz target).

use std::ops::Range;

use warta_core::Alignment;

use crate::batch;
use crate::normal::NormalMap;
use crate::pool::LoadedModel;
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
    let mut target = String::new();
    let mut pivot: Option<String> = None;
    let mut al = Alignment::default();
    let mut src_off = 0;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            // Gaps kept exactly as `sentences::reassemble` keeps them.
            Piece::Gap(g) => {
                if sentences::keep_gap(g, tr.trg, i > 0 && i + 1 < pieces.len()) {
                    target.push_str(g);
                }
                src_off += g.len();
            }
            Piece::Sentence(s) => {
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
                src_off += s.len();
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
    let mut acc: Option<AlignedText> = None;
    for leg_model in &tr.legs {
        leg_model
            .sentences
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        acc = Some(match acc {
            None => leg(leg_model, s),
            Some(prev) => {
                let next = leg(leg_model, &prev.target);
                AlignedText {
                    alignment: compose(&prev.alignment, &next.alignment),
                    pivot: Some(prev.target),
                    target: next.target,
                }
            }
        });
    }
    acc.unwrap_or_else(|| AlignedText {
        target: String::new(),
        alignment: Alignment::default(),
        pivot: None,
    })
}

/// One sentence through one model, cut to the model's window exactly as
/// the batch path cuts it ([`batch::fit_window`]: slices of `s`), and the
/// pieces' translations joined as the batch path joins them, so the target
/// text is the same.
fn leg(model: &LoadedModel, s: &str) -> AlignedText {
    let mut out = AlignedText {
        target: String::new(),
        alignment: Alignment::default(),
        pivot: None,
    };
    for (range, _) in batch::fit_window(&model.engine, s) {
        let one = leg_window(model, &s[range.clone()]);
        let trg_off = batch::push_piece(&mut out.target, &one.target);
        append_alignment(&mut out.alignment, &one.alignment, range.start, trg_off);
    }
    out
}

/// One piece that fits the window through one model: fxtranslate's token
/// spans (UTF-16 offsets over the normalised source and over the target)
/// turned into byte ranges of `s` and of the target text.
fn leg_window(model: &LoadedModel, s: &str) -> AlignedText {
    let a = model.engine.translate_aligned(s);
    let norm = &a.source_normalized;
    let src_norm_bytes = utf16_to_byte_map(norm);
    let to_raw = NormalMap::new(&model.src_vocab, s, norm);
    let trg_bytes = utf16_to_byte_map(&a.target_text);
    // Drop the EOS tokens (zero-width, last on both sides): they carry no text.
    let n_src = match a.source_tokens.last() {
        Some(t) if t.begin == t.end => a.source_tokens.len() - 1,
        _ => a.source_tokens.len(),
    };
    let n_trg = match a.target_tokens.last() {
        Some(t) if t.begin == t.end => a.target_tokens.len() - 1,
        _ => a.target_tokens.len(),
    }
    .min(a.alignments.len());
    // A SentencePiece token starting a word carries the space before it
    // (`▁`); the ranges here cover the token's visible characters only.
    let source_tokens = a.source_tokens[..n_src]
        .iter()
        .map(|t| {
            let (b, e) = (at(&src_norm_bytes, t.begin), at(&src_norm_bytes, t.end));
            let b = match norm.get(b..e) {
                Some(tok) if !tok.trim_start_matches('\u{2581}').is_empty() => {
                    e - tok.trim_start_matches('\u{2581}').len()
                }
                _ => b,
            };
            to_raw.raw_range(b..e)
        })
        .collect();
    let target_tokens = a.target_tokens[..n_trg]
        .iter()
        .map(|t| {
            let (b, e) = (at(&trg_bytes, t.begin), at(&trg_bytes, t.end));
            trim_space(&a.target_text, b..e.max(b))
        })
        .collect();
    // Rows as long as the source tokens, whatever the engine returned.
    let weights = a.alignments[..n_trg]
        .iter()
        .map(|row| {
            row.iter()
                .copied()
                .chain(std::iter::repeat(0.0))
                .take(n_src)
                .collect()
        })
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

/// `map[u]`, or the end of the string for an offset past it.
fn at(map: &[usize], u: usize) -> usize {
    map.get(u).or(map.last()).copied().unwrap_or(0)
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
        // A ragged row is cut or padded to its alignment's source tokens.
        let mut full = vec![0.0; new_src];
        for (slot, &w) in full[old_src..].iter_mut().zip(row) {
            *slot = w;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
