//! Pivot fan-out: a Portuguese newsroom publishing English and a second
//! target reached through English. The English leg of every sentence is
//! computed once and is itself the English version.
//!
//! Only en→pt and pt→en test models exist, so the second target's model is
//! the real en→pt model installed under the name `en-fr`: its output is
//! Portuguese, but the routing, batching and counting under test are exactly
//! those of a real `en-fr` model. The expected texts come from the engines
//! themselves, called directly.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{pivot_models, TestApp};
use serde_json::json;
use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_pivot_is_computed_once_and_published_as_english() {
    let tmp = tempfile::tempdir().unwrap();
    let models = pivot_models(tmp.path());

    let config = "source = \"pt\"\ntargets = [\"en\", \"fr\"]\nlease_batch = 16\n";
    // Queue first (no workers), so both jobs are leased together.
    let app = TestApp::start_with(config, tmp.path(), &models, 0, None).await;
    let article = json!({
        "slug": "chuva-forte",
        "title": "Como você está hoje?",
        "summary": "Bom dia.",
        "body_html": "<p>A polícia prendeu três homens em Lisboa. O gato sentou-se no tapete.</p><p>Bom dia.</p>",
    });
    assert_eq!(app.post_article(&article).await.status().as_u16(), 202);
    let (dir, key, _) = app.stop().await;
    let app = TestApp::start_with(config, &dir, &models, 1, Some(key)).await;
    app.wait_for_job("chuva-forte", "en", "done", Duration::from_secs(60))
        .await;
    app.wait_for_job("chuva-forte", "fr", "done", Duration::from_secs(60))
        .await;

    // Distinct source sentences: title, summary ("Bom dia." also ends the
    // body, counted once), and the two sentences of the first paragraph.
    let pool = &app.app().ctx.pool;
    let pt_en = pool.model("pt-en".parse().unwrap()).unwrap();
    assert_eq!(
        pt_en.sentences.load(Ordering::Relaxed),
        4,
        "each sentence through pt→en once for both targets"
    );

    let (_, en) = app.get_json("/api/v1/articles/chuva-forte/en").await;
    let (_, fr) = app.get_json("/api/v1/articles/chuva-forte/fr").await;
    // Oracle: the two engines called directly.
    let oracle = ModelPool::new(ModelStore::open(&models), 1);
    let pt = Lang::parse("pt").unwrap();
    let fr_lang = Lang::parse("fr").unwrap();
    let en_title = oracle
        .translator(pt, Lang::english())
        .unwrap()
        .translate_texts(&["Como você está hoje?"], None);
    assert_eq!(en["title"], en_title[0]);
    let fr_title = oracle
        .translator(Lang::english(), fr_lang)
        .unwrap()
        .translate_texts(&[&en_title[0]], None);
    assert_eq!(fr["title"], fr_title[0]);
    assert_eq!(
        fr["model_id"].as_str().unwrap().split('+').count(),
        2,
        "two-leg model id: {}",
        fr["model_id"]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_is_enforced_through_the_pivot() {
    let tmp = tempfile::tempdir().unwrap();
    let models = pivot_models(tmp.path());

    let config = "source = \"pt\"\ntargets = [\"en\", \"fr\"]\n";
    let app = TestApp::start_with(config, tmp.path(), &models, 1, None).await;
    // The route pt→en→"fr" turns "Lisboa" into "Lisbon" and back into
    // "Lisboa" (the stand-in model is en→pt); the glossary wants "Lisbonne".
    app.app()
        .ctx
        .store
        .add_glossary_entry(&warta_store::NewGlossaryEntry {
            source_term: "Lisboa".into(),
            target_lang: Lang::parse("fr").unwrap(),
            target_term: "Lisbonne".into(),
            case_sensitive: true,
            note: None,
        })
        .await
        .unwrap();
    app.post_article(&json!({"slug": "lisboa", "title": "Notícias", "body_html": "<p>A polícia prendeu três homens em Lisboa.</p>"})).await;
    app.wait_for_job("lisboa", "fr", "done", Duration::from_secs(60))
        .await;
    let (_, fr) = app.get_json("/api/v1/articles/lisboa/fr").await;
    let body = fr["body_html"].as_str().unwrap();
    assert!(
        body.contains("Lisbonne") && !body.contains("Lisboa"),
        "{body}"
    );
    // The English version, with no glossary entry, keeps the model's word.
    app.wait_for_job("lisboa", "en", "done", Duration::from_secs(60))
        .await;
    let (_, en) = app.get_json("/api/v1/articles/lisboa/en").await;
    assert!(en["body_html"].as_str().unwrap().contains("Lisbon"), "{en}");
    app.stop().await;
}
