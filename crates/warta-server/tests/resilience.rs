//! Translation never stops, in one process: a broken model is an error the
//! job reports (not "waiting for a model" forever), `/healthz` tells the
//! truth about workers and the queue, and `/metrics` shows both. The killed
//! processes and hostile articles are in `crates/warta/tests/kill.rs`.

mod common;

use std::time::Duration;

use common::{copy_dir, language, test_models, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_model_is_reported_as_broken_not_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    copy_dir(&test_models(), &models);
    // Cut the model file in half: installed, but unusable.
    let model = std::fs::read_dir(models.join("en-pt"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("model.")
        })
        .unwrap();
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();

    let app = TestApp::start_in(tmp.path(), &models, 1, None).await;
    let r = app
        .post_article(&common::long_article("broken-model"))
        .await;
    assert_eq!(r.status(), 202);
    let job = app
        .wait_until(Duration::from_secs(30), || async {
            let (_, v) = app.get_json("/api/v1/articles/broken-model").await;
            let pt = language(&v, "pt").unwrap();
            match pt["job"]["last_error"].is_string() {
                true => Ok(pt["job"].clone()),
                false => Err(format!("no error recorded: {pt}")),
            }
        })
        .await;
    assert_ne!(job["state"], "waiting_for_model", "{job}");
    assert!(job["waiting_for_model"].is_null(), "{job}");
    let err = job["last_error"].as_str().unwrap();
    assert!(
        err.contains("model unusable") && err.contains("en-pt"),
        "{err}"
    );
    // The worker that met the broken model is still alive.
    let (status, health) = app.get_json("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["workers"]["alive"], 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_an_api_only_node_healthy_until_its_queue_is_too_old() {
    let tmp = tempfile::tempdir().unwrap();
    let config = format!("{}max_queue_age_seconds = 1\n", common::CONFIG);
    // No workers in this node, and none anywhere else: jobs pile up.
    let app = TestApp::start_with(&config, tmp.path(), &test_models(), 0, None).await;
    let (status, h) = app.get_json("/healthz").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["workers"]["expected"], 0);
    assert!(h["queue_age_seconds"].is_null(), "{h}");

    assert_eq!(
        app.post_article(&common::long_article("nobody-translates"))
            .await
            .status(),
        202
    );
    // The job waits longer than `max_queue_age_seconds = 1`: the node's
    // clock, which /healthz and /metrics measure the queue's age by, moves on.
    app.app().clock.advance(Duration::from_millis(1300));
    let (status, h) = app.get_json("/healthz").await;
    assert_eq!(status, 503, "{h}");
    assert_eq!(h["status"], "unhealthy");
    let problem = h["problems"][0].as_str().unwrap();
    assert!(
        problem.contains("oldest runnable job has waited"),
        "{problem}"
    );
    let (_, metrics) = app.page("/metrics").await;
    assert!(metrics.contains("warta_workers_alive 0"), "{metrics}");
    let age: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("warta_queue_age_seconds "))
        .expect("queue age gauge")
        .parse()
        .unwrap();
    assert!(age >= 1.0, "{age}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_cover_words_latency_memory_flags_and_resident_models() {
    let app = TestApp::spawn(1).await;
    let article = common::long_article("metered");
    assert_eq!(app.post_article(&article).await.status(), 202);
    app.wait_for_job("metered", "pt", "done", Duration::from_secs(60))
        .await;
    let (_, m) = app.page("/metrics").await;
    let value = |name: &str| -> f64 {
        m.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("{name} missing:\n{m}"))
            .parse()
            .unwrap()
    };
    // Words of the posted article: its title and summary (4 + 4, counted by
    // hand) and its body (whitespace-separated words of the paragraphs).
    assert_eq!(
        value("warta_words_translated_total"),
        (8 + common::words(&article)) as f64
    );
    assert_eq!(
        value("warta_publish_latency_seconds_count{lang=\"pt\"}"),
        1.0
    );
    assert_eq!(
        value("warta_publish_latency_seconds_bucket{lang=\"pt\",le=\"+Inf\"}"),
        1.0
    );
    assert!(
        m.lines()
            .any(|l| l.starts_with("warta_model_resident{pair=\"en-pt\"") && l.ends_with(" 1")),
        "{m}"
    );
    // A first article finds nothing in the memory.
    assert_eq!(value("warta_tm_hit_ratio"), 0.0);
    assert!(m.contains("# TYPE warta_qa_flags_total counter"));
    app.stop().await;
}
