//! Webhooks against a real receiver on 127.0.0.1: signed JSON events for a
//! published version, retried after the receiver fails, recorded in the
//! delivery log.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::{test_models, TestApp};
use serde_json::Value;

const SECRET: &str = "a-test-secret-of-some-length";

/// What the receiver saw: (event header, signature header, body).
type Seen = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// A receiver that answers 500 to its first request, then 200.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Default::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                let h = |k: &str| {
                    headers
                        .get(k)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let mut seen = s.lock().unwrap();
                seen.push((h("x-warta-event"), h("x-warta-signature"), body.to_vec()));
                if seen.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_version_is_announced_signed_and_retried_until_delivered() {
    let (url, seen) = receiver().await;
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
    let t = Instant::now();
    while seen.lock().unwrap().len() < 2 {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "deliveries: {:?}",
            seen.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (event, signature, body) = seen.lock().unwrap()[1].clone();
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
    let t = Instant::now();
    loop {
        let (status, log) = app.get_json("/api/v1/webhooks/deliveries").await;
        assert_eq!(status, 200);
        let d = &log["deliveries"][0];
        if d["state"] == "delivered" {
            assert_eq!(log["deliveries"].as_array().unwrap().len(), 1, "{log}");
            assert_eq!(d["attempts"], 2);
            assert_eq!(d["last_status"], 204);
            assert_eq!(d["event"], "published");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The log is behind the API key like the rest of the CMS API.
    let anon = reqwest::get(format!("{}/api/v1/webhooks/deliveries", app.base))
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    app.stop().await;
}
