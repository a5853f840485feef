//! warta as LibreTranslate, checked by the real clients newsrooms use: the
//! PyPI `libretranslatepy` and the npm `libretranslate` package
//! (`tests/interop/`), each against a live server with the real en→pt model.
//!
//! The clients must be installed (`pip install libretranslatepy`; `npm ci` in
//! `tests/interop`); `.ci/run` installs both and sets
//! `WARTA_REQUIRE_INTEROP=1`, under which a missing client is a failure, not
//! a skip.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::TestApp;

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

fn required() -> bool {
    std::env::var("WARTA_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

fn skip(why: &str) {
    assert!(!required(), "WARTA_REQUIRE_INTEROP=1 but {why}");
    eprintln!("SKIPPED: {why}");
}

/// Run a client script; its last line is its own `N passed, N failed`.
fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(out.status.success(), "client failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libretranslatepy_translates_detects_and_lists_languages() {
    let has_client = Command::new("python3")
        .args(["-c", "import libretranslatepy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_client {
        return skip("python3 with libretranslatepy is not installed");
    }
    let app = TestApp::spawn(1).await;
    let (base, key) = (app.base.clone(), app.key.clone());
    let script = interop_dir().join("libretranslatepy_check.py");
    tokio::task::spawn_blocking(move || run(Command::new("python3").arg(script).arg(base).arg(key)))
        .await
        .unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_npm_libretranslate_client_translates() {
    let dir = interop_dir();
    if !dir.join("node_modules/libretranslate").exists() {
        return skip("tests/interop/node_modules is missing (run `npm ci` there)");
    }
    let app = TestApp::spawn(1).await;
    let (base, key) = (app.base.clone(), app.key.clone());
    tokio::task::spawn_blocking(move || {
        run(Command::new("node").current_dir(&dir).arg("libretranslate_npm.mjs").arg(base).arg(key))
    })
    .await
    .unwrap();
    app.stop().await;
}
