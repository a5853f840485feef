//! Pulling models over the network: a Remote Settings server (Mozilla's, as
//! Firefox reads it) or a newsroom mirror.
//!
//! Remote Settings discovery and selection live in [`crate::remote_settings`];
//! a mirror is any HTTP(S) server laid out like a warta store
//! (`{url}/{pair}/manifest.json` and the files it lists — what
//! [`ModelStore::write_mirror`] writes), so a newsroom downloads from Mozilla
//! once and its other machines pull from its own server. Mozilla's hosting is
//! provisioned for Firefox, not for third parties.
//!
//! Either way every file is bounded and verified as it arrives
//! ([`crate::download`]), lands in a staging directory, and enters the store
//! only after the whole pair verified and loaded (see [`ModelStore::install`]).

use fxtranslate::fetch::Fetch;
use warta_core::Pair;

use crate::download::{download, unzstd, Declared, Progress};
use crate::manifest::{FileEntry, Manifest};
use crate::remote_settings::filter::DESKTOP_RELEASE;
use crate::remote_settings::select::{choose, Choice, FileSet, Policy};
use crate::remote_settings::{mozilla_tag, Catalog, SUPPORTED_MAJOR};
use crate::store::{InstalledModel, ModelStore};
use crate::{ModelError, Result};

/// Choices a pull from Remote Settings makes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PullOptions {
    /// Also take pre-release models (`3.1a1`), which Mozilla ships to Nightly
    /// for testing.
    pub allow_prerelease: bool,
}

/// What a pull did for one pair.
#[derive(Debug)]
pub enum PullOutcome {
    Installed(InstalledModel),
    /// The installed files are exactly the ones the source offers; nothing
    /// was downloaded.
    AlreadyCurrent(InstalledModel),
    /// The source has no model for the pair that this client may use.
    NotPublished,
}

impl Catalog {
    fn policy(opts: &PullOptions) -> Policy {
        Policy {
            env: DESKTOP_RELEASE,
            major: SUPPORTED_MAJOR,
            allow_prerelease: opts.allow_prerelease,
        }
    }

    /// Whether the server publishes a usable model for `pair`.
    pub fn publishes(&self, pair: Pair, opts: &PullOptions) -> bool {
        matches!(
            choose(
                &self.records,
                mozilla_tag(pair.src),
                mozilla_tag(pair.trg),
                &Catalog::policy(opts)
            ),
            Choice::Set(_)
        )
    }
}

impl ModelStore {
    /// Install `pair` from a Remote Settings server's catalog, replacing an
    /// installed version only once the new one is complete and verified.
    pub fn pull_remote_settings(
        &self,
        fetch: &dyn Fetch,
        catalog: &Catalog,
        pair: Pair,
        opts: &PullOptions,
        progress: &mut dyn Progress,
    ) -> Result<PullOutcome> {
        let from = format!("Remote Settings at {}", catalog.server);
        let set = match choose(
            &catalog.records,
            mozilla_tag(pair.src),
            mozilla_tag(pair.trg),
            &Catalog::policy(opts),
        ) {
            Choice::Set(set) => set,
            Choice::NotPublished => return Ok(PullOutcome::NotPublished),
            Choice::Incoherent(reason) => return Err(ModelError::Pull { pair, from, reason }),
        };
        let wanted: Vec<FileEntry> = set
            .files
            .iter()
            .map(|(role, r)| FileEntry {
                name: r.name.clone(),
                role: *role,
                sha256: r.decompressed_hash.to_ascii_lowercase(),
                bytes: r.decompressed_size,
            })
            .collect();
        if let Some(current) = self.current(pair, &wanted)? {
            return Ok(PullOutcome::AlreadyCurrent(current));
        }
        let origin = format!("remote-settings:{}", catalog.server);
        let installed = self.install(pair, set.version.as_str(), &origin, |staging| {
            fetch_set(fetch, catalog, &set, staging, progress)?;
            Ok(wanted.clone())
        })?;
        Ok(PullOutcome::Installed(installed))
    }

