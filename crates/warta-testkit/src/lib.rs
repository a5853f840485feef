//! Fixtures the test suites of several warta crates share, one owner each:
//! where the real test models are, where NTREX is (and that CI requires it),
//! a fresh PostgreSQL database per test (and that CI requires one), copying a
//! model folder, a tiny HTTP/1.1 site on 127.0.0.1, and waiting on state that
//! another process owns.
//!
//! A dev-dependency only (`publish = false`): nothing here may be reached
//! from warta's own code. What one crate's tests alone need stays in that
//! crate's `tests/common/mod.rs` (the server's `TestApp`, the store's
//! `TestDb`).

use std::path::{Path, PathBuf};

pub mod http;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "wait")]
mod wait;
#[cfg(feature = "wait")]
pub use wait::wait_until;

/// `CI=true`: a requirement that is missing fails the test instead of
/// skipping it (a test that skips silently in CI does not exist).
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The workspace root (this crate is `crates/warta-testkit`).
fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `WARTA_TEST_MODELS`, else `target/test-models` of the workspace.
fn test_models_dir() -> PathBuf {
    std::env::var_os("WARTA_TEST_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/test-models"))
}

fn has_test_models(dir: &Path) -> bool {
    ["en-pt", "pt-en"]
        .iter()
        .all(|pair| dir.join(pair).join("manifest.json").exists())
}

/// The real en→pt and pt→en test models (`scripts/fetch-test-models`, which
/// fetches both); fails the test when they are missing.
pub fn test_models() -> PathBuf {
    let dir = test_models_dir();
    assert!(
        has_test_models(&dir),
        "test models missing in {}: run scripts/fetch-test-models",
        dir.display()
    );
    dir
}

/// The test models, or `None` with a note when they are absent, for the
/// tests that also run without them; under `CI=true` absence fails.
pub fn test_models_if_fetched() -> Option<PathBuf> {
    let dir = test_models_dir();
    if has_test_models(&dir) {
        return Some(dir);
    }
    let why = format!(
        "no test models in {} (run scripts/fetch-test-models)",
        dir.display()
    );
    assert!(!ci(), "{why}, required under CI=true");
    eprintln!("SKIPPED: {why}");
    None
}

/// NTREX (`../shared/data/ntrex` beside the checkout, read in place, never
/// copied), or `None` with a note; under `CI=true` absence fails.
pub fn ntrex_dir() -> Option<PathBuf> {
    let d = workspace().join("../shared/data/ntrex");
    if d.join("newstest2019-src.eng.txt").exists() {
        return Some(d);
    }
    let why = format!("NTREX not found at {} (../shared/data/ntrex)", d.display());
    assert!(!ci(), "{why}, required under CI=true");
    eprintln!("SKIPPED: {why}");
    None
}

/// The lines of one NTREX file (`newstest2019-src.eng.txt`, …), `None`
/// as [`ntrex_dir`] says.
pub fn ntrex_lines(file: &str) -> Option<Vec<String>> {
    Some(ntrex(&ntrex_dir()?, file))
}

/// The lines of `file` in the NTREX folder `dir`.
pub fn ntrex(dir: &Path, file: &str) -> Vec<String> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().map(String::from).collect()
}

/// Copy a folder and everything below it (a model out of the test models).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// `text` as UTF-16 in the byte order asked, after a byte order mark when
/// `mark` (what a feed in UTF-16 looks like on the wire).
pub fn utf16_bytes(text: &str, big_endian: bool, mark: bool) -> Vec<u8> {
    let mut out = match (mark, big_endian) {
        (false, _) => vec![],
        (true, true) => vec![0xFE, 0xFF],
        (true, false) => vec![0xFF, 0xFE],
    };
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}
