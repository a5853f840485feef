//! Pulling models over the network: Mozilla's distribution or a mirror.
//!
//! Mozilla's path is fxtranslate's: Remote Settings discovery
//! (`translations-models-v2`), zstd attachments from the settings CDN,
//! verification against each record's `decompressedHash`. A mirror is any
//! HTTP(S) server laid out like a warta store (`{url}/{pair}/manifest.json`
//! and the files it lists), so a newsroom can re-host exactly the models it
//! runs — Mozilla's hosting is provisioned for Firefox, not for third parties.
//!
//! Either way the files land in a staging directory and enter the store only
//! after every checksum matched and the model loaded (see
//! [`ModelStore::install`]).

use std::path::Path;

use fxtranslate::fetch::{download_retrying, Fetch, NetworkFetch, RetryPolicy};
use warta_core::Pair;

use crate::manifest::{sha256_file, FileEntry, Manifest, Role};
use crate::store::{InstalledModel, ModelStore};
use crate::{ModelError, Result};

/// Where `warta models pull` gets models from.
#[derive(Debug, Clone)]
pub enum PullSource {
    /// Mozilla's Remote Settings + CDN (what Firefox uses).
    Mozilla,
    /// A mirror laid out like a warta store.
    Mirror(String),
}

impl PullSource {
    fn describe(&self) -> String {
        match self {
            PullSource::Mozilla => "Mozilla's model distribution (Remote Settings)".into(),
            PullSource::Mirror(url) => format!("mirror {url}"),
        }
    }
}

impl ModelStore {
    /// Download `pair` from `source` into the store, replacing an installed
    /// version only once the new one is complete and verified.
    pub fn pull(&self, pair: Pair, source: &PullSource) -> Result<InstalledModel> {
        let fetch = NetworkFetch::new();
        let fail = |reason: String| ModelError::Pull { pair, from: source.describe(), reason };
        match source {
            PullSource::Mozilla => {
                let records = fxtranslate::remote::fetch_records(&fetch).map_err(|e| fail(first_line(&e)))?;
                let model = fxtranslate::remote::pick(&records, "model", pair.src.code(), pair.trg.code())
                    .ok_or_else(|| fail(format!("Mozilla publishes no {pair} model")))?;
                let version = model.version.clone();
                self.install(pair, &version, "mozilla:remote-settings", |staging| {
                    pull_from_remote_settings(&fetch, &records, pair, staging).map_err(|e| fail(first_line(&e)))
                })
            }
            PullSource::Mirror(url) => {
                let base = format!("{}/{}", url.trim_end_matches('/'), pair.dir_name());
                let body = fetch
                    .get(&format!("{base}/manifest.json"))
                    .map_err(|e| fail(first_line(&e)))?;
                let remote: Manifest = serde_json::from_slice(&body)
                    .map_err(|e| fail(format!("{base}/manifest.json is not a warta manifest: {e}")))?;
                if remote.pair != pair {
                    return Err(fail(format!("mirror manifest is for {}", remote.pair)));
                }
                let origin = format!("mirror:{url}");
                self.install(pair, &remote.version, &origin, |staging| {
                    pull_from_mirror(&fetch, &base, &remote, staging)
                })
            }
        }
    }
}

fn pull_from_remote_settings(
    fetch: &NetworkFetch,
    records: &[fxtranslate::remote::Record],
    pair: Pair,
    staging: &Path,
) -> std::result::Result<Vec<FileEntry>, String> {
    // fxtranslate's cache writes into `<root>/<src>-<trg>/`; root it inside the
    // staging directory so nothing lands in the store before verification.
    let cache = fxtranslate::cache::Cache::with_root(staging.join(".download"))
        .with_progress(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let files = fxtranslate::cache::ensure_model(fetch, &cache, records, pair.src.code(), pair.trg.code())?;
    let mut paths = vec![files.model, files.src_vocab.clone()];
    if files.trg_vocab != files.src_vocab {
        paths.push(files.trg_vocab);
    }
    paths.extend(files.lex);
    let mut out = Vec::new();
    for p in paths {
        let name = p.file_name().ok_or("download without a file name")?.to_string_lossy().into_owned();
        let role = Role::of_file_name(&name).ok_or_else(|| format!("unexpected file {name}"))?;
        let dst = staging.join(&name);
        std::fs::rename(&p, &dst).map_err(|e| e.to_string())?;
        let (sha256, bytes) = sha256_file(&dst).map_err(|e| e.to_string())?;
        out.push(FileEntry { name, role, sha256, bytes });
    }
    let _ = std::fs::remove_dir_all(staging.join(".download"));
    Ok(out)
}

fn pull_from_mirror(fetch: &NetworkFetch, base: &str, remote: &Manifest, staging: &Path) -> Result<Vec<FileEntry>> {
    let mut out = Vec::new();
    for f in &remote.files {
        if f.name.contains('/') || f.name.starts_with('.') {
            return Err(ModelError::BadManifest {
                manifest: format!("{base}/manifest.json"),
                reason: format!("file name `{}` is not a plain file name", f.name),
            });
        }
        let dst = staging.join(&f.name);
        let url = format!("{base}/{}", f.name);
        download_retrying(fetch, &url, &dst, &RetryPolicy::default(), &mut |_, _| {}).map_err(|e| {
            ModelError::Pull { pair: remote.pair, from: base.to_string(), reason: first_line(&e) }
        })?;
        let (sha256, bytes) = sha256_file(&dst)?;
        if sha256 != f.sha256 {
            return Err(ModelError::Checksum { file: url, expected: f.sha256.clone(), actual: sha256 });
        }
        out.push(FileEntry { name: f.name.clone(), role: f.role, sha256, bytes });
    }
    Ok(out)
}

/// Network errors from ureq can span lines; the CLI promises one.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}
