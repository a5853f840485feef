//! The desk's second part (issue 21) over real HTTP: the glossary as a TSV
//! file (exported, imported into an empty newsroom as the same glossary,
//! on SQLite and PostgreSQL; refused lines reported with their numbers and
//! nothing imported; at the desk, a multipart upload that says how many
//! translations it re-queued), term suggestions from real en→pt
//! translations added to the glossary in one action, the articles list
//! filtered by QA check, and what changed in the original since a
//! translation's revision.
//!
//! Expected values come from the setup (which entries, which articles
//! mention which names, which flag is where) and, for what the model wrote,
//! from the store's own sentences (the oracle of what was translated).

mod common;

use std::time::Duration;

use common::{
    client, create_editor, csrf_of, get_page, header, post_form, test_models, PgDatabase, TestApp,
    CONFIG, PASSWORD, USER,
};
use serde_json::{json, Value};
use warta_core::{Lang, Slug};
use warta_store::{Check, NewQaFlag, RevisionNo, Severity};

/// Log in as USER: the session's `Cookie` header and a form token.
async fn login(app: &TestApp, c: &reqwest::Client) -> (String, String) {
    let cookie = common::login(app, c).await;
    let (_, html) = get_page(app, c, &cookie, "/admin/glossary").await;
    (cookie, csrf_of(&html))
}

async fn api(app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(&app.key)
}

