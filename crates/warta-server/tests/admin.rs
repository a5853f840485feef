//! The editors' review queue end to end, over real HTTP with the real en→pt
//! model: log in, find a flagged sentence, fix it, approve it — and see the
//! fix on the public page and reused by the next article with the same
//! sentence (the issue's acceptance sentence, verbatim: "An editor can log
//! in, fix a flagged segment, and see the fix on the public page and reused
//! on the next article that contains the same sentence").
//!
//! Expected security properties come from the issue ("argon2-hashed
//! passwords, secure session cookies, CSRF tokens") and the OWASP session
//! and CSRF cheat sheets (HttpOnly + SameSite cookies, per-session token,
//! 403 on a missing or wrong token, no framing, no caching of admin pages).

mod common;

use std::time::Duration;

use common::{
    client, create_editor, csrf_of, header, login, post_form, post_login, TestApp, PASSWORD, USER,
};
use serde_json::json;
use warta_core::{normalize_segment, Lang, Pair, Slug};
use warta_store::{tm_source_hash, NewQaFlag, Origin, RevisionNo, Severity};

/// The sentence the editor fixes: its own paragraph, so it is one segment
/// whatever else the article holds.
const SENTENCE: &str = "Schools were closed on Monday.";
/// The editor's Portuguese: not what the model says (it keeps the exact
/// wording of a newsroom style guide), so seeing it proves it came from the
/// edit.
const FIXED: &str = "As escolas ficaram fechadas na segunda-feira, segundo a prefeitura.";

