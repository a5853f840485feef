//! The team, the audit log and outside suggestions (issue 21, points 6 and
//! 7) over real HTTP, with the real en→pt model: roles enforced at the desk
//! and in the API, LibreTranslate's `POST /suggest` stored and accepted at
//! the desk and then used when the article is translated again, and the
//! whole flow in headless Chromium (tests/browser/team-flow.mjs).
//!
//! Expected values come from the issue and the brief: an admin creates
//! editors, resets passwords and ends sessions, an editor cannot (403);
//! every such action and every accepted suggestion is in the audit log, by
//! its person; `/suggest` answers as LibreTranslate 1.9.6's `suggest()`
//! (`{"success": true}`, and 400 "Invalid request: missing s parameter");
//! an accepted suggestion is the memory's entry for its sentence, so the
//! re-translation publishes it verbatim.

mod common;

use std::time::Duration;

use common::{
    browser_ready, client, csrf_of, get_page, header, login_as, post_form, run_browser_script,
    test_models, TestApp, CONFIG,
};
use serde_json::{json, Value};
use warta_core::{normalize_segment, Lang, Slug};
use warta_store::Scopes;

const ADMIN: &str = "ayu";
const ADMIN_PASSWORD: &str = "first admin passphrase";
const EDITOR: &str = "dewi";
const EDITOR_PASSWORD: &str = "an editor's passphrase";
/// The desk navigation's link to the team page (templates/admin/base.html).
const TEAM_LINK: &str = r#"<a href="/admin/team">Team</a>"#;

/// A desk form posted with the session of `cookie`: status and `Location`.
async fn desk_post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let r = post_form(app, &client(), cookie, path, form).await;
    (r.status().as_u16(), header(&r, "location"))
}

