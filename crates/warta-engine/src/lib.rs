//! The translate stage: turning source sentences into target sentences with
//! the fxtranslate engine (Firefox Translations / Bergamot models).
//!
//! - [`ModelPool`] loads each installed pair at most once (memory-mapped, with
//!   its lexical shortlist) and shares it: the `id→en` leg is the same engine
//!   for every target that pivots through English.
//! - [`Translator`] is a route for one language pair — direct, or two legs
//!   through English — and translates *batches*: sentences are segmented (ICU,
//!   UAX #29), de-duplicated, sorted by length into mini-batches and spread over
//!   worker threads that share one read-only copy of the weights. Output is
//!   byte-identical to translating each sentence alone (fxtranslate masks the
//!   padding of batched encoding; `tests/real_model.rs` checks it).
//! - [`Translator::translate_aligned`] returns word alignments for moving
//!   inline markup, composed across the pivot.
//! - [`Translator::score`] scores given translations (teacher forcing, all
//!   positions at once): the model's confidence in its own output, and,
//!   with the reverse model, how well an output explains its source.
//!
//! Everything here blocks the calling thread for as long as inference takes.
//! Never call it from an async runtime thread: use `spawn_blocking` or a
//! dedicated worker thread.

mod aligned;
mod batch;
mod confidence;
mod crew;
mod forced;
mod normal;
mod pool;
mod sentences;

pub use aligned::{append_alignment, AlignedText};
pub use crew::Crew;
pub use forced::ForcedScore;
pub use pool::{LoadedModel, ModelPool};
pub use sentences::{keep_gap, pieces, split_sentences, Piece};

use std::sync::Arc;

use warta_core::Lang;

/// Errors of the translate stage.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Models(#[from] warta_models::ModelError),
    #[error("{src}→{trg} goes through a pivot: score each leg on its own")]
    NotDirect { src: Lang, trg: Lang },
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// A callback told how many sentences just finished, for progress bars. Called
/// from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// A ready route from `src` to `trg`: one model, or two through English.
#[derive(Clone)]
pub struct Translator {
    src: Lang,
    trg: Lang,
    legs: Vec<Arc<LoadedModel>>,
    runner: crew::Runner,
}

impl Translator {
    pub fn src(&self) -> Lang {
        self.src
    }

    pub fn trg(&self) -> Lang {
        self.trg
    }

    /// The pivot language when this is a two-leg route.
    pub fn pivot(&self) -> Option<Lang> {
        (self.legs.len() == 2).then(|| self.legs[0].pair.trg)
    }

    pub fn legs(&self) -> &[Arc<LoadedModel>] {
        &self.legs
    }

    /// A one-model translator for leg `k` of this route (the pivot leg is
    /// shared by every target that goes through it).
    pub fn leg_translator(&self, k: usize) -> Translator {
        let leg = self.legs[k].clone();
        Translator {
            src: leg.pair.src,
            trg: leg.pair.trg,
            legs: vec![leg],
            runner: self.runner.clone(),
        }
    }

