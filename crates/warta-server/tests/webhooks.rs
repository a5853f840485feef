//! Webhooks against a real receiver on 127.0.0.1: signed JSON events for a
//! published version, retried after the receiver fails, recorded in the
//! delivery log.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{hook_receiver, hooks_received, test_models, TestApp};
use serde_json::Value;

const SECRET: &str = "a-test-secret-of-some-length";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_version_is_announced_signed_and_retried_until_delivered() {
    // A receiver that answers 500 to its first request, then 204.
    let (url, mut seen) = hook_receiver(|n| async move {
        match n {
            0 => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::NO_CONTENT,
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let config = format!(
        "source = \"en\"\ntargets = [\"pt\"]\nconfidence = false\n\
         allow_http_webhooks = true\n\
         [[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nevents = [\"published\"]\n"
    );
    let app = TestApp::start_with(&config, tmp.path(), &test_models(), 1, None).await;
    let r = app
        .post_article(&serde_json::json!({
            "slug": "hooked", "title": "How are you today?", "body_html": "<p>How are you today?</p>"
        }))
        .await;
    assert_eq!(r.status(), 202);

    // The first attempt gets a 500; the retry (after a 2 s backoff) a 204.
    let hooks = hooks_received(&mut seen, 2, Duration::from_secs(30)).await;
    let (event, signature, body) = (
        hooks[1].header("x-warta-event"),
        hooks[1].header("x-warta-signature"),
        hooks[1].body.clone(),
    );
    assert_eq!(event, "published");
    // The signature is `t=…,v1=…`, HMAC-SHA256 of "{t}.{body}" with the
    // secret (pinned to a Python-computed value in its unit test), and `t`
    // is now, within the replay window.
    let now = warta_store::now_millis() / 1000;
    assert!(signature.starts_with("t="), "{signature}");
    assert!(
        warta_server::webhooks::verify_signature(SECRET, &signature, &body, now),
        "{signature}"
    );
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["event"], "published");
    assert_eq!(payload["slug"], "hooked");
    assert_eq!(payload["lang"], "pt");
    assert_eq!(payload["revision"], 1);
    assert!(
        payload["url"].as_str().unwrap().ends_with("/pt/hooked"),
        "{payload}"
    );

    // The delivery log shows one delivery, two attempts, the receiver's answer.
    app.wait_until(Duration::from_secs(10), || async {
        let (status, log) = app.get_json("/api/v1/webhooks/deliveries").await;
        assert_eq!(status, 200);
        let d = &log["deliveries"][0];
        if d["state"] == "delivered" {
            assert_eq!(log["deliveries"].as_array().unwrap().len(), 1, "{log}");
            assert_eq!(d["attempts"], 2);
            assert_eq!(d["last_status"], 204);
            assert_eq!(d["event"], "published");
            Ok(())
        } else {
            Err(format!("{log}"))
        }
    })
    .await;
    // The log is behind the API key like the rest of the CMS API.
    let anon = reqwest::get(format!("{}/api/v1/webhooks/deliveries", app.base))
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    app.stop().await;
}
