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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use fxtranslate::engine::Engine;
use fxtranslate::segment::MAX_SOURCE_TOKENS;

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
    // A sentence longer than the model's window is cut at word boundaries into
    // pieces that fit; their translations are joined with a space.
    let mut units: Vec<(usize, String, usize)> = Vec::with_capacity(sentences.len());
    for (i, s) in sentences.iter().enumerate() {
        for (piece, len) in fit_window(engine, s) {
            units.push((i, piece, len));
        }
    }
    let lengths: Vec<usize> = units.iter().map(|u| u.2).collect();
    let batches = cut_batches(&lengths);

    let results: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; units.len()]);
    runner.for_each(batches.len(), |b| {
        let batch = &batches[b];
        let texts: Vec<&str> = batch.iter().map(|&u| units[u].1.as_str()).collect();
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
        let t = t.expect("every unit translated");
        if !out[*i].is_empty() && !t.is_empty() {
            out[*i].push(' ');
        }
        out[*i].push_str(&t);
    }
    out
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

/// Cut `sentence` at whitespace into pieces whose tokenisation fits the
/// model's window (127 tokens + EOS), each with its length in tokens (the
/// batch sort key, so no piece is tokenised twice here). Almost every
/// sentence is one piece.
pub(crate) fn fit_window(engine: &Engine, sentence: &str) -> Vec<(String, usize)> {
    let len = engine.src_ids(sentence).len();
    if len <= MAX_SOURCE_TOKENS + 1 {
        return vec![(sentence.to_string(), len)];
    }
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() < 2 {
        // One enormous "word" (a URL, a hash): nothing sensible to cut at;
        // the engine's length cap bounds the work.
        return vec![(sentence.to_string(), len)];
    }
    let mid = words.len() / 2;
    let mut out = fit_window(engine, &words[..mid].join(" "));
    out.extend(fit_window(engine, &words[mid..].join(" ")));
    out
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

    #[test]
    fn no_units_no_batches() {
        assert!(cut_batches(&[]).is_empty());
    }
}
