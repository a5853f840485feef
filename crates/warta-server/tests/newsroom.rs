//! The newsroom end to end: POST an article, the workers translate it, the
//! site serves it — over real HTTP, with the real en→pt model and a real
//! SQLite file. Expected Portuguese text comes from the engine itself
//! (`Translator::translate_texts` on the same model), the oracle the
//! pipeline must agree with.

mod common;

use std::time::Duration;

use common::{language, long_article, words, TestApp};
use serde_json::json;
use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn oracle(texts: &[&str]) -> Vec<String> {
    let pool = ModelPool::new(ModelStore::open(common::test_models()), 2);
    pool.translator(Lang::english(), Lang::parse("pt").unwrap())
        .unwrap()
        .translate_texts(texts, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_article_is_published_in_portuguese_and_arabic_waits_for_its_model() {
    let app = TestApp::spawn(1).await;
    let article = long_article("floods-hit-the-city");
    assert!(
        words(&article) >= 550,
        "article has {} words",
        words(&article)
    );
    let r = app.post_article(&article).await;
    assert_eq!(r.status().as_u16(), 202);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["revision"], 1);
    assert_eq!(body["jobs"].as_array().unwrap().len(), 2);

    app.wait_for_job(
        "floods-hit-the-city",
        "pt",
        "done",
        Duration::from_secs(120),
    )
    .await;
    let v = app
        .wait_for_job(
            "floods-hit-the-city",
            "ar",
            "waiting_for_model",
            Duration::from_secs(30),
        )
        .await;
    let ar = language(&v, "ar").unwrap();
    assert_eq!(ar["job"]["waiting_for_model"], "en-ar");
    assert_eq!(ar["published"], false);

    // The Portuguese page shows the engine's translation.
    let first_paragraph = article["body_html"]
        .as_str()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("<p>")
        .trim_end_matches("</p>")
        .to_string();
    let expected = oracle(&["Floods hit the city", &first_paragraph]);
    let (status, html) = app.page("/pt/floods-hit-the-city").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&expected[0]),
        "title {:?} missing",
        expected[0]
    );
    assert!(
        html.contains(&expected[1]),
        "first paragraph {:?} missing",
        expected[1]
    );
    assert!(
        html.contains(r#"<html lang="pt" dir="ltr""#),
        "{}",
        &html[..300]
    );
    assert!(html.contains(r#"data-warta="disclaimer""#));

    // The API returns the version with its segments.
    let (status, v) = app
        .get_json("/api/v1/articles/floods-hit-the-city/pt")
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["origin"], "machine");
    assert_eq!(v["title"], expected[0]);
    // Segments are sentences: title, summary and the 40 authored sentences.
    assert_eq!(v["segments"].as_array().unwrap().len(), 42);
    let (status, _) = app
        .get_json("/api/v1/articles/floods-hit-the-city/ar")
        .await;
    assert_eq!(status, 404);
    let (_, ar_page) = app.page("/ar/floods-hit-the-city").await;
    assert!(ar_page.contains("lang=\"ar\""), "404 page in Arabic");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_arabic_version_renders_right_to_left_marked_reviewed() {
    let app = TestApp::spawn(1).await;
    app.post_article(&json!({"slug": "rtl-test", "title": "Floods hit the city", "body_html": "<p>How are you today?</p>"})).await;
    let put = app
        .client
        .put(format!("{}/api/v1/articles/rtl-test/ar", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"title": "فيضانات تضرب المدينة", "summary": "أمطار غزيرة", "body_html": "<p>كيف حالك اليوم؟</p>", "translator": "Layla"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200, "{:?}", put.text().await);
    let (status, html) = app.page("/ar/rtl-test").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="ar" dir="rtl""#));
    assert!(html.contains(r#"data-warta="reviewed""#));
    assert!(!html.contains(r#"data-warta="disclaimer""#));
    assert!(html.contains("كيف حالك اليوم؟"));

    // The machine never overwrites it: the pt job finishes, ar stays human.
    app.wait_for_job("rtl-test", "pt", "done", Duration::from_secs(60))
        .await;
    let (_, v) = app.get_json("/api/v1/articles/rtl-test/ar").await;
    assert_eq!(v["origin"], "human");
    assert_eq!(v["reviewed_by"], "Layla");

    // A new source revision keeps it published but marks it outdated.
    let r = app.post_article(&json!({"slug": "rtl-test", "title": "Floods hit the city again", "body_html": "<p>How are you today?</p>"})).await;
    assert_eq!(r.status().as_u16(), 202);
    let (_, v) = app.get_json("/api/v1/articles/rtl-test/ar").await;
    assert_eq!(v["outdated"], true);
    let (_, html) = app.page("/ar/rtl-test").await;
    assert!(html.contains(r#"data-warta="outdated""#));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_queue_loses_nothing() {
    // API only: articles are accepted and queued, nobody translates.
    let app = TestApp::spawn(0).await;
    for i in 0..3 {
        let r = app.post_article(&json!({"slug": format!("queued-{i}"), "title": "How are you today?", "body_html": "<p>Good morning.</p>"})).await;
        assert_eq!(r.status().as_u16(), 202);
    }
    let (dir, key, tmp) = app.stop().await;
    // Restart the same data directory with a worker: every job completes.
    let app = TestApp::start_in(&dir, &common::test_models(), 1, Some(key)).await;
    for i in 0..3 {
        app.wait_for_job(
            &format!("queued-{i}"),
            "pt",
            "done",
            Duration::from_secs(60),
        )
        .await;
        let (status, html) = app.page(&format!("/pt/queued-{i}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Como você está hoje?"));
    }
    app.stop().await;
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_waiting_for_a_model_resume_when_it_is_installed() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let app = TestApp::start_in(tmp.path(), &models, 1, None).await;
    app.post_article(&json!({"slug": "late-model", "title": "How are you today?", "body_html": "<p>Good morning.</p>"})).await;
    let v = app
        .wait_for_job(
            "late-model",
            "pt",
            "waiting_for_model",
            Duration::from_secs(30),
        )
        .await;
    let pt = language(&v, "pt").unwrap();
    assert_eq!(pt["job"]["waiting_for_model"], "en-pt");
    // Install the model as `warta models import` would.
    ModelStore::open(&models)
        .import(
            &common::test_models().join("en-pt"),
            "en-pt".parse().unwrap(),
            None,
        )
        .unwrap();
    app.wait_for_job("late-model", "pt", "done", Duration::from_secs(60))
        .await;
    assert_eq!(app.page("/pt/late-model").await.0, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_right_status_and_name_the_field() {
    let app = TestApp::spawn(0).await;
    let url = format!("{}/api/v1/articles", app.base);
    let ok = json!({"slug": "ok", "title": "T", "body_html": "<p>x</p>"});
    // No key, wrong key.
    let r = app.client.post(&url).json(&ok).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = app
        .client
        .post(&url)
        .bearer_auth("wk_nope")
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Not JSON.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&app.key)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Field errors: (body, field).
    let cases = [
        (json!({"title": "T", "body_html": "<p>x</p>"}), "slug"),
        (
            json!({"slug": "Not A Slug", "title": "T", "body_html": "<p>x</p>"}),
            "slug",
        ),
        (json!({"slug": "a", "body_html": "<p>x</p>"}), "title"),
        (
            json!({"slug": "a", "title": "  ", "body_html": "<p>x</p>"}),
            "title",
        ),
        (json!({"slug": "a", "title": "T"}), "body_html"),
        (
            json!({"slug": "a", "title": "T", "body_html": "<script>alert(1)</script>"}),
            "body_html",
        ),
        (
            json!({"slug": "a", "title": "T", "body_html": "<p>x</p>", "published_at": "yesterday"}),
            "published_at",
        ),
        (
            json!({"slug": "a", "title": "T", "body_html": "<p>x</p>", "colour": "red"}),
            "colour",
        ),
        (
            json!({"slug": "a", "title": "T".repeat(301), "body_html": "<p>x</p>"}),
            "title",
        ),
    ];
    for (body, field) in cases {
        let r = app.post_article(&body).await;
        assert_eq!(r.status().as_u16(), 422, "{body}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["field"], field, "{body} → {v}");
        assert!(v["error"]["message"].as_str().unwrap().len() > 5);
    }
    // Nothing was stored by any of them.
    assert_eq!(app.get_json("/api/v1/articles/a").await.0, 404);
    assert_eq!(app.get_json("/api/v1/articles/ok").await.0, 404);
    // Unknown article, unknown language, source-language PUT.
    app.post_article(&ok).await;
    assert_eq!(app.get_json("/api/v1/articles/nope").await.0, 404);
    assert_eq!(app.get_json("/api/v1/articles/ok/xx").await.0, 422);
    assert_eq!(
        app.get_json("/api/v1/articles/ok/fr").await.0,
        422,
        "fr is not a configured language"
    );
    let r = app
        .client
        .put(format!("{url}/ok/en"))
        .bearer_auth(&app.key)
        .json(&json!({"title": "T", "body_html": "<p>x</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_script_never_reaches_a_reader() {
    let app = TestApp::spawn(1).await;
    app.post_article(&json!({
        "slug": "xss",
        "title": "<script>alert(1)</script> Good morning.",
        "body_html": "<p onclick=\"alert(2)\">How are you today?<img src=x onerror=alert(3)></p><a href=\"javascript:alert(4)\">x</a>",
    }))
    .await;
    app.wait_for_job("xss", "pt", "done", Duration::from_secs(60))
        .await;
    for lang in ["en", "pt"] {
        let (_, html) = app.page(&format!("/{lang}/xss")).await;
        assert!(!html.contains("<script>alert"), "{lang}");
        assert!(
            !html.contains("onclick") && !html.contains("onerror") && !html.contains("javascript:"),
            "{lang}: {html}"
        );
    }
    let (_, feed) = app.page("/en/feed.xml").await;
    assert!(!feed.contains("<script>"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_has_feeds_sitemap_caching_and_deletion() {
    let app = TestApp::spawn(1).await;
    app.post_article(&json!({"slug": "feed-me", "title": "How are you today?", "summary": "Good morning.", "body_html": "<p>Good morning.</p>"})).await;
    app.wait_for_job("feed-me", "pt", "done", Duration::from_secs(60))
        .await;

    let (status, front) = app.page("/pt/").await;
    assert_eq!(status, 200);
    assert!(front.contains("/pt/feed-me"));
    let (_, feed) = app.page("/pt/feed.xml").await;
    assert!(
        feed.contains("<rss")
            && feed.contains("Como você está hoje?")
            && feed.contains("/pt/feed-me")
    );
    let (_, sitemap) = app.page("/sitemap.xml").await;
    assert!(
        sitemap.contains(r#"hreflang="pt""#) && sitemap.contains(r#"hreflang="x-default""#),
        "{sitemap}"
    );

    // ETag revalidation answers 304.
    let r = app
        .client
        .get(format!("{}/pt/feed-me", app.base))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(r.headers().contains_key("last-modified"));
    let r = app
        .client
        .get(format!("{}/pt/feed-me", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);

    // Health and metrics.
    assert_eq!(app.page("/healthz").await.0, 200);
    let (_, metrics) = app.page("/metrics").await;
    assert!(metrics.contains("warta_jobs_done_total 1"), "{metrics}");

    // DELETE unpublishes everywhere.
    let r = app
        .client
        .delete(format!("{}/api/v1/articles/feed-me", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.page("/pt/feed-me").await.0, 404);
    assert_eq!(app.page("/en/feed-me").await.0, 404);
    assert!(!app.page("/pt/feed.xml").await.1.contains("feed-me"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libretranslate_compatible_api() {
    let app = TestApp::spawn(0).await;
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .json(
            &json!({"q": "How are you today?", "source": "en", "target": "pt", "api_key": app.key}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["translatedText"], "Como você está hoje?");
    let r = app.client.post(format!("{}/translate", app.base))
        .json(&json!({"q": ["How are you today?", "Good morning."], "source": "auto", "target": "pt", "api_key": app.key}))
        .send().await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["translatedText"][0], "Como você está hoje?");
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .json(&json!({"q": "x", "source": "en", "target": "pt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "no key");
    let (_, langs) = app.get_json("/languages").await;
    let en = langs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "en")
        .unwrap();
    assert_eq!(en["targets"], json!(["pt"]));
    let r = app.client.post(format!("{}/detect", app.base))
        .json(&json!({"q": "Hari ini hujan deras mengguyur Jakarta dan banyak warga mengungsi.", "api_key": app.key}))
        .send().await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v[0]["language"], "id");
    app.stop().await;
}
