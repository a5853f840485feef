//! Loaded models, shared.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use fxtranslate::engine::Engine;
use warta_core::{Lang, Pair};
use warta_models::{ModelError, ModelStore, Route};

use crate::crew::{resolve_threads, Runner};
use crate::forced::{ForcedDecoder, ForcedScore};
use crate::{Crew, Result, Translator};

/// One pair's engine, loaded once.
pub struct LoadedModel {
    pub pair: Pair,
    pub model_id: String,
    pub engine: Engine,
    /// Sentences this model has been asked to translate (after
    /// de-duplication): what "no repeated work" is measured by.
    pub sentences: std::sync::atomic::AtomicU64,
    /// The target vocabulary, to tokenise translations for confidence scoring.
    pub trg_vocab: fxtranslate::spm::SpmVocab,
    /// The source vocabulary, whose normaliser the aligned path retraces to
    /// map token spans back onto the caller's text.
    pub src_vocab: fxtranslate::spm::SpmVocab,
    /// The model file, read again by the teacher-forced scorer.
    model_path: std::path::PathBuf,
    /// The scorer's decoder, loaded on the first score.
    forced: OnceLock<std::result::Result<ForcedDecoder, String>>,
}

impl LoadedModel {
    /// Teacher-forced scores of (source, target) pairs under this model, on
    /// the calling thread: token log-probabilities of each target given its
    /// source, full-vocabulary softmax. The same scores as
    /// [`Translator::score`] (which spreads the work over its threads).
    pub fn score(&self, pairs: &[(&str, &str)]) -> Result<Vec<ForcedScore>> {
        crate::confidence::score_pairs(
            self,
            pairs,
            &crate::crew::Runner::Own(1),
            crate::confidence::Priority::Foreground,
        )
    }

    /// The same score computed one token at a time with fxtranslate's own
    /// `decode_step` and `project` (and an `f64` log-softmax): the reference
    /// [`score`](Self::score) is tested against, and the old, slow way.
    pub fn score_stepwise(&self, source: &str, target: &str) -> ForcedScore {
        let src = self.engine.src_ids(source);
        let mut trg = self.trg_vocab.encode(target);
        trg.push(self.trg_vocab.eos_id());
        ForcedScore::from_logprobs(crate::forced::score_stepwise(&self.engine, &src, &trg))
    }

    /// The scorer's decoder, loading it on first use. A model file that the
    /// engine read but the scorer cannot is "failed to load", never a panic.
    pub(crate) fn forced_decoder(&self) -> Result<&ForcedDecoder> {
        let loaded = self.forced.get_or_init(|| {
            std::panic::catch_unwind(|| ForcedDecoder::load(&self.model_path))
                .unwrap_or_else(|_| Err("the scorer could not read the model file".into()))
        });
        loaded.as_ref().map_err(|reason| {
            ModelError::LoadFailed {
                pair: self.pair,
                reason: format!("teacher-forced scorer: {reason}"),
            }
            .into()
        })
    }
}

// SAFETY: fxtranslate's `Engine` is `Sync` (asserted under its `threads`
// feature) but not `Send`, only because its packed GEMM weights hold a raw
// pointer to memory the gemmology shim allocates with `aligned_alloc` and
// releases with `free` plus an atomic byte counter (gemmology_shim.cpp,
// `gemmology_free_b`). Neither is tied to the allocating thread, so moving the
// owner — and dropping the last `Arc` — on another thread is sound. The pool
// needs this: a model loaded by one worker is used by all of them and by the
// HTTP side's blocking tasks.
unsafe impl Send for LoadedModel {}

/// Loads models from a [`ModelStore`] on first use and keeps them: a model is
/// tens of MiB mapped from disk, loading it takes a second, and every route
/// through it shares the same copy.
pub struct ModelPool {
    store: ModelStore,
    runner: Runner,
    loaded: Arc<Mutex<HashMap<Pair, Arc<Slot>>>>,
}

/// One pair's place in the pool, locked while the pair loads: callers that
/// want it meanwhile wait for that load instead of loading a second copy.
type Slot = Mutex<Option<Arc<LoadedModel>>>;

impl ModelPool {
    /// `threads` = worker threads per batch; 0 means all cores.
    pub fn new(store: ModelStore, threads: usize) -> ModelPool {
        ModelPool {
            store,
            runner: Runner::Own(resolve_threads(threads)),
            loaded: Default::default(),
        }
    }

