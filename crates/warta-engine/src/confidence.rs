//! Model confidence: the mean log-probability the decoder gives each token
//! of a translation (teacher-forced), the usual segment-level quality
//! estimate of NMT (e.g. Fomicheva et al. 2020, "Unsupervised Quality
//! Estimation for Neural Machine Translation": sentence-level mean token
//! log-probability). Low values mark sentences the model was unsure of.
//!
//! fxtranslate exposes the pieces — `encode`, `decode_step`, `project` — so
//! the score is computed by re-running the decoder over the given target
//! tokens with the full-vocabulary softmax (not the shortlist, which would
//! inflate probabilities). Costs about one more decoding pass; sentences are
//! spread over the worker threads.

use std::sync::Mutex;

use crate::pool::LoadedModel;

/// Decoder layers are at most this many in Firefox Translations models (6
/// encoder / 2–6 decoder); `decode_step` indexes `cells[1..=dec_depth]`.
const MAX_DECODER_LAYERS: usize = 16;

/// Mean log P(target token | source, previous tokens), EOS included.
pub(crate) fn score(model: &LoadedModel, source: &str, target: &str) -> f32 {
    let engine = &model.engine;
    let src_ids = engine.src_ids(source);
    let seq = src_ids.len();
    let context = engine.encode(&src_ids);
    if seq == 0 || context.is_empty() {
        return f32::NAN;
    }
    let dim = context.len() / seq;
    let mut ids = model.trg_vocab.encode(target);
    let eos = model.trg_vocab.eos_id();
    ids.push(eos);
    let mut cells = vec![vec![0.0f32; dim]; MAX_DECODER_LAYERS + 1];
    let mut prev = eos;
    let mut total = 0.0f64;
    for (pos, &tok) in ids.iter().enumerate() {
        let top = engine.decode_step(prev, pos, &context, seq, &mut cells);
        let logits = engine.project(&top);
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let lse = max as f64
            + logits
                .iter()
                .map(|&l| ((l - max) as f64).exp())
                .sum::<f64>()
                .ln();
        total += logits
            .get(tok as usize)
            .map(|&l| l as f64 - lse)
            .unwrap_or(f64::NEG_INFINITY);
        prev = tok;
    }
    (total / ids.len() as f64) as f32
}

/// Score many (source, target) pairs with one model on `runner`'s threads,
/// as background work: on a shared crew, scoring yields to every
/// translation (it is done after publication; an article waiting behind
/// another's scoring would be published later for nothing).
pub(crate) fn score_many(
    model: &LoadedModel,
    items: &[(&str, &str)],
    runner: &crate::crew::Runner,
) -> Vec<f32> {
    let out = Mutex::new(vec![f32::NAN; items.len()]);
    runner.for_each_background(items.len(), |i| {
        let (s, t) = items[i];
        let v = score(model, s, t);
        out.lock().expect("scores lock")[i] = v;
    });
    out.into_inner().expect("scores lock")
}