/// Every admin response is uncacheable, unframeable and script-free.
fn assert_admin_headers(r: &reqwest::Response) {
    assert_eq!(header(r, "cache-control"), "no-store");
    assert_eq!(header(r, "x-frame-options"), "DENY");
    let csp = header(r, "content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("script-src"),
        "no script is allowed at all: {csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_secure_session_cookie_and_the_queue_requires_it() {
    let app = TestApp::spawn(0).await;
    create_editor(&app).await;
    let c = client();

    // Not logged in: every admin page sends you to the login form.
    for path in ["/admin", "/admin/segments/any-story/pt/0"] {
        let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{path}");
        assert_eq!(header(&r, "location"), "/admin/login", "{path}");
        assert_admin_headers(&r);
    }
    let r = c
        .post(format!("{}/admin/segments/any-story/pt/0", app.base))
        .form(&[("text", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "location"), "/admin/login");

    let r = c
        .get(format!("{}/admin/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_admin_headers(&r);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#), "{html}");
    assert!(!html.contains("<script"), "the admin uses no script");

    // Wrong password: 401, the form again, no cookie; the name typed is
    // shown back escaped.
    let r = c
        .post(format!("{}/admin/login", app.base))
        .form(&[("username", "<b>rina</b>"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("Wrong username or password"), "{html}");
    assert!(!html.contains("<b>rina"), "escaped: {html}");
    assert!(
        html.contains("&#60;b&#62;rina") || html.contains("&lt;b&gt;rina"),
        "escaped: {html}"
    );

    // Right password: a session cookie only scripts cannot read and other
    // sites cannot send, scoped to /admin, for one shift.
    let r = post_login(&app, &c).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(header(&r, "location"), "/admin");
    let set = header(&r, "set-cookie");
    let token = set
        .strip_prefix("warta_session=")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    assert_eq!(token.len(), 64, "{set}");
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=28800",
    ] {
        assert!(set.split("; ").any(|a| a == attr), "{attr} missing: {set}");
    }
    assert!(
        !set.contains("Secure"),
        "the test site is http://, where a Secure cookie would be dropped"
    );
    let cookie = set.split(';').next().unwrap().to_string();

    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_admin_headers(&r);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"data-admin="empty""#), "{html}");
    assert!(html.contains(USER));

    // Logging out needs the form token, then ends the session.
    let r = c
        .post(format!("{}/admin/logout", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let csrf = csrf_of(&html);
    let r = post_form(
        &app,
        &c,
        &cookie,
        "/admin/logout",
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(header(&r, "set-cookie").contains("Max-Age=0"));
    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&r, "location"),
        "/admin/login",
        "the old cookie no longer works"
    );

    // A login form posted from another site is refused outright.
    let r = c
        .post(format!("{}/admin/login", app.base))
        .header("origin", "https://evil.example")
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_are_throttled_per_user() {
    let app = TestApp::spawn(0).await;
    // A name of its own: the throttle counts per username (and per address).
    app.app()
        .ctx
        .store
        .create_user("throttled-editor", PASSWORD)
        .await
        .unwrap();
    let c = client();
    let attempt = |password: &'static str| {
        c.post(format!("{}/admin/login", app.base))
            .form(&[("username", "throttled-editor"), ("password", password)])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess").await.unwrap().status().as_u16(), 401);
    }
    let r = attempt("guess").await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(!header(&r, "retry-after").is_empty());
    // Even the right password waits out the window: a guesser cannot be told apart.
    assert_eq!(attempt(PASSWORD).await.unwrap().status().as_u16(), 429);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_fixes_a_flagged_sentence_and_the_fix_is_published_and_reused() {
    let app = TestApp::spawn(1).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    let (en, pt) = (Lang::english(), Lang::parse("pt").unwrap());

    let r = app
        .post_article(&json!({
            "slug": "school-closures",
            "title": "Storm closes schools",
            "body_html": format!("<p>The river rose two metres overnight.</p><p>{SENTENCE}</p>"),
        }))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    app.wait_for_job("school-closures", "pt", "done", Duration::from_secs(120))
        .await;
    app.wait_scored("school-closures", "pt").await;

    // QA is seeded by hand (replacing whatever the checks found), so the
    // queue holds exactly this finding whatever the model wrote.
    let article = store
        .article(&Slug::parse("school-closures").unwrap())
        .await
        .unwrap();
    let segments = store.segments(article.id, pt).await.unwrap();
    let seg = segments
        .iter()
        .find(|s| normalize_segment(&s.source_text) == SENTENCE)
        .expect("the sentence is a segment");
    let machine_text = seg.target_text.clone();
    assert_ne!(machine_text, FIXED);
    let flag = NewQaFlag {
        segment_idx: Some(seg.idx),
        check: warta_store::Check::Numbers,
        severity: Severity::Error,
        detail: "weekday missing".into(),
    };
    store
        .replace_qa_flags(article.id, pt, RevisionNo(1), &[flag])
        .await
        .unwrap();

    let c = client();
    let cookie = login(&app, &c).await;

    // The queue: badge, check, story linked to its public page, source and
    // target side by side.
    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"data-admin="total">1<"#), "{html}");
    assert!(html.contains(r#"class="badge badge-error""#));
    assert!(html.contains("numbers") && html.contains("weekday missing"));
    assert!(
        html.contains(&format!("{}/pt/school-closures", app.base)),
        "link to the public page"
    );
    assert!(html.contains("Storm closes schools"));
    assert!(html.contains(SENTENCE));
    let edit = format!("/admin/segments/school-closures/pt/{}", seg.idx);
    assert!(html.contains(&edit), "{html}");

    // The edit form: source, current target in a textarea, flags, token.
    let r = c
        .get(format!("{}{edit}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_admin_headers(&r);
    let html = r.text().await.unwrap();
    assert!(html.contains(SENTENCE) && html.contains("weekday missing"));
    assert!(html.contains("<textarea"), "{html}");
    let csrf = csrf_of(&html);
    assert_eq!(csrf.len(), 32);

    // No token, or someone else's: 403, nothing changes.
    for form in [
        vec![("text", FIXED)],
        vec![
            ("text", FIXED),
            ("csrf", "0123456789abcdef0123456789abcdef"),
        ],
    ] {
        let r = post_form(&app, &c, &cookie, &edit, &form).await;
        assert_eq!(r.status().as_u16(), 403);
    }
    assert_eq!(
        store.segments(article.id, pt).await.unwrap()[seg.idx as usize].target_text,
        machine_text
    );

    // Blank or control characters: the form again, 422.
    for bad in ["   ", "bad\u{7}bell"] {
        let r = post_form(
            &app,
            &c,
            &cookie,
            &edit,
            &[("text", bad), ("csrf", csrf.as_str())],
        )
        .await;
        assert_eq!(r.status().as_u16(), 422, "{bad:?}");
        assert!(r
            .text()
            .await
            .unwrap()
            .contains(r#"data-admin="form-error""#));
    }

    // Approve: back to the queue with the news, the flag resolved.
    let r = post_form(
        &app,
        &c,
        &cookie,
        &edit,
        &[("text", FIXED), ("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(header(&r, "location"), "/admin?flash=published");
    let html = c
        .get(format!("{}/admin?flash=published", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"data-admin="flash""#) && html.contains("Approved and published"),
        "{html}"
    );
    assert!(
        !html.contains(&format!(
            r#"data-article="school-closures" data-lang="pt" data-segment="{}""#,
            seg.idx
        )),
        "the fixed sentence left the queue: {html}"
    );
    assert!(store
        .review_queue(100, 0)
        .await
        .unwrap()
        .iter()
        .all(|i| !(i.slug.as_str() == "school-closures" && i.segment.idx == seg.idx)));

    // The translation memory holds the fix as human, for this pair and sentence.
    let hits = store
        .tm_lookup(
            Pair { src: en, trg: pt },
            &[tm_source_hash(SENTENCE)],
            "no-such-model",
            -1,
        )
        .await
        .unwrap();
    let hit = hits
        .get(&tm_source_hash(SENTENCE))
        .expect("a memory entry for the sentence");
    assert_eq!(
        (hit.target_text.as_str(), hit.origin),
        (FIXED, Origin::Human)
    );

    // Republished within seconds, through the queue ahead of any backlog:
    // the public page and the stored segment show it.
    app.wait_until(Duration::from_secs(30), || async {
        let (status, page) = app.page("/pt/school-closures").await;
        assert_eq!(status, 200);
        match page.contains(FIXED) {
            true => Ok(()),
            false => Err(format!("the fix is not on the public page: {page}")),
        }
    })
    .await;
    let after = store.segments(article.id, pt).await.unwrap();
    let fixed = after
        .iter()
        .find(|s| normalize_segment(&s.source_text) == SENTENCE)
        .unwrap();
    assert_eq!(
        (fixed.target_text.as_str(), fixed.origin),
        (FIXED, Origin::Human)
    );
    // The review record survives the republication: the flag is kept as
    // resolved by the editor, whose name stays on the version.
    let (_, v) = app.get_json("/api/v1/articles/school-closures/pt").await;
    let resolved: Vec<_> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resolved"] == true)
        .collect();
    assert_eq!(resolved.len(), 1, "{v}");
    assert_eq!(resolved[0]["resolved_by"], USER);
    assert_eq!(resolved[0]["detail"], "weekday missing");
    assert_eq!(v["reviewed_by"], USER);

    // The next article with the same sentence reuses the fix.
    app.post_article(&json!({
        "slug": "schools-reopen",
        "title": "Schools reopen",
        "body_html": format!("<p>{SENTENCE}</p><p>They reopened on Wednesday.</p>"),
    }))
    .await;
    app.wait_for_job("schools-reopen", "pt", "done", Duration::from_secs(120))
        .await;
    let (_, page) = app.page("/pt/schools-reopen").await;
    assert!(
        page.contains(FIXED),
        "the fix is reused on the next article: {page}"
    );
    app.stop().await;
}
