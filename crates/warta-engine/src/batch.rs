//! Batched, multi-core inference for one model.
//!
//! Sentences are sorted by token length and cut into mini-batches so that
//! padding wastes little work (marian's `maxi-batch-sort: src`), then worker
//! threads take batches from a shared counter until none are left. A
//! mini-batch also ends where the next sentence is more than
//! [`MAX_PADDING`] shorter than the batch's longest: the encoder and every
//! decoder step's cross-attention run over the padded length, so in a
//! call of a few hundred sentences (one worker's lease) or a few dozen (one
//! article), full batches of mixed lengths cost 6–25 % more CPU than the
//! same sentences in homogeneous ones, and one article's sentences in a
//! single batch keep one core busy while the other waits (BENCHMARKS.md,
//! "Backlog throughput at the target"). The engine
//! is `Sync` (fxtranslate's `threads` feature asserts it): all workers read one
//! copy of the weights and keep only their own activation scratch. Taking
//! batches dynamically, rather than handing each thread a fixed half, keeps
//! both cores busy to the end even when sentence lengths are uneven.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use fxtranslate::engine::Engine;
use fxtranslate::segment::MAX_SOURCE_TOKENS;
use icu_segmenter::GraphemeClusterSegmenter;

use crate::crew::Runner;
use crate::Progress;

/// Upper bound of sentences per mini-batch (the models' `mini-batch: 64`).
const MAX_BATCH_SENTENCES: usize = 32;
/// Upper bound of source tokens per mini-batch, so long sentences come in
/// smaller batches and activation memory stays bounded.
const MAX_BATCH_TOKENS: usize = 1024;
/// Largest share of a mini-batch's longest length by which a sentence in it
/// may be shorter (its padding). 0.05 and 0.1 measured the same; 0.1 makes
/// fewer one-sentence batches of short sentences.
const MAX_PADDING: f64 = 0.1;

/// Translate `sentences` (each one sentence, already split) with `engine`.
pub(crate) fn translate(
    engine: &Engine,
    sentences: &[&str],
    runner: &Runner,
    progress: Option<Progress>,
) -> Vec<String> {
    // A sentence longer than the model's window is cut into pieces that fit
    // (slices of it); their translations are joined with a space.
    let mut units: Vec<(usize, &str, usize)> = Vec::with_capacity(sentences.len());
    for (i, s) in sentences.iter().enumerate() {
        for (piece, len) in fit_window(engine, s) {
            units.push((i, &s[piece], len));
        }
    }
    let lengths: Vec<usize> = units.iter().map(|u| u.2).collect();
    let batches = cut_batches(&lengths);

    let results: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; units.len()]);
    runner.for_each(batches.len(), |b| {
        let batch = &batches[b];
        let texts: Vec<&str> = batch.iter().map(|&u| units[u].1).collect();
        let out = engine.translate_batch(&texts);
        let mut res = results.lock().expect("results lock");
        for (&u, t) in batch.iter().zip(out) {
            res[u] = Some(t);
        }
        drop(res);
        if let Some(p) = progress {
            p(batch.len());
        }
    });
    let results = results.into_inner().expect("results lock");
    let mut out = vec![String::new(); sentences.len()];
    for ((i, _, _), t) in units.iter().zip(results) {
        push_piece(&mut out[*i], &t.expect("every unit translated"));
    }
    out
}

/// Append the translation of a sentence's next window piece (see
/// [`fit_window`]) to the translation so far, a space between two non-empty
/// ones; returns where `piece` starts in `out`. The one joiner of both the
/// batch and the aligned path, so their texts stay equal.
pub(crate) fn push_piece(out: &mut String, piece: &str) -> usize {
    if !out.is_empty() && !piece.is_empty() {
        out.push(' ');
    }
    let at = out.len();
    out.push_str(piece);
    at
}