    /// Install `pair` from a mirror (`{url}/{pair}/manifest.json`).
    pub fn pull_mirror(
        &self,
        fetch: &dyn Fetch,
        url: &str,
        pair: Pair,
        progress: &mut dyn Progress,
    ) -> Result<PullOutcome> {
        let url = url.trim_end_matches('/');
        let base = format!("{url}/{}", pair.dir_name());
        let manifest_url = format!("{base}/manifest.json");
        let fail = |reason: String| ModelError::Pull {
            pair,
            from: format!("mirror {url}"),
            reason,
        };
        let body = match fetch.get(&manifest_url) {
            Ok(b) => b,
            // ureq's message for an HTTP status: "…: status code 404".
            Err(e) if e.contains("status code 404") => return Ok(PullOutcome::NotPublished),
            Err(e) => {
                return Err(fail(format!(
                    "{manifest_url}: {}",
                    crate::remote_settings::fetch_reason(&e, &manifest_url)
                )))
            }
        };
        let remote: Manifest = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("{manifest_url} is not a warta manifest: {e}")))?;
        if remote.pair != pair {
            return Err(fail(format!("{manifest_url} is for {}", remote.pair)));
        }
        for f in &remote.files {
            if !crate::manifest::is_plain_file_name(&f.name) {
                return Err(ModelError::BadManifest {
                    manifest: manifest_url.clone(),
                    reason: format!("file name `{}` is not a plain file name", f.name),
                });
            }
        }
        if let Some(current) = self.current(pair, &remote.files)? {
            return Ok(PullOutcome::AlreadyCurrent(current));
        }
        let origin = format!("mirror:{url}");
        let installed = self.install(pair, &remote.version, &origin, |staging| {
            for f in &remote.files {
                let file_url = format!("{base}/{}", f.name);
                let declared = Declared {
                    name: &f.name,
                    url: &file_url,
                    size: f.bytes,
                    sha256: &f.sha256,
                };
                download(fetch, &declared, &staging.join(&f.name), progress)?;
            }
            Ok(remote.files.clone())
        })?;
        Ok(PullOutcome::Installed(installed))
    }

    /// The installed model for `pair` if it consists of exactly `wanted`
    /// (same names, roles and hashes) and its files are intact.
    fn current(&self, pair: Pair, wanted: &[FileEntry]) -> Result<Option<InstalledModel>> {
        let Ok(Some(installed)) = self.get(pair) else {
            // A broken installed pair is simply replaced.
            return Ok(None);
        };
        let key = |f: &FileEntry| (f.name.clone(), f.role, f.sha256.to_ascii_lowercase());
        let mut have: Vec<_> = installed.manifest.files.iter().map(key).collect();
        let mut want: Vec<_> = wanted.iter().map(key).collect();
        have.sort();
        want.sort();
        if have != want {
            return Ok(None);
        }
        // The manifest matches; the files must too, or a pull repairs them.
        for f in &installed.manifest.files {
            match crate::manifest::sha256_file(&installed.dir.join(&f.name)) {
                Ok((sha, _)) if sha == f.sha256 => {}
                _ => return Ok(None),
            }
        }
        Ok(Some(installed))
    }
}

/// Download, verify and decompress every file of `set` into `staging`.
fn fetch_set(
    fetch: &dyn Fetch,
    catalog: &Catalog,
    set: &FileSet,
    staging: &std::path::Path,
    progress: &mut dyn Progress,
) -> Result<()> {
    for (_, record) in &set.files {
        let url = catalog.attachment_url(record);
        // Hidden, so that nothing but finished files ever carries a model
        // file's name.
        let compressed = staging.join(format!(".{}.zst", record.name));
        let attachment = Declared {
            name: &record.name,
            url: &url,
            size: record.attachment.size,
            sha256: &record.attachment.hash,
        };
        download(fetch, &attachment, &compressed, progress)?;
        let content = Declared {
            name: &record.name,
            url: &url,
            size: record.decompressed_size,
            sha256: &record.decompressed_hash,
        };
        let result = unzstd(&compressed, &content, &staging.join(&record.name));
        let _ = std::fs::remove_file(&compressed);
        result?;
    }
    Ok(())
}
