//! Loaded models, shared.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fxtranslate::engine::Engine;
use warta_core::{Lang, Pair};
use warta_models::{ModelError, ModelStore, Route};

use crate::{Result, Translator};

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
    threads: usize,
    loaded: Mutex<HashMap<Pair, Arc<LoadedModel>>>,
}

impl ModelPool {
    /// `threads` = worker threads per batch; 0 means all cores.
    pub fn new(store: ModelStore, threads: usize) -> ModelPool {
        let threads = match threads {
            0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            n => n,
        };
        ModelPool { store, threads, loaded: Mutex::new(HashMap::new()) }
    }

    /// The pairs loaded in memory now, with their model ids (for metrics).
    pub fn resident(&self) -> Vec<(Pair, String)> {
        let map = self.loaded.lock().expect("pool lock");
        let mut v: Vec<(Pair, String)> = map.iter().map(|(p, m)| (*p, m.model_id.clone())).collect();
        v.sort_by_key(|(p, _)| p.to_string());
        v
    }

    pub fn store(&self) -> &ModelStore {
        &self.store
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The engine for `pair`, loading it on first use.
    pub fn model(&self, pair: Pair) -> Result<Arc<LoadedModel>> {
        if let Some(m) = self.loaded.lock().expect("pool lock").get(&pair) {
            return Ok(m.clone());
        }
        // Load outside the lock: another pair may be loading at the same time.
        let installed = self.store.require(pair)?;
        let paths = installed.paths();
        let fail = |reason: String| ModelError::LoadFailed { pair, reason };
        // The same load the store ran when it installed the pair.
        let engine = warta_models::load_engine(&paths).map_err(fail)?;
        let trg_vocab = fxtranslate::spm::SpmVocab::load(&paths.trg_vocab)
            .map_err(|e| fail(format!("vocabulary {}: {e}", paths.trg_vocab.display())))?;
        let loaded = Arc::new(LoadedModel {
            pair,
            model_id: installed.model_id(),
            engine,
            sentences: Default::default(),
            trg_vocab,
        });
        tracing::info!(%pair, model_id = %loaded.model_id, "model loaded");
        let mut map = self.loaded.lock().expect("pool lock");
        Ok(map.entry(pair).or_insert(loaded).clone())
    }

    /// A translator for `src → trg` over the installed models.
    pub fn translator(&self, src: Lang, trg: Lang) -> Result<Translator> {
        let route = self.store.route(src, trg)?;
        let legs = match route {
            Route::Direct(p) => vec![self.model(p)?],
            Route::Pivot { first, second } => vec![self.model(first)?, self.model(second)?],
        };
        Ok(Translator { src, trg, legs, threads: self.threads })
    }

    /// A two-leg translator through an explicit `pivot`, whatever is
    /// installed directly. Used for back-translation (`en→pt→en` checks what
    /// survives a round trip) and to exercise the pivot path with any two
    /// models that chain.
    pub fn translator_via(&self, src: Lang, pivot: Lang, trg: Lang) -> Result<Translator> {
        let first = self.model(Pair::new(src, pivot).map_err(bad_pair)?)?;
        let second = self.model(Pair::new(pivot, trg).map_err(bad_pair)?)?;
        Ok(Translator { src, trg, legs: vec![first, second], threads: self.threads })
    }

    /// Forget a loaded pair (after its files were replaced) so the next use
    /// loads the new model.
    pub fn evict(&self, pair: Pair) {
        self.loaded.lock().expect("pool lock").remove(&pair);
    }
}

fn bad_pair(e: warta_core::ParseError) -> ModelError {
    ModelError::BadModelDir { dir: "route".into(), what: e.to_string() }
}