/// Mini-batches of the units with these token lengths: indices, longest
/// first, each batch at most [`MAX_BATCH_SENTENCES`] units and
/// [`MAX_BATCH_TOKENS`] tokens (a unit longer than that alone), none
/// padding a unit by more than [`MAX_PADDING`] of the batch's longest.
/// Batches come longest first, so the longest work starts first and the
/// call's tail is a short batch.
pub(crate) fn cut_batches(lengths: &[usize]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    // Stable: equal lengths keep their input order.
    order.sort_by_key(|&u| std::cmp::Reverse(lengths[u]));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let (mut tokens, mut longest) = (0usize, 0usize);
    for u in order {
        let len = lengths[u];
        // Sorted longest first: a batch's first unit is its longest.
        let padding = longest.saturating_sub(len);
        if !current.is_empty()
            && (current.len() == MAX_BATCH_SENTENCES
                || tokens + len > MAX_BATCH_TOKENS
                || padding as f64 > MAX_PADDING * longest as f64)
        {
            batches.push(std::mem::take(&mut current));
            tokens = 0;
        }
        if current.is_empty() {
            longest = len;
        }
        current.push(u);
        tokens += len;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Run `job(i)` for every `i < n` on up to `threads` scoped threads that
/// take the next index from a shared counter (dynamic balancing: uneven
/// items never leave a core idle while another still has a queue).
pub(crate) fn for_each_parallel(n: usize, threads: usize, job: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        job(i);
    };
    let workers = threads.clamp(1, n.max(1));
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(work);
            }
        });
    }
}

/// Cut `sentence` into pieces whose tokenisation fits the model's window
/// (127 tokens + EOS), each with its length in tokens (the batch sort key, so
/// no piece is tokenised twice here). Almost every sentence is one piece:
/// the whole of it.
///
/// Pieces are byte ranges of `sentence`, in order, never rebuilt text: the
/// batch path and the aligned path translate exactly the same slices, and
/// the aligned path's offsets stay offsets of `sentence` whatever its
/// whitespace (runs of spaces, no-break or ideographic spaces, tabs). A
/// sentence too long for the window is halved at whitespace (by word count)
/// until each half fits; the whitespace between two halves belongs to
/// neither. A run without whitespace too long alone (a script written
/// without spaces, a pasted blob) is halved between grapheme clusters, and a
/// grapheme cluster too long alone (a letter under hundreds of combining
/// marks) between chars — marian's `max-length-break` likewise hard-wraps
/// a sentence wherever the window ends.
pub(crate) fn fit_window(engine: &Engine, sentence: &str) -> Vec<(Range<usize>, usize)> {
    let mut out = Vec::new();
    fit(engine, sentence, 0..sentence.len(), &mut out);
    out
}

fn fit(engine: &Engine, sentence: &str, r: Range<usize>, out: &mut Vec<(Range<usize>, usize)>) {
    let len = engine.src_ids(&sentence[r.clone()]).len();
    if len <= MAX_SOURCE_TOKENS + 1 {
        out.push((r, len));
        return;
    }
    match halve(&sentence[r.clone()]) {
        Some((a, b)) => {
            fit(engine, sentence, r.start + a.start..r.start + a.end, out);
            fit(engine, sentence, r.start + b.start..r.start + b.end, out);
        }
        // One char: nothing to cut at; the engine's length cap bounds the
        // work (unreachable for real vocabularies: a char is at most a few
        // byte-fallback tokens).
        None => out.push((r, len)),
    }
}