async fn import_tsv(app: &TestApp, tsv: &str) -> (u16, Value) {
    let r = api(app, reqwest::Method::POST, "/api/v1/glossary/import")
        .await
        .header("content-type", "text/tab-separated-values")
        .body(tsv.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The glossary as the API lists it, without ids and times (which a new
/// database gives anew).
async fn entries(app: &TestApp) -> Vec<Value> {
    let (status, v) = app.get_json("/api/v1/glossary").await;
    assert_eq!(status, 200);
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("id");
            e.as_object_mut().unwrap().remove("created_at");
            e
        })
        .collect()
}

/// Export from one newsroom, import into an empty one: the same glossary.
async fn tsv_round_trip(config_a: &str, config_b: &str) {
    let (tmp_a, tmp_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = TestApp::start_with(config_a, tmp_a.path(), &test_models(), 0, None).await;
    for body in [
        json!({"source": "CSTO", "target_lang": "pt", "target": "OTSC", "case_sensitive": true,
               "note": "Organização do Tratado de Segurança Coletiva"}),
        json!({"source": "Kompas", "target_lang": "pt", "target": "Kompas"}),
        json!({"source": "São Paulo", "target_lang": "ar", "target": "ساو باولو", "note": "city"}),
    ] {
        let r = api(&a, reqwest::Method::POST, "/api/v1/glossary")
            .await
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let r = api(&a, reqwest::Method::GET, "/api/v1/glossary/export")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(header(&r, "content-type").starts_with("text/tab-separated-values"));
    let tsv = r.text().await.unwrap();
    // The header of the issue's columns, then one line per entry, in the
    // list's order (language, then term).
    assert_eq!(
        tsv.lines().collect::<Vec<_>>(),
        [
            "source\ttarget_lang\ttarget\tcase_sensitive\tdo_not_translate\tnote",
            "São Paulo\tar\tساو باولو\tfalse\tfalse\tcity",
            "CSTO\tpt\tOTSC\ttrue\tfalse\tOrganização do Tratado de Segurança Coletiva",
            "Kompas\tpt\tKompas\tfalse\ttrue\t",
        ]
    );

    let b = TestApp::start_with(config_b, tmp_b.path(), &test_models(), 0, None).await;
    let (status, report) = import_tsv(&b, &tsv).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["added"].as_array().unwrap().len(), 3);
    assert_eq!(report["requeued"], 0, "no articles in the new newsroom");
    assert_eq!(entries(&b).await, entries(&a).await);

    // The same file again changes nothing: every line is already there.
    let (status, report) = import_tsv(&b, &tsv).await;
    assert_eq!(status, 200);
    assert_eq!(report["added"], json!([]));
    assert_eq!(report["unchanged"], json!([2, 3, 4]));

    // A file with bad lines: each refused with its number, nothing imported
    // (not even the good line 2).
    let bad =
        "source\ttarget_lang\ttarget\nNATO\tpt\tOTAN\nCSTO\tpt\tOTAN\nG20\tfr\tG20\n\tpt\tx\n";
    let (status, report) = import_tsv(&b, bad).await;
    assert_eq!(status, 422, "{report}");
    let lines: Vec<u64> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5], "{report}");
    assert!(report["refused"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already has `CSTO`"));
    assert!(report["refused"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("target_lang"));
    assert_eq!(entries(&b).await.len(), 3);

    let r = api(&b, reqwest::Method::POST, "/api/v1/glossary/import")
        .await
        .json(&json!({"source": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_tsv_round_trips_into_an_empty_newsroom_on_sqlite() {
    tsv_round_trip(CONFIG, CONFIG).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_tsv_round_trips_into_an_empty_newsroom_on_postgres() {
    let (Some(a), Some(b)) = (PgDatabase::create(), PgDatabase::create()) else {
        return;
    };
    let db = |pg: &PgDatabase| format!("{CONFIG}database_url = \"{}\"\n", pg.url);
    tsv_round_trip(&db(&a), &db(&b)).await;
}

/// A multipart form as a browser sends it: the token, then the file.
fn multipart(csrf: &str, file: &str) -> (String, String) {
    let boundary = "----wartaDeskBoundary7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"glossary.tsv\"\r\n\
         Content-Type: text/tab-separated-values\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The desk: names recurring in the originals are suggested with the
/// model's spellings and added in one action; a TSV uploaded re-queues the
/// article that mentions its term; the list filters by check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terms_are_suggested_and_added_and_files_are_imported_at_the_desk() {
    let app = TestApp::spawn(1).await;
    let store = &app.app().ctx.store;
    store.create_user(USER, PASSWORD).await.unwrap();
    app.publish_translated(
        &[
            (
                "palu-quake",
                "Earthquake shakes the city",
                "<p>A strong earthquake shook the city of Palu on Friday.</p><p>The newspaper Kompas reported it.</p>",
            ),
            (
                "palu-aid",
                "Aid reaches the city",
                "<p>Aid reached Palu by ship on Sunday.</p>",
            ),
        ],
        "pt",
    )
    .await;
    let pt = Lang::parse("pt").unwrap();

    // Palu is in both originals and not in the glossary; Kompas and
    // Friday are in one only.
    let (status, v) = app.get_json("/api/v1/terms/suggestions?lang=pt").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["window"], 200);
    let names: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Palu"], "{v}");
    let palu = &v["suggestions"][0];
    assert_eq!(palu["articles"], 2);
    assert_eq!(palu["example_slug"], "palu-aid", "the newest article");
    // Every spelling reported is a word of the stored pt sentences, and the
    // spellings and the articles without one add up to the two articles.
    let mut targets = String::new();
    for slug in ["palu-quake", "palu-aid"] {
        let id = store.article(&Slug::parse(slug).unwrap()).await.unwrap().id;
        for s in store.segments(id, pt).await.unwrap() {
            targets.push_str(&s.target_text);
            targets.push(' ');
        }
    }
    let mut counted = palu["unmatched"].as_u64().unwrap();
    for r in palu["renderings"].as_array().unwrap() {
        assert!(
            targets.contains(r["text"].as_str().unwrap()),
            "{r} in {targets}"
        );
        counted += r["articles"].as_u64().unwrap();
    }
    assert!(counted >= 2, "{palu}");
    let (status, v) = app.get_json("/api/v1/terms/suggestions?lang=fr").await;
    assert_eq!(status, 422, "{v}");

    // At the desk: listed, then added in one action, back on the page with
    // the count of re-queued translations (both articles mention Palu).
    let c = client();
    let (cookie, csrf) = login(&app, &c).await;
    let (status, html) = get_page(&app, &c, &cookie, "/admin/terms").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"data-term="Palu" data-lang="pt""#),
        "{html}"
    );
    let r = post_form(
        &app,
        &c,
        &cookie,
        "/admin/glossary",
        &[
            ("csrf", csrf.as_str()),
            ("source", "Palu"),
            ("target_lang", "pt"),
            ("target", "Palu"),
            ("case_sensitive", "on"),
            ("back", "terms"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        header(&r, "location"),
        "/admin/terms?flash=added&requeued=2"
    );
    let (_, html) = get_page(&app, &c, &cookie, "/admin/terms?flash=added&requeued=2").await;
    assert!(
        html.contains("Added to the glossary; 2 translations re-queued"),
        "{html}"
    );
    assert!(
        html.contains(r#"data-desk="empty""#),
        "Palu is no longer suggested"
    );
    for slug in ["palu-quake", "palu-aid"] {
        app.wait_for_job(slug, "pt", "done", Duration::from_secs(120))
            .await;
    }

    // A file uploaded at the desk: refused lines listed, nothing imported.
    let upload = |file: &str| {
        let (ctype, body) = multipart(&csrf, file);
        c.post(format!("{}/admin/glossary/import", app.base))
            .header("cookie", &cookie)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let r = upload(
        "source\ttarget_lang\ttarget\tdo_not_translate\nKompas\tpt\t\tyes\nPalu\tpt\tPalú\n",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"data-desk="refused-line" data-line="3""#),
        "{html}"
    );
    assert!(!html.contains(r#"data-line="2""#), "{html}");
    assert_eq!(store.list_glossary(Some(pt)).await.unwrap().len(), 1);
    // Without a token: refused before reading anything.
    let (ctype, body) = multipart("", "source\ttarget_lang\ttarget\n");
    let r = c
        .post(format!("{}/admin/glossary/import", app.base))
        .header("cookie", &cookie)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // The good line alone: one entry, one article re-queued (palu-quake
    // mentions Kompas).
    let r = upload("source\ttarget_lang\ttarget\tdo_not_translate\nKompas\tpt\t\tyes\n")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = header(&r, "location");
    assert_eq!(
        to,
        "/admin/glossary?flash=imported&added=1&skipped=0&requeued=1"
    );
    let (_, html) = get_page(&app, &c, &cookie, &to).await;
    assert!(
        html.contains(
            "File imported: 1 entry added, 0 already in the glossary; 1 translation re-queued"
        ),
        "{html}"
    );
    let (status, tsv) = get_page(&app, &c, &cookie, "/admin/glossary/export.tsv").await;
    assert_eq!(status, 200);
    assert!(
        tsv.contains("\nKompas\tpt\tKompas\tfalse\ttrue\t\n"),
        "{tsv}"
    );

    // The list filtered by check: only the article with an open flag of it.
    let quake = store
        .article(&Slug::parse("palu-quake").unwrap())
        .await
        .unwrap();
    app.wait_for_job("palu-quake", "pt", "done", Duration::from_secs(120))
        .await;
    app.wait_scored("palu-quake", "pt").await;
    store
        .replace_qa_flags(
            quake.id,
            pt,
            RevisionNo(1),
            &[NewQaFlag {
                segment_idx: Some(1),
                check: Check::Numbers,
                severity: Severity::Error,
                detail: "a figure is missing".into(),
            }],
        )
        .await
        .unwrap();
    let slugs = |v: &Value| -> Vec<String> {
        v["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["slug"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v) = app.get_json("/api/v1/articles?check=numbers").await;
    assert_eq!(slugs(&v), ["palu-quake"], "{v}");
    let (_, v) = app.get_json("/api/v1/articles?check=numbers&lang=ar").await;
    assert_eq!(slugs(&v), Vec::<String>::new(), "the flag is on pt");
    let (_, v) = app.get_json("/api/v1/articles?check=glossary").await;
    assert_eq!(slugs(&v), Vec::<String>::new());
    let (status, v) = app.get_json("/api/v1/articles?check=spelling").await;
    assert_eq!(status, 422);
    assert_eq!(v["error"]["field"], "check");
    let (_, html) = get_page(&app, &c, &cookie, "/admin/articles?check=numbers").await;
    assert_eq!(html.matches(r#"data-desk="article""#).count(), 1, "{html}");
    assert!(
        html.contains(r#"<option value="numbers" selected>"#),
        "{html}"
    );
    app.stop().await;
}

/// A translation of an older revision: the review page lists the
/// sentences the newer original added, removed and changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_page_shows_what_changed_in_the_original() {
    // No workers: ar has no model anyway; its version is a person's.
    let tmp = tempfile::tempdir().unwrap();
    let app = TestApp::start_with(CONFIG, tmp.path(), &test_models(), 0, None).await;
    create_editor(&app).await;
    let revision = |title: &str, body: &str| json!({"slug": "river", "title": title, "summary": "", "body_html": body});
    let r = app
        .post_article(&revision(
            "The river rose",
            "<p>The river rose. Schools were closed on Monday. Roads were cut.</p>",
        ))
        .await;
    assert_eq!(r.status().as_u16(), 202);
    let put = api(&app, reqwest::Method::PUT, "/api/v1/articles/river/ar")
        .await
        .json(&json!({"title": "ارتفع النهر", "summary": "", "body_html": "<p>ارتفع النهر.</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    // Revision 2: one sentence reworded, one removed, one added.
    let r = app
        .post_article(&revision(
            "The river rose again",
            "<p>The river rose. Schools were closed on Tuesday. Bridges were shut.</p><p>Help came.</p>",
        ))
        .await;
    assert!(r.status().is_success());
    // The search index follows the current title (SQLite's is kept by
    // triggers, migration 0014): the new word is found, in any case.
    let api_app = &app;
    let found = |q: &'static str| async move {
        let (status, v) = api_app.get_json(&format!("/api/v1/articles?q={q}")).await;
        assert_eq!(status, 200, "{v}");
        v["articles"].as_array().unwrap().len()
    };
    assert_eq!(found("AGAIN").await, 1);
    assert_eq!(found("river").await, 1);
    assert_eq!(found("flood").await, 0);
    let c = client();
    let (cookie, _) = login(&app, &c).await;
    let (status, html) = get_page(&app, &c, &cookie, "/admin/articles/river/ar").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"data-desk="original-changes""#) && html.contains("since revision 1"),
        "{html}"
    );
    let kinds: Vec<&str> = html
        .match_indices(r#"data-kind=""#)
        .map(|(at, m)| html[at + m.len()..].split('"').next().unwrap())
        .collect();
    // The title reworded; then two removed and three added at one place:
    // two changed, one added.
    assert_eq!(kinds, ["changed", "changed", "changed", "added"], "{html}");
    assert!(
        html.contains(
            "<del>Schools were closed on Monday.</del> <ins>Schools were closed on Tuesday.</ins>"
        ),
        "{html}"
    );
    assert!(html.contains("<ins>Help came.</ins>"), "{html}");
    assert!(
        html.contains("<del>The river rose</del> <ins>The river rose again</ins>"),
        "{html}"
    );
    // The current translation (pt) of the current revision shows none.
    let (_, html) = get_page(&app, &c, &cookie, "/admin/articles/river/pt").await;
    assert!(!html.contains(r#"data-desk="original-changes""#));

    app.stop().await;
}
