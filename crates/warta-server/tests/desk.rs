//! The editors' desk end to end (issue 21), over real HTTP with the real
//! en→pt model: the articles list with the state of each language, its
//! filters and pages (SQLite, and PostgreSQL when reachable), the
//! whole-article review with a sentence edited in place and a held version
//! approved, and false flags dismissed and counted per check.
//!
//! Expected states come from the issue's definitions, restated in
//! warta-store's desk.rs (`DeskStatus`): a language is `queued` while its
//! current translation waits for a worker (or a model: the harness's `ar`
//! has none), `held` when its newest version waits for an editor, `flagged`
//! with open flags, `outdated` when readers see a translation of an older
//! revision, `human` when a person wrote, edited or approved it, and
//! `published` when readers see a translation. Which article holds which
//! state is set up by each test through the API, so the expected lists
//! follow from the setup, not from what the code printed.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    api_post, browser_available, client, csrf_of, get_page, header, login, post_form,
    run_browser_script, test_models, PgDatabase, TestApp, CONFIG, PASSWORD, USER,
};
use serde_json::{json, Value};
use warta_core::{Lang, Slug};
use warta_store::{Check, NewQaFlag, RevisionNo, Severity};

fn article(slug: &str, title: &str, day: &str, body: &str) -> Value {
    json!({
        "slug": slug,
        "title": title,
        "summary": "",
        "body_html": format!("<p>{body}</p>"),
        "published_at": format!("{day}T09:30:00Z"),
    })
}

/// Slugs of a list answer, in order.
fn slugs(list: &Value) -> Vec<String> {
    list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_string())
        .collect()
}

/// The statuses of `lang` of `slug` in a list answer.
fn statuses(list: &Value, slug: &str, lang: &str) -> Vec<String> {
    let a = list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} not in {list}"));
    let l = a["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lang"] == lang)
        .unwrap();
    l["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, v) = app.get_json(&format!("/api/v1/articles{query}")).await;
    assert_eq!(status, 200, "{query}: {v}");
    v
}

/// Three stories on three days; the newest first in every list.
const ALPHA: &str = "alpha-floods";
const BETA: &str = "beta-schools";
const GAMMA: &str = "gamma-market";

async fn start(config: &str, dir: &Path, workers: usize, key: Option<String>) -> TestApp {
    TestApp::start_with(config, dir, &test_models(), workers, key).await
}