/// Two non-empty, ordered, disjoint byte ranges of `text` that together hold
/// all of its non-whitespace: halves by word count when there are two words
/// or more, else halves of its one word (or of `text`, if all of it is
/// whitespace to Rust but not to the model) by grapheme clusters, else by
/// chars. `None` for a single char.
pub(crate) fn halve(text: &str) -> Option<(Range<usize>, Range<usize>)> {
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    if words.len() >= 2 {
        let mid = words.len() / 2;
        return Some((
            words[0].start..words[mid - 1].end,
            words[mid].start..words[words.len() - 1].end,
        ));
    }
    let word = words.pop().unwrap_or(0..text.len());
    let w = &text[word.clone()];
    let graphemes: Vec<usize> = GraphemeClusterSegmenter::new().segment_str(w).collect();
    // Boundaries include 0 and the end: two clusters or more have an inner one.
    let cut = if graphemes.len() > 2 {
        graphemes[graphemes.len() / 2]
    } else {
        let chars: Vec<usize> = w.char_indices().map(|(i, _)| i).collect();
        if chars.len() < 2 {
            return None;
        }
        chars[chars.len() / 2]
    };
    Some((word.start..word.start + cut, word.start + cut..word.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected batches worked out by hand from the three limits.
    #[test]
    fn a_batch_ends_where_padding_would_pass_a_tenth_of_its_longest() {
        // 40 → 36 pads by 4 = 10 %: kept; 35 pads by 5 > 4: a new batch,
        // whose longest is 35 (3.5 allowed): 32 pads by 3, kept; 31 by 4.
        let lengths = [36, 40, 31, 35, 32];
        assert_eq!(cut_batches(&lengths), vec![vec![1, 0], vec![3, 4], vec![2]]);
    }

    #[test]
    fn equal_lengths_fill_batches_up_to_the_sentence_and_token_limits() {
        let same = vec![10; 70];
        let sizes: Vec<usize> = cut_batches(&same).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![32, 32, 6]);
        // 100-token units: ten fit the 1024-token budget, the eleventh not.
        let long = vec![100; 25];
        let sizes: Vec<usize> = cut_batches(&long).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![10, 10, 5]);
    }

    #[test]
    fn every_unit_is_in_exactly_one_batch_longest_first() {
        let lengths: Vec<usize> = (0..300).map(|i| (i * 37) % 128 + 1).collect();
        let batches = cut_batches(&lengths);
        let mut seen: Vec<usize> = batches.iter().flatten().copied().collect();
        let order: Vec<usize> = seen.iter().map(|&u| lengths[u]).collect();
        assert!(order.windows(2).all(|w| w[0] >= w[1]), "longest first");
        seen.sort();
        assert_eq!(seen, (0..300).collect::<Vec<_>>());
        for b in &batches {
            let longest = lengths[b[0]];
            assert!(b.len() <= MAX_BATCH_SENTENCES);
            assert!(
                b.len() == 1 || b.iter().map(|&u| lengths[u]).sum::<usize>() <= MAX_BATCH_TOKENS
            );
            assert!(b
                .iter()
                .all(|&u| (longest - lengths[u]) as f64 <= MAX_PADDING * longest as f64));
        }
    }

    /// Expected halves worked out by hand: byte offsets of the words,
    /// grapheme clusters and chars of each text.
    #[test]
    fn halves_are_slices_cut_at_whitespace_then_graphemes_then_chars() {
        // Words "a", "b", "c" at 0, 5, 7 (U+00A0 is 2 bytes, and whitespace):
        // the first half is "a", the second "b c"; the NBSP run belongs to neither.
        assert_eq!(halve("a\u{a0}\u{a0}b c"), Some((0..1, 5..8)));
        assert_eq!(halve("  one two three four  "), Some((2..9, 10..20)));
        // No whitespace: three clusters of 3 bytes, cut before the second
        // (boundaries 0, 3, 6, 9; the middle one of the four).
        assert_eq!(halve("東京都"), Some((0..6, 6..9)));
        // "é́" (e + two combining acutes, 5 bytes) stays whole before "x".
        assert_eq!(halve("e\u{301}\u{301}x"), Some((0..5, 5..6)));
        // One cluster: cut between its chars (0, 1, 3: the middle one).
        assert_eq!(halve("e\u{301}\u{301}"), Some((0..1, 1..5)));
        // A ZWJ emoji sequence is one cluster of 3 chars (4 + 3 + 4 bytes).
        assert_eq!(halve("👨\u{200d}👩"), Some((0..4, 4..11)));
        // U+0085 is whitespace to Rust but a char to the model: no words.
        assert_eq!(halve("\u{85}\u{85}"), Some((0..2, 2..4)));
        assert_eq!(halve("x"), None);
        assert_eq!(halve(""), None);
    }

    #[test]
    fn pieces_are_joined_with_one_space_and_empty_ones_add_nothing() {
        let mut out = String::new();
        assert_eq!(push_piece(&mut out, "Um"), 0);
        assert_eq!(push_piece(&mut out, ""), 2);
        assert_eq!(push_piece(&mut out, "dois"), 3);
        assert_eq!(out, "Um dois");
    }

    #[test]
    fn no_units_no_batches() {
        assert!(cut_batches(&[]).is_empty());
    }
}