    /// The same models (loaded once, for both), with translators that run
    /// on `crew` instead of threads of their own: what translation workers
    /// use, so that several of them keep the crew's threads busy together.
    pub fn on_crew(&self, crew: Arc<Crew>) -> ModelPool {
        ModelPool {
            store: self.store.clone(),
            runner: Runner::Crew(crew),
            loaded: self.loaded.clone(),
        }
    }

    /// The pairs loaded in memory now, with their model ids (for metrics).
    pub fn resident(&self) -> Vec<(Pair, String)> {
        let map = self.loaded.lock().expect("pool lock");
        // A slot locked now is loading: not resident yet.
        let mut v: Vec<(Pair, String)> = map
            .iter()
            .filter_map(|(p, slot)| Some((*p, slot.try_lock().ok()?.as_ref()?.model_id.clone())))
            .collect();
        v.sort_by_key(|(p, _)| p.to_string());
        v
    }

    pub fn store(&self) -> &ModelStore {
        &self.store
    }

    pub fn threads(&self) -> usize {
        self.runner.threads()
    }

    /// The engine for `pair`, loading it on first use.
    pub fn model(&self, pair: Pair) -> Result<Arc<LoadedModel>> {
        // Load under the pair's own lock, not the pool's: another pair may
        // load at the same time, and a second caller for this pair waits
        // for this load rather than loading a copy.
        let slot = self
            .loaded
            .lock()
            .expect("pool lock")
            .entry(pair)
            .or_default()
            .clone();
        let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(m) = slot.as_ref() {
            return Ok(m.clone());
        }
        let installed = self.store.require(pair)?;
        let paths = installed.paths();
        let fail = |reason: String| ModelError::LoadFailed { pair, reason };
        // The same load the store ran when it installed the pair.
        let engine = warta_models::load_engine(&paths).map_err(fail)?;
        let trg_vocab = fxtranslate::spm::SpmVocab::load(&paths.trg_vocab)
            .map_err(|e| fail(format!("vocabulary {}: {e}", paths.trg_vocab.display())))?;
        let src_vocab = fxtranslate::spm::SpmVocab::load(&paths.src_vocab)
            .map_err(|e| fail(format!("vocabulary {}: {e}", paths.src_vocab.display())))?;
        let loaded = Arc::new(LoadedModel {
            pair,
            model_id: installed.model_id(),
            engine,
            sentences: Default::default(),
            trg_vocab,
            src_vocab,
            model_path: paths.model.clone(),
            forced: OnceLock::new(),
        });
        tracing::info!(%pair, model_id = %loaded.model_id, "model loaded");
        *slot = Some(loaded.clone());
        Ok(loaded)
    }

    /// A translator for `src → trg` over the installed models.
    pub fn translator(&self, src: Lang, trg: Lang) -> Result<Translator> {
        let route = self.store.route(src, trg)?;
        let legs = match route {
            Route::Direct(p) => vec![self.model(p)?],
            Route::Pivot { first, second } => vec![self.model(first)?, self.model(second)?],
        };
        Ok(Translator {
            src,
            trg,
            legs,
            runner: self.runner.clone(),
        })
    }

    /// A two-leg translator through an explicit `pivot`, whatever is
    /// installed directly. Used for back-translation (`en→pt→en` checks what
    /// survives a round trip) and to exercise the pivot path with any two
    /// models that chain.
    pub fn translator_via(&self, src: Lang, pivot: Lang, trg: Lang) -> Result<Translator> {
        let first = self.model(Pair::new(src, pivot).map_err(bad_pair)?)?;
        let second = self.model(Pair::new(pivot, trg).map_err(bad_pair)?)?;
        Ok(Translator {
            src,
            trg,
            legs: vec![first, second],
            runner: self.runner.clone(),
        })
    }

    /// Forget a loaded pair (after its files were replaced) so the next use
    /// loads the new model.
    pub fn evict(&self, pair: Pair) {
        self.loaded.lock().expect("pool lock").remove(&pair);
    }
}

fn bad_pair(e: warta_core::ParseError) -> ModelError {
    ModelError::BadModelDir {
        dir: "route".into(),
        what: e.to_string(),
    }
}