    /// Identifies the exact models that produce this route's output
    /// (translation-memory key): the legs' model ids joined by `+`.
    pub fn model_id(&self) -> String {
        self.legs
            .iter()
            .map(|l| l.model_id.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    pub fn threads(&self) -> usize {
        self.runner.threads()
    }

    /// Translate single sentences (no further segmentation), in order. Each
    /// leg runs batched over all worker threads.
    pub fn translate_sentences(
        &self,
        sentences: &[&str],
        progress: Option<Progress>,
    ) -> Vec<String> {
        let mut current: Vec<String> = sentences.iter().map(|s| s.to_string()).collect();
        for (i, leg) in self.legs.iter().enumerate() {
            // Report progress on the last leg only: it is the one that finishes.
            let report = if i + 1 == self.legs.len() {
                progress
            } else {
                None
            };
            let refs: Vec<&str> = current.iter().map(String::as_str).collect();
            leg.sentences
                .fetch_add(refs.len() as u64, std::sync::atomic::Ordering::Relaxed);
            current = batch::translate(&leg.engine, &refs, &self.runner, report);
        }
        current
    }

    /// Translate texts that may hold several sentences each (paragraphs,
    /// lines). Sentences are split with ICU and the original whitespace between
    /// them is kept; every distinct sentence of the whole batch is translated
    /// once.
    pub fn translate_texts(&self, texts: &[&str], progress: Option<Progress>) -> Vec<String> {
        let split: Vec<Vec<sentences::Piece>> =
            texts.iter().map(|t| sentences::pieces(t)).collect();
        let mut unique: Vec<&str> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for p in split.iter().flatten() {
            if let sentences::Piece::Sentence(s) = p {
                index.entry(*s).or_insert_with(|| {
                    unique.push(s);
                    unique.len() - 1
                });
            }
        }
        let translated = self.translate_sentences(&unique, progress);
        split
            .iter()
            .map(|pieces| {
                sentences::reassemble(pieces, |s| translated[index[s]].as_str(), self.trg)
            })
            .collect()
    }

    /// Model confidence of each (source, pivot, target) triple: the mean token
    /// log-probability of the target given its input, per leg; for a two-leg
    /// route the weaker leg's score (`pivot` must then be the first leg's
    /// output). NaN where it cannot be computed. On a shared [`Crew`] this
    /// is background work, which waits while translations run.
    pub fn confidence(&self, items: &[(&str, Option<&str>, &str)]) -> Vec<f32> {
        match self.legs.as_slice() {
            [one] => {
                let pairs: Vec<(&str, &str)> = items.iter().map(|(s, _, t)| (*s, *t)).collect();
                confidence::score_many(one, &pairs, &self.runner)
            }
            [first, second] => {
                let a: Vec<(&str, &str)> = items
                    .iter()
                    .map(|(s, p, _)| (*s, p.unwrap_or("")))
                    .collect();
                let b: Vec<(&str, &str)> = items
                    .iter()
                    .map(|(_, p, t)| (p.unwrap_or(""), *t))
                    .collect();
                let a = confidence::score_many(first, &a, &self.runner);
                let b = confidence::score_many(second, &b, &self.runner);
                a.into_iter().zip(b).map(|(x, y)| x.min(y)).collect()
            }
            _ => vec![f32::NAN; items.len()],
        }
    }

    /// Teacher-forced scores of (source, target) pairs under this route's
    /// model: the log-probability of each target token given the source and
    /// the tokens before it (full-vocabulary softmax), and their mean. The
    /// same call serves forward confidence (source, output) and reverse
    /// adequacy (output, source) on the reverse route's translator. Runs
    /// like a translation (foreground on a shared [`Crew`]): it is on the
    /// way to publication. A pivot route has no single model: score each
    /// leg with [`leg_translator`](Self::leg_translator).
    pub fn score(&self, pairs: &[(&str, &str)]) -> Result<Vec<ForcedScore>> {
        match self.legs.as_slice() {
            [one] => {
                confidence::score_pairs(one, pairs, &self.runner, confidence::Priority::Foreground)
            }
            _ => Err(EngineError::NotDirect {
                src: self.src,
                trg: self.trg,
            }),
        }
    }

    /// [`translate_aligned`](Self::translate_aligned) for many texts, spread
    /// over the worker threads (each text is decoded alone: the aligned path
    /// has no batched form).
    pub fn translate_aligned_many(&self, texts: &[&str]) -> Vec<AlignedText> {
        let out = std::sync::Mutex::new(vec![None; texts.len()]);
        self.runner.for_each(texts.len(), |i| {
            let a = aligned::translate(self, texts[i]);
            out.lock().expect("aligned lock")[i] = Some(a);
        });
        out.into_inner()
            .expect("aligned lock")
            .into_iter()
            .map(|a| a.expect("every text translated"))
            .collect()
    }

    /// Translate one text and return word alignments (source → target), for
    /// carrying inline markup across. The target text equals what
    /// [`translate_texts`](Self::translate_texts) produces for the same input.
    pub fn translate_aligned(&self, text: &str) -> AlignedText {
        aligned::translate(self, text)
    }
}
