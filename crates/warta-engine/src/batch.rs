//! Batched, multi-core inference for one model.
//!
//! Sentences are sorted by token length and cut into mini-batches so that
//! padding wastes little work (marian's `maxi-batch-sort: src`), then worker
//! threads take batches from a shared counter until none are left. The engine
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
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&u| std::cmp::Reverse(units[u].2));

    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut tokens = 0;
    for &u in &order {
        let len = units[u].2;
        if !current.is_empty()
            && (current.len() == MAX_BATCH_SENTENCES || tokens + len > MAX_BATCH_TOKENS)
        {
            batches.push(std::mem::take(&mut current));
            tokens = 0;
        }
        current.push(u);
        tokens += len;
    }
    if !current.is_empty() {
        batches.push(current);
    }

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
