//! The editors' desk for every reader of it (issue 21): axe-core finds no
//! serious or critical accessibility violation on any desk page at 1280 px
//! and 390 px (tests/browser/desk-a11y.mjs), and zh and ja pages render
//! real glyphs from the CJK fonts CI installs (tests/browser/cjk-glyphs.mjs:
//! Chromium's own account of which font drew each character).
//!
//! The pages are those of a small newsroom set up here through the API and
//! the store: two stories about the same city (so the term suggestions
//! have a name), one flagged sentence (the queue and the one-sentence
//! editor), one glossary entry (its edit page), and a zh and a ja
//! translation written by a person.
//!
//! `WARTA_SCREENSHOTS=$PWD/docs/desk cargo test -p warta-server --test
//! desk_a11y` also saves the screenshots of docs/desk (README).

mod common;

use common::{browser_ready, run_browser_script, test_models, TestApp};
use serde_json::json;
use warta_core::{Lang, Slug};
use warta_store::{Check, GlossaryFields, NewGlossaryEntry, NewQaFlag, RevisionNo, Severity};

const USER: &str = "rina";
const PASSWORD: &str = "correct horse battery staple";
const CONFIG: &str = "source = \"en\"\ntargets = [\"pt\", \"ar\", \"zh\", \"ja\"]\n";

/// Two stories about Palu, one of which also has zh and ja translations
/// written by a person.
async fn newsroom(app: &TestApp) -> (i64, i64) {
    app.publish_translated(
        &[
            (
                "palu-quake",
                "Earthquake shakes Palu",
                "<p>A strong earthquake shook the city of Palu on Friday.</p><p>Rescuers from Jakarta arrived in Palu the next day.</p>",
            ),
            (
                "palu-aid",
                "Aid reaches the city",
                "<p>Aid from Jakarta reached Palu by ship on Sunday.</p>",
            ),
        ],
        "pt",
    )
    .await;
    // A person's translations (the test models have no en→zh or en→ja).
    for (lang, title, body) in [
        (
            "zh",
            "地震震撼帕卢",
            "<p>周五，一场强烈地震震撼了帕卢市。</p>",
        ),
        (
            "ja",
            "地震がパルを揺らす",
            "<p>金曜日、強い地震がパルの町を揺らした。</p>",
        ),
    ] {
        let put = app
            .client
            .put(format!("{}/api/v1/articles/palu-quake/{lang}", app.base))
            .bearer_auth(&app.key)
            .json(&json!({"title": title, "summary": "", "body_html": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status().as_u16(), 200, "{lang}");
    }
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let pt = Lang::parse("pt").unwrap();
    let article = store
        .article(&Slug::parse("palu-quake").unwrap())
        .await
        .unwrap();
    let entry = NewGlossaryEntry::parse(
        GlossaryFields {
            source: Some("Jakarta".into()),
            target_lang: Some("pt".into()),
            target: Some("Jacarta".into()),
            case_sensitive: Some(true),
            note: Some("capital of Indonesia".into()),
        },
        &[pt],
    )
    .unwrap();
    let (entry, requeued) = store.add_glossary_entry(&entry).await.unwrap();
    // Both stories mention Jakarta: translated again before the flag is
    // set, so that the new translation's checks do not replace it.
    assert_eq!(requeued, 2);
    for slug in ["palu-quake", "palu-aid"] {
        app.wait_for_job(slug, "pt", "done", std::time::Duration::from_secs(120))
            .await;
        app.wait_scored(slug, "pt").await;
    }
    store
        .replace_qa_flags(
            article.id,
            pt,
            RevisionNo(1),
            &[NewQaFlag {
                segment_idx: Some(1),
                check: Check::Numbers,
                severity: Severity::Warning,
                detail: "a number differs".into(),
            }],
        )
        .await
        .unwrap();
    (entry.id, 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_desk_page_passes_axe_at_both_widths() {
    if !browser_ready(Some("axe-core")) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 1, None).await;
    let (entry, segment) = newsroom(&app).await;
    let pages = [
        ("queue", "/admin".to_string()),
        ("articles", "/admin/articles".to_string()),
        ("review", "/admin/articles/palu-quake/pt".to_string()),
        ("review-zh", "/admin/articles/palu-quake/zh".to_string()),
        ("flag", format!("/admin/segments/palu-quake/pt/{segment}")),
        ("glossary", "/admin/glossary".to_string()),
        ("glossary-edit", format!("/admin/glossary/{entry}")),
        ("terms", "/admin/terms".to_string()),
    ];
    let mut args = vec![app.base.clone(), USER.into(), PASSWORD.into()];
    args.extend(pages.iter().map(|(name, path)| format!("{name}={path}")));
    let out = run_browser_script("desk-a11y.mjs", args).await;
    // Login and every page, at two widths each.
    let audited = out
        .lines()
        .filter(|l| l.contains("no serious or critical"))
        .count();
    assert_eq!(audited, 2 * (pages.len() + 1), "{out}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zh_and_ja_pages_are_drawn_with_the_cjk_fonts() {
    if !browser_ready(None) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 1, None).await;
    newsroom(&app).await;
    // The fonts site.css names for each language (warta-site), as
    // fontconfig knows the families fonts-noto-cjk installs.
    let out = run_browser_script(
        "cjk-glyphs.mjs",
        vec![
            app.base.clone(),
            "/zh/palu-quake:h1:Noto Sans CJK SC".into(),
            "/ja/palu-quake:h1:Noto Sans CJK JP".into(),
        ],
    )
    .await;
    assert_eq!(out.matches("draws all").count(), 2, "{out}");
    app.stop().await;
}