async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// (actor, action, object) of the audit log, newest first, through the API.
async fn audit(app: &TestApp, query: &str) -> Vec<(String, String, String)> {
    let (status, v) = api(
        app,
        reqwest::Method::GET,
        &format!("/api/v1/audit{query}"),
        &app.key,
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["object"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn triple(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_the_team_and_editors_cannot() {
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 0, None).await;
    let store = &app.app().ctx.store;
    // The command line's first user is an admin.
    store.create_user(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let admin = login_as(&app, &client(), ADMIN, ADMIN_PASSWORD)
        .await
        .unwrap();
    let (status, html) = get_page(&app, &client(), &admin, "/admin/team").await;
    assert_eq!(status, 200);
    // The desk's navigation leads an admin to the team…
    let (_, queue) = get_page(&app, &client(), &admin, "/admin").await;
    assert!(queue.contains(TEAM_LINK), "{queue}");
    assert!(html.contains(r#"data-member="ayu""#), "{html}");
    let csrf = csrf_of(&html);

    // A short password and a bad name are refused, with the reason.
    for (name, pw, why) in [
        (EDITOR, "short", "at least 10 characters"),
        ("two words", EDITOR_PASSWORD, "letters, digits"),
    ] {
        let r = client()
            .post(format!("{}/admin/team", app.base))
            .header("cookie", &admin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", name),
                ("password", pw),
                ("role", "editor"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains(why), "{why}");
    }
    // Without the form token, nothing.
    let (status, _) = desk_post(
        &app,
        &admin,
        "/admin/team",
        &[
            ("username", EDITOR),
            ("password", EDITOR_PASSWORD),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let (status, location) = desk_post(
        &app,
        &admin,
        "/admin/team",
        &[
            ("csrf", &csrf),
            ("username", EDITOR),
            ("password", EDITOR_PASSWORD),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/team?flash=created")
    );

    // The editor: the desk, but not the team.
    let editor = login_as(&app, &client(), EDITOR, EDITOR_PASSWORD)
        .await
        .unwrap();
    let (_, queue) = get_page(&app, &client(), &editor, "/admin").await;
    let editor_csrf = csrf_of(&queue);
    // …and an editor, whom the page refuses, not there: on no desk page
    // (the queue, a list, the audit, and the refusal itself).
    for path in ["/admin", "/admin/articles", "/admin/audit", "/admin/team"] {
        let (_, html) = get_page(&app, &client(), &editor, path).await;
        assert!(html.contains("/admin/logout"), "{path}: the page has the desk's bar");
        assert!(!html.contains(TEAM_LINK), "{path}: {html}");
    }
    let (status, html) = get_page(&app, &client(), &editor, "/admin/team").await;
    assert_eq!(status, 403);
    assert!(html.contains("Only an admin"), "{html}");
    for path in [
        "/admin/team",
        "/admin/team/ayu/sessions",
        "/admin/team/ayu/password",
    ] {
        let (status, _) = desk_post(
            &app,
            &editor,
            path,
            &[
                ("csrf", &editor_csrf),
                ("username", "mallory"),
                ("password", "mallory's passphrase"),
                ("role", "admin"),
            ],
        )
        .await;
        assert_eq!(status, 403, "{path}");
    }
    assert_eq!(
        get_page(&app, &client(), &admin, "/admin").await.0,
        200,
        "the admin is still logged in"
    );
    assert!(login_as(&app, &client(), "mallory", "mallory's passphrase")
        .await
        .is_none());
    // The audit log is every desk user's to read.
    let (status, html) = get_page(&app, &client(), &editor, "/admin/audit").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-action="user_create""#), "{html}");

    // The admin ends the editor's sessions, then sets a new password.
    let (status, location) = desk_post(
        &app,
        &admin,
        "/admin/team/dewi/sessions",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/team?flash=sessions")
    );
    let r = client()
        .get(format!("{}/admin", app.base))
        .header("cookie", &editor)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), header(&r, "location").as_str()),
        (303, "/admin/login"),
        "logged out"
    );
    let (status, _) = desk_post(
        &app,
        &admin,
        "/admin/team/dewi/password",
        &[("csrf", &csrf), ("password", "a brand new passphrase")],
    )
    .await;
    assert_eq!(status, 303);
    assert!(login_as(&app, &client(), EDITOR, EDITOR_PASSWORD)
        .await
        .is_none());
    assert!(login_as(&app, &client(), EDITOR, "a brand new passphrase")
        .await
        .is_some());
    let (status, _) = desk_post(
        &app,
        &admin,
        "/admin/team/nobody/sessions",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 404);

    // The API: a key without the admin scope is refused; an admin key works.
    let (cms, _) = store
        .create_scoped_api_key("cms", Scopes::parse("articles,glossary").unwrap())
        .await
        .unwrap();
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/users"),
        (reqwest::Method::GET, "/api/v1/audit"),
        (reqwest::Method::DELETE, "/api/v1/users/dewi/sessions"),
    ] {
        let (status, v) = api(&app, method, path, &cms, None).await;
        assert_eq!(status, 403, "{path}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("`admin` scope"),
            "{v}"
        );
    }
    let (status, v) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/users",
        &app.key,
        Some(json!({"username": "budi", "password": "budi's passphrase"})),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        (v["username"].as_str(), v["role"].as_str()),
        (Some("budi"), Some("editor"))
    );
    let (status, v) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/users",
        &app.key,
        Some(json!({"username": "budi", "password": "budi's passphrase"})),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/users",
        &app.key,
        Some(json!({"username": "sari", "password": "x", "role": "admin"})),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("password")),
        "{v}"
    );
    let (status, v) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/users/budi/password",
        &app.key,
        Some(json!({"password": "budi's new passphrase"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/users/dewi/sessions",
        &app.key,
        None,
    )
    .await;
    assert_eq!((status, v["ended"].as_u64()), (200, Some(1)), "{v}");
    let (status, v) = api(&app, reqwest::Method::GET, "/api/v1/users", &app.key, None).await;
    assert_eq!(status, 200);
    let team: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["username"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        team,
        [("ayu", "admin"), ("budi", "editor"), ("dewi", "editor")]
    );

    // Who did what, newest first; `test-cms` is the harness's key.
    assert_eq!(
        audit(&app, "").await,
        [
            triple("test-cms", "sessions_end", "user dewi"),
            triple("test-cms", "password_reset", "user budi"),
            triple("test-cms", "user_create", "user budi"),
            triple(ADMIN, "password_reset", "user dewi"),
            triple(ADMIN, "sessions_end", "user dewi"),
            triple(ADMIN, "user_create", "user dewi"),
            triple("system", "user_create", "user ayu"),
        ]
    );
    assert_eq!(
        audit(&app, "?actor=ayu&action=user_create").await,
        [triple(ADMIN, "user_create", "user dewi")]
    );
    let (status, v) = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/audit?action=drop_table",
        &app.key,
        None,
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("action"))
    );
    app.stop().await;
}

/// `POST /suggest` as LibreTranslate clients send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cms_apis_article_writes_are_audited_as_its_key() {
    // Issue 21's brief: every write of an article through
    // `/api/v1/articles` (create, revise, delete) is in the audit log as
    // the API key that made it, shown at the desk and by the API.
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 0, None).await;
    let store = &app.app().ctx.store;
    let (cms, _) = store
        .create_scoped_api_key("newsroom-cms", Scopes::parse("articles").unwrap())
        .await
        .unwrap();
    let post = |title: &'static str| {
        // Dated: an undated article is dated when it arrives, so the same
        // text sent again later would be new content (`same_content`).
        json!({"slug": "banjir-jakarta", "title": title, "body_html": "<p>Hujan deras.</p>",
               "published_at": "2026-12-03T08:00:00Z"})
    };
    let articles = "/api/v1/articles";
    let (status, v) = api(&app, reqwest::Method::POST, articles, &cms, Some(post("Banjir"))).await;
    assert_eq!(status, 202, "{v}");
    let created = triple("newsroom-cms", "article_create", "banjir-jakarta");
    let by_key = "?actor=newsroom-cms";
    assert_eq!(audit(&app, by_key).await, [created.clone()]);
    // The same content again: nothing stored, nothing recorded.
    let (status, v) = api(&app, reqwest::Method::POST, articles, &cms, Some(post("Banjir"))).await;
    assert_eq!((status, v["unchanged"].as_bool()), (202, Some(true)), "{v}");
    let (status, v) =
        api(&app, reqwest::Method::POST, articles, &cms, Some(post("Banjir besar"))).await;
    assert_eq!((status, v["revision"].as_i64()), (202, Some(2)), "{v}");
    let revised = triple("newsroom-cms", "article_revise", "banjir-jakarta");
    assert_eq!(audit(&app, by_key).await, [revised.clone(), created.clone()]);
    let one = format!("{articles}/banjir-jakarta");
    let (status, v) = api(&app, reqwest::Method::DELETE, &one, &cms, None).await;
    assert_eq!(status, 200, "{v}");
    let deleted = triple("newsroom-cms", "article_delete", "banjir-jakarta");
    assert_eq!(
        audit(&app, by_key).await,
        [deleted, revised, created]
    );
    // A refused write records nothing.
    let (status, _) = api(&app, reqwest::Method::DELETE, &format!("{articles}/nothing-here"), &cms, None).await;
    assert_eq!(status, 404);
    assert_eq!(audit(&app, by_key).await.len(), 3);

    // At the desk: each write, with the key's name.
    store.create_user(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let admin = login_as(&app, &client(), ADMIN, ADMIN_PASSWORD)
        .await
        .unwrap();
    let (status, html) = get_page(&app, &client(), &admin, "/admin/audit?actor=newsroom-cms").await;
    assert_eq!(status, 200);
    for action in ["article_create", "article_revise", "article_delete"] {
        assert!(html.contains(&format!(r#"data-action="{action}""#)), "{action}: {html}");
    }
    assert!(html.contains("newsroom-cms"), "{html}");
    assert!(html.contains("revision 2 revised: “Banjir besar”"), "{html}");
}

async fn suggest(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/suggest", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const SLUG: &str = "market-closes";
const SENTENCE: &str = "The market closed early because of the rain.";
const SUGGESTED: &str = "O mercado fechou cedo por causa da chuva forte.";

/// An article with SENTENCE, translated by the real model; the index of
/// SENTENCE's segment.
async fn published(app: &TestApp) -> i64 {
    let r = app
        .post_article(&json!({
            "slug": SLUG,
            "title": "Rain in the city",
            "body_html": format!("<p>Heavy rain fell all day. {SENTENCE}</p>"),
        }))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    app.wait_for_job(SLUG, "pt", "done", Duration::from_secs(120))
        .await;
    let store = &app.app().ctx.store;
    let article = store.article(&Slug::parse(SLUG).unwrap()).await.unwrap();
    let segs = store
        .segments(article.id, Lang::parse("pt").unwrap())
        .await
        .unwrap();
    let seg = segs
        .iter()
        .find(|s| normalize_segment(&s.source_text) == normalize_segment(SENTENCE))
        .expect("the sentence is a segment");
    assert_ne!(seg.target_text, SUGGESTED, "the model's own text differs");
    seg.idx
}

/// The segment's published text, once the article's job is done again.
async fn republished_text(app: &TestApp, idx: i64) -> String {
    let store = app.app().ctx.store.clone();
    app.wait_until(Duration::from_secs(120), || {
        let store = store.clone();
        async move {
            let article = store.article(&Slug::parse(SLUG).unwrap()).await.unwrap();
            let job = &store
                .job_states(article.id, article.current_revision)
                .await
                .unwrap();
            let pt = job.iter().find(|j| j.lang.code() == "pt").unwrap();
            if pt.state != warta_store::JobState::Done {
                return Err(format!("pt job {:?}", pt.state));
            }
            let segs = store
                .segments(article.id, Lang::parse("pt").unwrap())
                .await
                .unwrap();
            Ok(segs[idx as usize].target_text.clone())
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggestion_accepted_at_the_desk_is_used_when_the_article_is_translated_again() {
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 1, None).await;
    let idx = published(&app).await;
    let key = app.key.clone();

    // LibreTranslate's answers: missing fields in its order, the key.
    let (status, v) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("source", "en"),
            ("target", "pt"),
            ("api_key", &key),
        ],
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("Invalid request: missing s parameter"))
    );
    let (status, _) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("s", SUGGESTED),
            ("source", "en"),
            ("target", "pt"),
        ],
    )
    .await;
    assert_eq!(status, 403, "a key is required, as for /translate");
    let (status, v) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("s", SUGGESTED),
            ("source", "pt"),
            ("target", "en"),
            ("api_key", &key),
        ],
    )
    .await;
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("from en into pt, ar"),
        "{v}"
    );
    let long = "x".repeat(2001);
    let (status, v) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("s", &long),
            ("source", "en"),
            ("target", "pt"),
            ("api_key", &key),
        ],
    )
    .await;
    assert_eq!(status, 400, "{v}");
    // Stored: as a form, and again as JSON (the same suggestion, kept once).
    let (status, v) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("s", SUGGESTED),
            ("source", "en"),
            ("target", "pt"),
            ("api_key", &key),
        ],
    )
    .await;
    assert_eq!((status, &v), (200, &json!({"success": true})));
    let r = app
        .client
        .post(format!("{}/suggest", app.base))
        .json(
            &json!({"q": SENTENCE, "s": SUGGESTED, "source": "en", "target": "pt", "api_key": key}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, settings) = app.get_json("/frontend/settings").await;
    assert_eq!(settings["suggestions"], true);
    let (status, open) = app.get_json("/api/v1/suggestions").await;
    assert_eq!(status, 200);
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["submitted_by"], "test-cms");
    let id = open[0]["id"].as_i64().unwrap();

    // An editor accepts it at the desk.
    let store = &app.app().ctx.store;
    store.create_user(EDITOR, EDITOR_PASSWORD).await.unwrap();
    let editor = login_as(&app, &client(), EDITOR, EDITOR_PASSWORD)
        .await
        .unwrap();
    let (status, html) = get_page(&app, &client(), &editor, "/admin/suggestions").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(r#"data-suggestion="{id}""#)) && html.contains(SUGGESTED),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let (status, location) = desk_post(
        &app,
        &editor,
        &format!("/admin/suggestions/{id}/accept"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/suggestions?flash=accepted&requeued=1")
    );
    let (status, _) = desk_post(
        &app,
        &editor,
        &format!("/admin/suggestions/{id}/reject"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 409, "decided once");

    // The worker translates the article again and takes the sentence from
    // the memory, verbatim.
    assert_eq!(republished_text(&app, idx).await, SUGGESTED);
    let page = app.page(&format!("/pt/{SLUG}")).await.1;
    assert!(page.contains(SUGGESTED), "the public page has it");
    assert_eq!(
        audit(&app, "?action=suggestion_accept").await,
        [triple(
            EDITOR,
            "suggestion_accept",
            &format!("suggestion #{id} en→pt")
        )]
    );
    app.stop().await;
}

/// The issue's flow in headless Chromium, by keyboard alone
/// (tests/browser/team-flow.mjs): an admin creates an editor, the editor
/// logs in, is refused the team page and accepts a suggestion; the audit
/// page lists both. Then the store is asked whether each step happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_an_editor_who_accepts_a_suggestion_in_chromium() {
    if !browser_ready(None) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 0, None).await;
    let store = &app.app().ctx.store;
    store.create_user(ADMIN, ADMIN_PASSWORD).await.unwrap();
    let (status, v) = suggest(
        &app,
        &[
            ("q", SENTENCE),
            ("s", SUGGESTED),
            ("source", "en"),
            ("target", "pt"),
            ("api_key", &app.key),
        ],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let id = store
        .suggestions(warta_store::SuggestionState::Open, 0, 10)
        .await
        .unwrap()[0]
        .id;
    let args: Vec<String> = vec![
        app.base.clone(),
        ADMIN.into(),
        ADMIN_PASSWORD.into(),
        EDITOR.into(),
        EDITOR_PASSWORD.into(),
        id.to_string(),
    ];
    run_browser_script("team-flow.mjs", args).await;

    // What the browser did, as the store has it.
    let team = store.team().await.unwrap();
    let dewi = team
        .iter()
        .find(|m| m.username == EDITOR)
        .expect("the editor exists");
    assert_eq!(dewi.role, warta_store::Role::Editor);
    let s = store.suggestion(id).await.unwrap();
    assert_eq!(s.state, warta_store::SuggestionState::Accepted);
    assert_eq!(s.decided_by.as_deref(), Some(EDITOR));
    assert_eq!(
        audit(&app, "").await,
        [
            triple(
                EDITOR,
                "suggestion_accept",
                &format!("suggestion #{id} en→pt")
            ),
            triple(ADMIN, "user_create", "user dewi"),
            triple("system", "user_create", "user ayu"),
        ]
    );
    app.stop().await;
}
