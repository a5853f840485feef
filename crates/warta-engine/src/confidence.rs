//! Model confidence: the mean log-probability the decoder gives each token
//! of a translation (teacher-forced), the usual segment-level quality
//! estimate of NMT (e.g. Fomicheva et al. 2020, "Unsupervised Quality
//! Estimation for Neural Machine Translation": sentence-level mean token
//! log-probability). Low values mark sentences the model was unsure of.
//!
//! The scores come from the all-positions scorer ([`crate::forced`]): pairs
//! are tokenised, their distinct sources sorted by length into mini-batches
//! as translation does ([`crate::batch::cut_batches`]), and the batches
//! spread over the runner's threads.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::crew::Runner;
use crate::forced::{self, ForcedScore};
use crate::pool::LoadedModel;
use crate::Result;

/// Whether a scoring call may wait for translations (see [`crate::Crew`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Priority {
    /// Runs like a translation: on the path to publication.
    Foreground,
    /// Yields to every translation on a shared crew.
    Background,
}

/// Teacher-forced scores of many (source, target) pairs with one model.
pub(crate) fn score_pairs(
    model: &LoadedModel,
    pairs: &[(&str, &str)],
    runner: &Runner,
    priority: Priority,
) -> Result<Vec<ForcedScore>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let decoder = model.forced_decoder()?;
    let eos = model.trg_vocab.eos_id();
    // Each distinct source is encoded once, for all its targets (variants of
    // one headline, a sentence repeated in an article).
    let mut sources: Vec<Vec<u32>> = Vec::new();
    let mut source_of: Vec<usize> = Vec::with_capacity(pairs.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (s, _) in pairs {
        let k = *seen.entry(s).or_insert_with(|| {
            sources.push(model.engine.src_ids(s));
            sources.len() - 1
        });
        source_of.push(k);
    }
    let mut targets_of: Vec<Vec<usize>> = vec![Vec::new(); sources.len()];
    for (i, &k) in source_of.iter().enumerate() {
        targets_of[k].push(i);
    }
    let targets: Vec<Vec<u32>> = pairs
        .iter()
        .map(|(_, t)| {
            let mut ids = model.trg_vocab.encode(t);
            ids.push(eos);
            ids
        })
        .collect();
    // Mini-batches by source length, as translation cuts them.
    let lengths: Vec<usize> = sources.iter().map(Vec::len).collect();
    let batches = crate::batch::cut_batches(&lengths);
    let out: Mutex<Vec<Vec<f32>>> = Mutex::new(vec![Vec::new(); pairs.len()]);
    let job = |b: usize| {
        let batch: &Vec<usize> = &batches[b];
        let src: Vec<Vec<u32>> = batch.iter().map(|&k| sources[k].clone()).collect();
        let mut which = Vec::new();
        let mut trg: Vec<(usize, &[u32])> = Vec::new();
        for (j, &k) in batch.iter().enumerate() {
            for &i in &targets_of[k] {
                which.push(i);
                trg.push((j, &targets[i]));
            }
        }
        let scored = decoder.score_batch(&model.engine, &src, &trg);
        let mut out = out.lock().expect("scores lock");
        for (i, lp) in which.into_iter().zip(scored) {
            out[i] = lp;
        }
    };
    match priority {
        Priority::Foreground => runner.for_each(batches.len(), job),
        Priority::Background => runner.for_each_background(batches.len(), job),
    }
    Ok(forced::scores(out.into_inner().expect("scores lock")))
}

/// Mean token log-probability of each pair, as background work: on a
/// shared crew, scoring yields to every translation. NaN where the pair
/// could not be scored (the scorer's copy of the model failed to load).
pub(crate) fn score_many(model: &LoadedModel, items: &[(&str, &str)], runner: &Runner) -> Vec<f32> {
    match score_pairs(model, items, runner, Priority::Background) {
        Ok(scores) => scores.into_iter().map(|s| s.mean).collect(),
        Err(e) => {
            tracing::warn!(pair = %model.pair, error = %e, "confidence not scored");
            vec![f32::NAN; items.len()]
        }
    }
}
