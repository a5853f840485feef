//! The rendered site in a real headless Chromium (Debian's, driven by
//! playwright-core: tests/browser/check-pages.mjs). Checks `lang`, `dir`,
//! the computed direction, disclaimer, reviewed mark, switcher links and
//! hreflang alternates in the DOM of each language present.
//!
//! Needs `/usr/bin/chromium` and `npm ci` in tests/browser (`.ci/run` does
//! both). Without them the test is skipped with a message, except under CI
//! (`CI=true`), where it fails.

mod common;

use std::time::Duration;

use common::{browser_available, run_browser_script, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_every_language_pass_the_browser_checks() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(1).await;
    let r = app
        .post_article(&json!({
            "slug": "browser-check",
            "title": "Floods hit the city",
            "summary": "Heavy rain caused floods.",
            "body_html": "<p>Heavy rain fell on <a href=\"https://example.org/x\">the old city</a> on Monday.</p><p>How are you today?</p>",
        }))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    app.wait_for_job("browser-check", "pt", "done", Duration::from_secs(60))
        .await;
    let put = app
        .client
        .put(format!("{}/api/v1/articles/browser-check/ar", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"title": "فيضانات تضرب المدينة", "summary": "أمطار غزيرة", "body_html": "<p>هطلت أمطار غزيرة على المدينة القديمة يوم الاثنين.</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);

    let base = app.base.clone();
    let args = [
        base.as_str(),
        "browser-check",
        "en:source",
        "pt:machine",
        "ar:human",
    ];
    run_browser_script("check-pages.mjs", args.map(String::from).to_vec()).await;
    app.stop().await;
}
