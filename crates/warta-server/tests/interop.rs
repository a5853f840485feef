//! warta as LibreTranslate, checked by the real clients newsrooms use: the
//! PyPI `libretranslatepy` (urlencoded forms), PyPI `deep-translator`'s
//! `LibreTranslator` (a query string on an empty POST) and the npm
//! `libretranslate` package (JSON) (`tests/interop/`), each against a live
//! server with the real en→pt model.
//!
//! The clients must be installed (`pip install libretranslatepy==2.1.4
//! deep-translator==1.11.4`; `npm ci` in `tests/interop`); `.ci/run`
//! installs them and sets `WARTA_REQUIRE_INTEROP=1`, under which a missing
//! client is a failure, not a skip.

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

/// Run `script` (in tests/interop) with `program` against a live server
/// with one worker, unless `has_client` says the client is not installed.
async fn check_client(program: &'static str, has_client: Result<(), String>, script: &str) {
    if let Err(why) = has_client {
        return skip(&why);
    }
    let app = TestApp::spawn(1).await;
    let (base, key) = (app.base.clone(), app.key.clone());
    let (dir, script) = (interop_dir(), script.to_string());
    tokio::task::spawn_blocking(move || {
        run(Command::new(program)
            .current_dir(dir)
            .arg(script)
            .arg(base)
            .arg(key))
    })
    .await
    .unwrap();
    app.stop().await;
}

/// Python can import `module`, else why not.
fn python_has(module: &str) -> Result<(), String> {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(())
        .ok_or(format!("python3 with {module} is not installed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libretranslatepy_translates_detects_and_lists_languages() {
    check_client(
        "python3",
        python_has("libretranslatepy"),
        "libretranslatepy_check.py",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_translator_translates_one_text_and_a_batch_with_source_auto() {
    check_client(
        "python3",
        python_has("deep_translator"),
        "deep_translator_check.py",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_npm_libretranslate_client_translates() {
    let installed = interop_dir().join("node_modules/libretranslate").exists();
    let has_client = installed
        .then_some(())
        .ok_or("tests/interop/node_modules is missing (run `npm ci` there)".to_string());
    check_client("node", has_client, "libretranslate_npm.mjs").await;
}

/// The response shapes LibreTranslate documents (its OpenAPI `/spec`), which
/// clients beyond the two above parse: `detectedLanguage` for `auto`,
/// `alternatives` when asked, `/frontend/settings`, and its error statuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libretranslate_shapes_settings_and_errors() {
    let app = TestApp::spawn(0).await;
    let post = |body: serde_json::Value| {
        let c = app.client.clone();
        let url = format!("{}/translate", app.base);
        async move { c.post(url).json(&body).send().await.unwrap() }
    };
    let r = post(serde_json::json!({
        "q": "How are you today?", "source": "auto", "target": "pt", "alternatives": 3, "api_key": app.key
    }))
    .await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["translatedText"], "Como você está hoje?");
    assert_eq!(v["detectedLanguage"]["language"], "en", "{v}");
    assert!(
        v["detectedLanguage"]["confidence"].as_f64().unwrap() > 50.0,
        "{v}"
    );
    // The engine decodes one best translation: no alternatives, as
    // LibreTranslate answers when it has none.
    assert_eq!(v["alternatives"], serde_json::json!([]), "{v}");

    let r = app
        .client
        .get(format!("{}/frontend/settings", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s: serde_json::Value = r.json().await.unwrap();
    assert_eq!(s["keyRequired"], true);
    assert_eq!(s["language"]["source"]["code"], "en");
    assert_eq!(s["language"]["target"]["code"], "pt");
    for key in [
        "charLimit",
        "apiKeys",
        "suggestions",
        "filesTranslation",
        "supportedFilesFormat",
        "frontendTimeout",
    ] {
        assert!(!s[key].is_null(), "{key} missing: {s}");
    }

    let wrong_key =
        post(serde_json::json!({"q": "Hi", "source": "en", "target": "pt", "api_key": "nope"}))
            .await;
    assert_eq!(wrong_key.status(), 403);
    let e: serde_json::Value = wrong_key.json().await.unwrap();
    assert!(e["error"].is_string(), "{e}");
    let no_q = post(serde_json::json!({"source": "en", "target": "pt", "api_key": app.key})).await;
    assert_eq!(no_q.status(), 400);
    assert!(no_q.json::<serde_json::Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("q"));
    app.stop().await;
}