/// The list, its filters, counts and pages, on the database `config` names.
async fn list_filters_and_pages(config: &str) {
    let tmp = tempfile::tempdir().unwrap();
    // No workers yet: every language stays queued while the list is read.
    let app = start(config, tmp.path(), 0, None).await;
    for (slug, title, day, body) in [
        (
            ALPHA,
            "Floods hit the city",
            "2026-11-20",
            "The river rose.",
        ),
        (
            BETA,
            "Schools reopen",
            "2026-11-22",
            "Schools were closed on Monday.",
        ),
        (
            GAMMA,
            "Market day",
            "2026-11-24",
            "The market opened early.",
        ),
    ] {
        assert_eq!(
            app.post_article(&article(slug, title, day, body))
                .await
                .status(),
            202
        );
    }
    let (s, _) = api_post(&app, &format!("/api/v1/articles/{BETA}/pt/hold"), json!({})).await;
    assert_eq!(s, 200);

    let all = list(&app, "").await;
    assert_eq!(slugs(&all), [GAMMA, BETA, ALPHA]);
    assert_eq!(all["counts"]["articles"], 3);
    // Two targets (pt, ar) of three articles, none translated yet.
    assert_eq!(all["counts"]["by_status"]["queued"], 6, "{all}");
    assert_eq!(all["counts"]["by_status"]["published"], 0);
    assert_eq!(statuses(&all, BETA, "pt"), ["queued"]);
    assert_eq!(all["newer"], Value::Null);
    assert_eq!(all["older"], Value::Null);

    // Pages of two, forward and back.
    let p1 = list(&app, "?limit=2").await;
    assert_eq!(slugs(&p1), [GAMMA, BETA]);
    assert_eq!(p1["newer"], Value::Null);
    let older = p1["older"].as_str().unwrap().to_string();
    let p2 = list(&app, &format!("?limit=2&after={older}")).await;
    assert_eq!(slugs(&p2), [ALPHA]);
    assert_eq!(p2["older"], Value::Null);
    let newer = p2["newer"].as_str().unwrap().to_string();
    let back = list(&app, &format!("?limit=2&before={newer}")).await;
    assert_eq!(slugs(&back), [GAMMA, BETA]);
    assert_eq!(back["newer"], Value::Null, "the first page again");

    // Search (slug or title, any case) and dates (whole days, UTC).
    assert_eq!(slugs(&list(&app, "?q=school").await), [BETA]);
    assert_eq!(slugs(&list(&app, "?q=ALPHA").await), [ALPHA]);
    assert_eq!(slugs(&list(&app, "?q=%25").await), Vec::<String>::new());
    assert_eq!(
        slugs(&list(&app, "?from=2026-11-21&to=2026-11-22").await),
        [BETA]
    );
    assert_eq!(slugs(&list(&app, "?to=2026-11-20").await), [ALPHA]);
    assert_eq!(
        slugs(&list(&app, "?status=published").await),
        Vec::<String>::new()
    );
    for (query, field) in [
        ("?status=lost", "status"),
        ("?lang=fr", "lang"),
        ("?from=2026-02-30", "from"),
        ("?after=x", "after"),
        ("?limit=0", "limit"),
    ] {
        let (status, v) = app.get_json(&format!("/api/v1/articles{query}")).await;
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (422, Some(field)),
            "{query}: {v}"
        );
    }

    // Translate: pt is published (alpha, gamma) or held (beta, by the
    // editor's hold); ar has no model and stays queued.
    let (dir, key, _) = app.stop().await;
    let app = start(config, &dir, 1, Some(key)).await;
    for slug in [ALPHA, BETA, GAMMA] {
        app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
            .await;
        app.wait_scored(slug, "pt").await;
    }
    // Alpha is revised while an editor holds it: readers keep revision 1.
    let (s, _) = api_post(
        &app,
        &format!("/api/v1/articles/{ALPHA}/pt/hold"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let mut revised = article(
        ALPHA,
        "Floods hit the city",
        "2026-11-20",
        "The river rose again.",
    );
    revised["summary"] = json!("Revised.");
    assert_eq!(app.post_article(&revised).await.status(), 202);
    app.wait_for_job(ALPHA, "pt", "done", Duration::from_secs(120))
        .await;
    app.wait_until(Duration::from_secs(120), || async {
        let (_, v) = app.get_json(&format!("/api/v1/articles/{ALPHA}/pt")).await;
        if v["revision"] == 2 && v["quality"]["confidence_mean"].is_number() {
            Ok(())
        } else {
            Err(format!("revision 2 not translated and scored: {v}"))
        }
    })
    .await;
    // Gamma gets a person's Arabic, and an open flag on its Portuguese.
    let put = app
        .client
        .put(format!("{}/api/v1/articles/{GAMMA}/ar", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"title": "يوم السوق", "body_html": "<p>افتتح السوق مبكرا.</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let store = &app.app().ctx.store;
    let pt = Lang::parse("pt").unwrap();
    let gamma = store.article(&Slug::parse(GAMMA).unwrap()).await.unwrap();
    store
        .replace_qa_flags(
            gamma.id,
            pt,
            RevisionNo(1),
            &[NewQaFlag {
                segment_idx: Some(1),
                check: Check::Numbers,
                severity: Severity::Warning,
                detail: "seeded by the test".into(),
            }],
        )
        .await
        .unwrap();
    // Beta's and alpha's own findings are whatever the model's output
    // gives; cleared so `flagged` is exactly the seeded one.
    for slug in [ALPHA, BETA] {
        let a = store.article(&Slug::parse(slug).unwrap()).await.unwrap();
        store
            .replace_qa_flags(a.id, pt, a.current_revision, &[])
            .await
            .unwrap();
    }

    let all = list(&app, "").await;
    assert_eq!(statuses(&all, GAMMA, "pt"), ["flagged", "published"]);
    assert_eq!(statuses(&all, GAMMA, "ar"), ["human", "published"]);
    assert_eq!(statuses(&all, BETA, "pt"), ["held"]);
    assert_eq!(
        statuses(&all, ALPHA, "pt"),
        ["held", "outdated", "published"]
    );
    assert_eq!(statuses(&all, ALPHA, "ar"), ["queued"]);
    let gamma_pt = &all["articles"][0]["languages"][0];
    assert_eq!(
        (gamma_pt["lang"].as_str(), gamma_pt["open_flags"].as_i64()),
        (Some("pt"), Some(1))
    );
    for (query, expected) in [
        ("?status=held", vec![BETA, ALPHA]),
        ("?status=held&lang=ar", vec![]),
        ("?status=published&lang=pt", vec![GAMMA, ALPHA]),
        ("?status=outdated", vec![ALPHA]),
        ("?status=flagged", vec![GAMMA]),
        ("?status=human", vec![GAMMA]),
        ("?status=queued&lang=ar", vec![BETA, ALPHA]),
        ("?status=queued&lang=pt", vec![]),
        ("?status=published&q=market", vec![GAMMA]),
    ] {
        assert_eq!(slugs(&list(&app, query).await), expected, "{query}");
    }
    let pt_counts = list(&app, "?lang=pt").await["counts"]["by_status"].clone();
    assert_eq!(
        pt_counts,
        json!({"queued": 0, "failed": 0, "held": 2, "flagged": 1, "outdated": 1, "human": 0, "published": 2})
    );
    let ar_counts = list(&app, "?lang=ar").await["counts"]["by_status"].clone();
    assert_eq!(
        (
            ar_counts["queued"].as_i64(),
            ar_counts["human"].as_i64(),
            ar_counts["published"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );

    // The same list at /admin/articles, for people.
    store.create_user(USER, PASSWORD).await.unwrap();
    let c = client();
    let cookie = login(&app, &c).await;
    let (status, html) = get_page(&app, &c, &cookie, "/admin/articles?status=held&lang=pt").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-desk="total">3<"#), "{html}");
    assert!(
        html.contains(r#"data-status="held" aria-current="true">held <strong>2</strong>"#),
        "{html}"
    );
    let rows: Vec<&str> = html
        .match_indices(r#"data-desk="article" data-article=""#)
        .map(|(i, m)| html[i + m.len()..].split('"').next().unwrap())
        .collect();
    assert_eq!(rows, [BETA, ALPHA]);
    assert!(html.contains(&format!(r#"href="/admin/articles/{BETA}/pt""#)));
    assert!(html.contains(r#"<option value="pt" selected>"#));
    // A bad filter is said, and the whole list shown.
    let (status, html) = get_page(&app, &c, &cookie, "/admin/articles?from=yesterday").await;
    assert_eq!(status, 422);
    assert!(
        html.contains(r#"data-desk="filter-error""#) && html.contains("from"),
        "{html}"
    );
    assert_eq!(html.matches(r#"data-desk="article""#).count(), 3);
    // Pages of the admin list keep the filters.
    let (_, html) = get_page(&app, &c, &cookie, "/admin/articles?q=a").await;
    assert!(!html.contains(r#"data-desk="older""#), "three fit one page");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_list_filters_counts_and_pages_on_sqlite() {
    list_filters_and_pages(CONFIG).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_list_filters_counts_and_pages_on_postgres() {
    let Some(pg) = PgDatabase::create() else {
        return;
    };
    list_filters_and_pages(&format!("{CONFIG}database_url = \"{}\"\n", pg.url)).await;
}

/// The sentence the editor fixes, and the editor's Portuguese: not what the
/// model says (a newsroom's own wording), so seeing it proves the edit.
const SENTENCE: &str = "Schools were closed on Monday.";
const FIXED: &str = "As escolas ficaram fechadas na segunda-feira, segundo a prefeitura.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_article_review_edits_a_sentence_and_approves_the_held_version() {
    let tmp = tempfile::tempdir().unwrap();
    // Every version waits for an editor (issue 20's `review` policy).
    let config = format!("{CONFIG}[publishing]\npolicy = \"review\"\n");
    let app = start(&config, tmp.path(), 1, None).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let slug = "school-closures";
    let r = app
        .post_article(&json!({
            "slug": slug,
            "title": "Storm closes schools",
            "summary": "The river rose.",
            "body_html": format!("<p>Heavy rain fell overnight.</p><p>{SENTENCE}</p>"),
        }))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
        .await;
    let pt = Lang::parse("pt").unwrap();
    let article = store.article(&Slug::parse(slug).unwrap()).await.unwrap();
    let segments = store.segments(article.id, pt).await.unwrap();
    // Title (1 sentence), summary (1), body (2): the pipeline's order.
    assert_eq!(segments.len(), 4, "{segments:?}");
    let seg = &segments[3];
    assert_eq!(warta_core::normalize_segment(&seg.source_text), SENTENCE);
    assert_ne!(seg.target_text, FIXED);
    assert_eq!(
        app.page(&format!("/pt/{slug}")).await.0,
        404,
        "held: not public"
    );

    let c = client();
    let cookie = login(&app, &c).await;
    let review = format!("/admin/articles/{slug}/pt");
    let (status, html) = get_page(&app, &c, &cookie, &review).await;
    assert_eq!(status, 200);
    assert!(html.contains("Storm closes schools"));
    for heading in [">Title<", ">Summary<", ">Body<"] {
        assert!(html.contains(heading), "{heading}: {html}");
    }
    assert_eq!(html.matches(r#"data-desk="sentence""#).count(), 4);
    assert!(html.contains(r#"data-desk="hold-reason""#), "{html}");
    assert!(html.contains(r#"data-desk="approve">Approve and publish<"#));
    assert!(html.contains(&format!(r#"href="{review}/preview""#)));
    assert!(html.contains(&format!(r#"action="{review}/segments/3""#)));
    assert!(html.contains(SENTENCE));
    assert!(
        !html.contains(r#"data-desk="public""#),
        "nothing public yet"
    );
    let csrf = csrf_of(&html);

    // The preview is the site's own page for the held text.
    let (status, preview) = get_page(&app, &c, &cookie, &format!("{review}/preview")).await;
    assert_eq!(status, 200);
    assert!(preview.contains(r#"<html lang="pt""#), "{preview}");
    assert!(
        preview.contains(&seg.target_text.replace('\'', "&#39;"))
            || preview.contains(&seg.target_text)
    );

    // A sentence with no token is refused; a blank one comes back with
    // the reason beside it.
    let save = format!("{review}/segments/3");
    let r = post_form(&app, &c, &cookie, &save, &[("text", FIXED)]).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = post_form(&app, &c, &cookie, &save, &[("text", "  "), ("csrf", &csrf)]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"data-desk="form-error""#), "{html}");

    // Saved: back at the sentence, in the store as the editor's, and the
    // page rebuilt through the queue.
    let r = post_form(
        &app,
        &c,
        &cookie,
        &save,
        &[("text", FIXED), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(header(&r, "location"), format!("{review}?flash=saved#s3"));
    let saved = &store.segments(article.id, pt).await.unwrap()[3];
    assert_eq!(saved.target_text, FIXED);
    assert_eq!(saved.origin, warta_store::Origin::Human);
    app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
        .await;
    let v = app
        .wait_until(Duration::from_secs(60), || async {
            let (_, v) = app.get_json(&format!("/api/v1/articles/{slug}/pt")).await;
            if v["body_html"].as_str().is_some_and(|b| b.contains(FIXED)) {
                Ok(v)
            } else {
                Err(format!("not rebuilt yet: {v}"))
            }
        })
        .await;
    assert_eq!(v["state"], "held", "the review policy still holds it");

    // Approved as a whole: published, the editor recorded, readers see the fix.
    let none: &[(&str, &str)] = &[];
    let r = post_form(&app, &c, &cookie, &format!("{review}/approve"), none).await;
    assert_eq!(r.status().as_u16(), 403, "no token");
    let r = post_form(
        &app,
        &c,
        &cookie,
        &format!("{review}/approve"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(header(&r, "location"), format!("{review}?flash=approved"));
    let v = store.version(article.id, pt).await.unwrap().unwrap();
    assert_eq!(v.state, warta_store::VersionState::Published);
    assert_eq!(v.reviewed_by.as_deref(), Some(USER));
    let (status, public) = app.page(&format!("/pt/{slug}")).await;
    assert_eq!(status, 200);
    assert!(public.contains(FIXED), "{public}");
    let (_, html) = get_page(&app, &c, &cookie, &format!("{review}?flash=approved")).await;
    assert!(html.contains(r#"data-desk="flash""#) && html.contains(r#"data-desk="public""#));
    assert!(html.contains(r#"data-desk="approve">Mark as reviewed<"#));

    // Not an article, not a target language: 404.
    for path in [
        "/admin/articles/no-such-story/pt",
        &format!("/admin/articles/{slug}/en"),
    ] {
        assert_eq!(get_page(&app, &c, &cookie, path).await.0, 404, "{path}");
    }
    app.stop().await;
}

async fn metrics(app: &TestApp) -> String {
    app.page("/metrics").await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dismissed_flags_keep_their_reason_and_are_counted_per_check() {
    let app = TestApp::spawn(1).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let slug = "market-prices";
    app.post_article(&article(
        slug,
        "Market prices",
        "2026-11-24",
        "Rice cost 12,000 rupiah a kilo in 2024.",
    ))
    .await;
    app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
        .await;
    app.wait_scored(slug, "pt").await;
    let pt = Lang::parse("pt").unwrap();
    let a = store.article(&Slug::parse(slug).unwrap()).await.unwrap();
    // Seeded findings (replacing whatever the checks said), so the counts
    // below follow from them alone.
    let seeded = [
        NewQaFlag {
            segment_idx: Some(1),
            check: Check::Numbers,
            severity: Severity::Error,
            detail: "2024 missing".into(),
        },
        NewQaFlag {
            segment_idx: Some(1),
            check: Check::Numbers,
            severity: Severity::Warning,
            detail: "12,000 written differently".into(),
        },
        NewQaFlag {
            segment_idx: None,
            check: Check::Tags,
            severity: Severity::Warning,
            detail: "a link was lost".into(),
        },
    ];
    store
        .replace_qa_flags(a.id, pt, RevisionNo(1), &seeded)
        .await
        .unwrap();
    let flags = store.qa_flags(a.id, pt, RevisionNo(1)).await.unwrap();
    let id_of = |detail: &str| flags.iter().find(|f| f.detail == detail).unwrap().id;
    let (year, spelling, link) = (
        id_of("2024 missing"),
        id_of("12,000 written differently"),
        id_of("a link was lost"),
    );

    // At the desk: the flags beside their sentence, each with a form.
    let c = client();
    let cookie = login(&app, &c).await;
    let review = format!("/admin/articles/{slug}/pt");
    let (_, html) = get_page(&app, &c, &cookie, &review).await;
    for id in [year, spelling, link] {
        assert!(
            html.contains(&format!(r#"action="/admin/flags/{id}/dismiss""#)),
            "{id}: {html}"
        );
    }
    let csrf = csrf_of(&html);
    let dismiss = format!("/admin/flags/{year}/dismiss");
    let r = post_form(&app, &c, &cookie, &dismiss, &[("reason", "it is there")]).await;
    assert_eq!(r.status().as_u16(), 403, "no token");
    let r = post_form(
        &app,
        &c,
        &cookie,
        &dismiss,
        &[("reason", " "), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422, "no reason");
    let r = post_form(
        &app,
        &c,
        &cookie,
        &dismiss,
        &[("reason", "the year is in the sentence"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        header(&r, "location"),
        format!("{review}?flash=dismissed#s1")
    );
    let r = post_form(
        &app,
        &c,
        &cookie,
        &dismiss,
        &[("reason", "again"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 409, "already dismissed");
    let (_, html) = get_page(&app, &c, &cookie, &review).await;
    assert!(
        html.contains(&format!(
            "— dismissed by {USER}: the year is in the sentence"
        )),
        "{html}"
    );

    // Through the API, by flag id; the key's name is the editor.
    let (status, v) = api_post(
        &app,
        &format!("/api/v1/flags/{link}/dismiss"),
        json!({"reason": "the link is in the footer"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], link);
    assert_eq!(v["resolved"], true);
    assert_eq!(v["resolved_by"], "test-cms");
    assert_eq!(v["dismissed_reason"], "the link is in the footer");
    for (path, body, expected) in [
        (
            format!("/api/v1/flags/{link}/dismiss"),
            json!({"reason": "x"}),
            409,
        ),
        (
            "/api/v1/flags/999999/dismiss".to_string(),
            json!({"reason": "x"}),
            404,
        ),
        (
            format!("/api/v1/flags/{spelling}/dismiss"),
            json!({"reason": ""}),
            422,
        ),
        (
            "/api/v1/flags/abc/dismiss".to_string(),
            json!({"reason": "x"}),
            422,
        ),
        (
            format!("/api/v1/flags/{spelling}/dismiss"),
            json!({"why": "x"}),
            422,
        ),
    ] {
        let (status, v) = api_post(&app, &path, body).await;
        assert_eq!(status, expected, "{path}: {v}");
    }

    // Counted per check, in the stats and the metrics.
    let (_, stats) = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["flags_dismissed"], json!({"numbers": 1, "tags": 1}));
    let m = metrics(&app).await;
    assert!(
        m.contains("warta_flags_dismissed_total{check=\"numbers\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("warta_flags_dismissed_total{check=\"tags\"} 1"),
        "{m}"
    );

    // The checks run again and find the same things: the dismissed ones
    // stay dismissed, the other stays open.
    store
        .replace_qa_flags(a.id, pt, RevisionNo(1), &seeded)
        .await
        .unwrap();
    let again = store.qa_flags(a.id, pt, RevisionNo(1)).await.unwrap();
    let find = |d: &str| again.iter().find(|f| f.detail == d).unwrap();
    assert_eq!(
        find("2024 missing").dismissed_reason.as_deref(),
        Some("the year is in the sentence")
    );
    assert!(find("12,000 written differently").resolved_at.is_none());
    app.stop().await;
}

/// The issue's acceptance flow in headless Chromium, by keyboard alone
/// (tests/browser/desk-flow.mjs): log in, find an article, dismiss a flag,
/// fix a sentence, approve the held version; each desk page fits 1280 and
/// 390 px. Then the store is asked whether each step happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_does_the_whole_desk_flow_in_chromium() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = format!("{CONFIG}[publishing]\npolicy = \"review\"\n");
    let app = start(&config, tmp.path(), 1, None).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let slug = "flooded-market";
    let r = app
        .post_article(&json!({
            "slug": slug,
            "title": "Floods close the market",
            "summary": "The river rose two metres overnight.",
            "body_html": format!("<p>Rice cost 12,000 rupiah a kilo.</p><p>{SENTENCE}</p>"),
        }))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
        .await;
    app.wait_scored(slug, "pt").await;
    let pt = Lang::parse("pt").unwrap();
    let article = store.article(&Slug::parse(slug).unwrap()).await.unwrap();
    let segments = store.segments(article.id, pt).await.unwrap();
    let idx = segments
        .iter()
        .find(|s| warta_core::normalize_segment(&s.source_text) == SENTENCE)
        .expect("the sentence is a segment")
        .idx;
    // One known flag (replacing what the checks said) on the amount.
    store
        .replace_qa_flags(
            article.id,
            pt,
            RevisionNo(1),
            &[NewQaFlag {
                segment_idx: Some(idx - 1),
                check: Check::Numbers,
                severity: Severity::Error,
                detail: "12,000 missing".into(),
            }],
        )
        .await
        .unwrap();
    let flag = store.qa_flags(article.id, pt, RevisionNo(1)).await.unwrap()[0].id;

    let base = app.base.clone();
    let args: Vec<String> = vec![
        base,
        USER.into(),
        PASSWORD.into(),
        slug.into(),
        "pt".into(),
        idx.to_string(),
        FIXED.into(),
        flag.to_string(),
    ];
    run_browser_script("desk-flow.mjs", args).await;

    // What the browser did, as the store has it.
    let flags = store.qa_flags(article.id, pt, RevisionNo(1)).await.unwrap();
    let dismissed = flags.iter().find(|f| f.detail == "12,000 missing").unwrap();
    assert_eq!(dismissed.resolved_by.as_deref(), Some(USER));
    assert_eq!(
        dismissed.dismissed_reason.as_deref(),
        Some("the figure is right in the original")
    );
    let seg = &store.segments(article.id, pt).await.unwrap()[idx as usize];
    assert_eq!(seg.target_text, FIXED);
    let v = store.version(article.id, pt).await.unwrap().unwrap();
    assert_eq!(v.state, warta_store::VersionState::Published);
    assert_eq!(v.reviewed_by.as_deref(), Some(USER));
    app.stop().await;
}

/// The glossary at the desk: add a keep-as-is entry and see the article
/// that mentions it re-translated with the term kept, edit it, search it,
/// delete it; each change says how many translations it re-queued (one:
/// the one article that mentions the term).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_changes_at_the_desk_requeue_the_articles_that_mention_the_term() {
    let app = TestApp::spawn(1).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let slug = "kompas-report";
    app.post_article(&article(
        slug,
        "A newspaper report",
        "2026-11-24",
        "The newspaper Kompas reported the floods on Monday.",
    ))
    .await;
    app.post_article(&article("other-story", "Rain", "2026-11-24", "It rained."))
        .await;
    for s in [slug, "other-story"] {
        app.wait_for_job(s, "pt", "done", Duration::from_secs(120))
            .await;
        app.wait_scored(s, "pt").await;
    }
    let pt = Lang::parse("pt").unwrap();
    let article_id = store.article(&Slug::parse(slug).unwrap()).await.unwrap().id;
    let before = store
        .version(article_id, pt)
        .await
        .unwrap()
        .unwrap()
        .translated_at;

    let c = client();
    let cookie = login(&app, &c).await;
    let (status, html) = get_page(&app, &c, &cookie, "/admin/glossary").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-desk="empty""#), "{html}");
    let csrf = csrf_of(&html);

    // Refused: no token; no source term.
    let add = |form: Vec<(&'static str, String)>| {
        let c = &c;
        let cookie = &cookie;
        let base = &app.base;
        async move {
            c.post(format!("{base}/admin/glossary"))
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let kompas = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("source", "Kompas".to_string()),
            ("target_lang", "pt".to_string()),
            ("target", String::new()),
            ("keep", "on".to_string()),
            ("case_sensitive", "on".to_string()),
            ("note", "".to_string()),
        ]
    };
    assert_eq!(add(kompas("")).await.status().as_u16(), 403);
    let mut blank = kompas(&csrf);
    blank[1].1 = "  ".into();
    let r = add(blank).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"data-desk="form-error">Source term"#),
        "{html}"
    );

    // Added: one translation re-queued, and made again with the term kept.
    let r = add(kompas(&csrf)).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        header(&r, "location"),
        "/admin/glossary?flash=added&requeued=1"
    );
    let (_, html) = get_page(&app, &c, &cookie, "/admin/glossary?flash=added&requeued=1").await;
    assert!(
        html.contains("Entry added; 1 translation re-queued"),
        "{html}"
    );
    assert!(html.contains("kept as is") && html.contains("match case"));
    let id = store.list_glossary(Some(pt)).await.unwrap()[0].id;
    let v = app
        .wait_until(Duration::from_secs(120), || async {
            let v = store.version(article_id, pt).await.unwrap().unwrap();
            if v.translated_at > before {
                Ok(v)
            } else {
                Err("not translated again yet".to_string())
            }
        })
        .await;
    assert!(v.body_html.contains("Kompas"), "{}", v.body_html);
    // The same term again is a clash, said on the page.
    let r = add(kompas(&csrf)).await;
    assert_eq!(r.status().as_u16(), 409);

    // Edited: a note; the article is made again once more.
    let (status, html) = get_page(&app, &c, &cookie, &format!("/admin/glossary/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"value="Kompas""#) && html.contains(r#"name="keep" checked"#),
        "{html}"
    );
    let mut edited = kompas(&csrf);
    edited[6].1 = "Indonesian daily".into();
    let r = post_form(&app, &c, &cookie, &format!("/admin/glossary/{id}"), &edited).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        header(&r, "location"),
        "/admin/glossary?flash=changed&requeued=1"
    );
    assert_eq!(
        store
            .glossary_entry(id)
            .await
            .unwrap()
            .unwrap()
            .note
            .as_deref(),
        Some("Indonesian daily")
    );
    let (_, html) = get_page(&app, &c, &cookie, "/admin/glossary?q=indonesian").await;
    assert_eq!(html.matches(r#"data-desk="entry""#).count(), 1);
    let (_, html) = get_page(&app, &c, &cookie, "/admin/glossary?q=zzz").await;
    assert!(html.contains(r#"data-desk="empty""#));

    // Deleted.
    let r = post_form(
        &app,
        &c,
        &cookie,
        &format!("/admin/glossary/{id}/delete"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(header(&r, "location").starts_with("/admin/glossary?flash=deleted&requeued="));
    assert!(store.list_glossary(None).await.unwrap().is_empty());
    app.stop().await;
}

/// The organisation whose name the en→pt test model translates word by
/// word, and what it makes of it: `printf 'Volunteers from Clean Water
/// Alliance handed out bottles on Monday.\n' | warta translate --from en
/// --to pt --models-dir target/test-models` printed "Voluntários da Aliança
/// de Água Limpa entregaram garrafas na segunda-feira." (2026-12-03) — the
/// kind of garbled name the glossary's keep-as-is entries are for.
const GARBLED_NAME: &str = "Clean Water Alliance";
const ITS_GARBLING: &str = "Aliança de Água Limpa";

/// "Add a glossary term and see the article re-translated" (issue 21) in
/// headless Chromium by keyboard alone (tests/browser/glossary-flow.mjs):
/// the term the model garbles is added as keep-as-is at /admin/glossary,
/// the page says 1 translation was re-queued, and the reader's page then
/// has the name as written. Then the store is asked whether it happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_adds_a_glossary_term_and_sees_the_article_translated_again_in_chromium() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(1).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let slug = "bottled-water";
    app.post_article(&article(
        slug,
        "Water for the flooded town",
        "2026-11-24",
        &format!("Volunteers from {GARBLED_NAME} handed out bottles on Monday."),
    ))
    .await;
    app.post_article(&article("other-story", "Rain", "2026-11-24", "It rained."))
        .await;
    for s in [slug, "other-story"] {
        app.wait_for_job(s, "pt", "done", Duration::from_secs(120))
            .await;
        app.wait_scored(s, "pt").await;
    }
    let pt = Lang::parse("pt").unwrap();
    let article_id = store.article(&Slug::parse(slug).unwrap()).await.unwrap().id;
    let before = store.version(article_id, pt).await.unwrap().unwrap();
    assert!(
        before.body_html.contains(ITS_GARBLING) && !before.body_html.contains(GARBLED_NAME),
        "the model garbles the name as it did from the command line: {}",
        before.body_html
    );

    run_browser_script(
        "glossary-flow.mjs",
        vec![
            app.base.clone(),
            USER.into(),
            PASSWORD.into(),
            slug.into(),
            "pt".into(),
            GARBLED_NAME.into(),
        ],
    )
    .await;

    // What the browser did, as the store has it: the entry, by the editor,
    // and the article translated again with the name kept.
    let entries = store.list_glossary(Some(pt)).await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    // Keep-as-is is stored as the term translated by itself.
    assert_eq!(
        (
            entries[0].source_term.as_str(),
            entries[0].target_term.as_str(),
            entries[0].case_sensitive
        ),
        (GARBLED_NAME, GARBLED_NAME, true)
    );
    let after = store.version(article_id, pt).await.unwrap().unwrap();
    assert!(after.translated_at > before.translated_at);
    assert!(after.body_html.contains(GARBLED_NAME), "{}", after.body_html);
    app.stop().await;
}
