//! The model store: where warta keeps the translation models it runs.
//!
//! A store is a directory with one sub-directory per language pair (`en-pt/`,
//! `id-en/`...), each holding Firefox Translations model files — the int8
//! model `model.<pair>.intgemm.alphas.bin`, SentencePiece vocabularies
//! (`vocab.<pair>.spm`, or `srcvocab`/`trgvocab` for CJK pairs) and an optional
//! lexical shortlist `lex.50.50.<pair>.s2t.bin` — plus a `manifest.json` naming
//! every file with its SHA-256, where it came from and its version.
//!
//! Models enter the store only whole: [`ModelStore::import`] and
//! [`ModelStore::pull`] assemble a pair in a hidden staging directory, verify
//! it, and rename it into place, so a failed or interrupted install leaves the
//! store exactly as it was. The pull code is fxtranslate's Remote Settings
//! discovery and download (the same records Firefox uses), or a newsroom's own
//! mirror laid out like this store.
//!
//! This crate never runs inference beyond the one load that validates an
//! import; building engines for translation is `warta-engine`'s job.

mod manifest;
mod pull;
mod store;

pub use manifest::{FileEntry, Manifest, Role};
pub use pull::PullSource;
pub use store::{InstalledModel, ModelPaths, ModelStore, Route, VerifyReport};

use warta_core::Pair;

/// Everything that can go wrong with the model store.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no model for {pair} is installed in {store}; install it with `warta models pull {pair}` (or `warta models import DIR --pair {pair}`)")]
    NotInstalled { pair: Pair, store: String },
    #[error("no route for {src}→{trg}: missing {missing}; install with `warta models pull {pulls}`")]
    NoRoute {
        src: String,
        trg: String,
        missing: String,
        pulls: String,
    },
    #[error("{dir}: {what}")]
    BadModelDir { dir: String, what: String },
    #[error("model for {pair} failed to load: {reason}")]
    LoadFailed { pair: Pair, reason: String },
    #[error("checksum mismatch for {file}: manifest says {expected}, file has {actual}")]
    Checksum {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("{manifest}: {reason}")]
    BadManifest { manifest: String, reason: String },
    #[error("could not pull {pair} from {from}: {reason}")]
    Pull {
        pair: Pair,
        from: String,
        reason: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, ModelError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.display().to_string(),
        source,
    }
}
