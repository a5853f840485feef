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
//! store exactly as it was. Pulls read a Remote Settings server the way
//! Firefox does ([`remote_settings`]: Mozilla's records, filters and version
//! rules) or a newsroom's own mirror laid out like this store
//! ([`ModelStore::write_mirror`] writes one).
//!
//! This crate never runs inference beyond the one load that validates an
//! install ([`load_engine`], the same load the engine pool uses); building
//! engines for translation is `warta-engine`'s job. It never prints: progress
//! goes through [`Progress`], results are returned.

mod download;
mod manifest;
mod pull;
pub mod remote_settings;
mod route;
mod store;

pub use download::{Progress, Quiet};
pub use fxtranslate::fetch::{Fetch, NetworkFetch};
pub use manifest::{FileEntry, Manifest, Role};
pub use pull::{PullOptions, PullOutcome};
pub use remote_settings::Catalog;
pub use route::{pairs_for, Route};
pub use store::{load_engine, InstalledModel, ModelPaths, ModelStore, VerifyReport};

use warta_core::Pair;

/// Everything that can go wrong with the model store.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no model for {pair} is installed in {store}; install it with `warta models pull {pair}` (or `warta models import DIR --pair {pair}`)")]
    NotInstalled { pair: Pair, store: String },
    #[error(
        "no route for {src}→{trg}: missing {missing}; install with `warta models pull {pulls}`"
    )]
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
    #[error("could not read Remote Settings at {url}: {reason}")]
    RemoteSettings { url: String, reason: String },
    /// One file of a pull: too long, too short, wrong hash, unreachable.
    #[error("{file}: {reason} ({url})")]
    Download {
        file: String,
        url: String,
        reason: String,
    },
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
