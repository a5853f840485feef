//! The OpenAPI document (`GET /api/openapi.json`) against the running server:
//! it is served, is OpenAPI 3.1 with every JSON route of DESIGN.md's
//! "Interfaces" and the API-key scheme the code checks, every reference in
//! it resolves, and every operation it lists is routed. Then, with
//! schemathesis (PyPI, `tests/openapi/`), the document must validate against
//! the OpenAPI 3.1 meta-schema, and schemathesis fuzzes every operation of it
//! against the live server with the real en→pt model and must find no 5xx,
//! no answer that the document does not describe and no operation that
//! answers without the key it declares.
//!
//! schemathesis must be installed (`tests/openapi/requirements.txt`;
//! `WARTA_SCHEMATHESIS` names the executable, default `schemathesis` on
//! PATH). `.ci/run` installs it and sets `WARTA_REQUIRE_SCHEMATHESIS=1`,
//! under which a missing schemathesis is a failure, not a skip.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{test_models, TestApp};
use serde_json::{json, Value};

async fn spec(app: &TestApp) -> Value {
    let r = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    r.json().await.expect("the document is JSON")
}

/// Every `$ref` in `v`, as its JSON pointer (`#/components/schemas/X`).
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.insert(r.clone());
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_complete_and_consistent() {
    let app = TestApp::spawn(0).await;
    let doc = spec(&app).await;

    // utoipa 6 writes OpenAPI 3.1.0 unless told otherwise (OpenApiVersion::Version31).
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "warta");

    // The JSON routes of DESIGN.md ("Interfaces") and routes/mod.rs, with
    // their methods: the CMS API, glossary, stats, the webhook log, the
    // LibreTranslate API, /healthz and the document itself.
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/articles", &["get", "post"]),
        ("/api/v1/articles/{slug}", &["delete", "get"]),
        ("/api/v1/articles/{slug}/{lang}", &["get", "put"]),
        // Issue 20's editor's hold and approval; issue 21's desk.
        ("/api/v1/articles/{slug}/{lang}/approve", &["post"]),
        ("/api/v1/articles/{slug}/{lang}/hold", &["delete", "post"]),
        ("/api/v1/flags/{id}/dismiss", &["post"]),
        ("/api/v1/glossary", &["get", "post"]),
        ("/api/v1/glossary/{id}", &["delete"]),
        ("/api/v1/glossary/export", &["get"]),
        ("/api/v1/glossary/import", &["post"]),
        ("/api/v1/terms/suggestions", &["get"]),
        ("/api/v1/stats", &["get"]),
        ("/api/v1/webhooks/deliveries", &["get"]),
        // Issue 21's suggestions (articles scope), team and audit log (admin).
        ("/api/v1/suggestions", &["get"]),
        ("/api/v1/suggestions/{id}/accept", &["post"]),
        ("/api/v1/suggestions/{id}/reject", &["post"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{username}/password", &["post"]),
        ("/api/v1/users/{username}/sessions", &["delete"]),
        ("/api/v1/audit", &["get"]),
        ("/translate", &["post"]),
        ("/detect", &["post"]),
        ("/languages", &["get"]),
        ("/frontend/settings", &["get"]),
        ("/suggest", &["post"]),
        ("/healthz", &["get"]),
        ("/api/openapi.json", &["get"]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let listed: BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(
        listed,
        expected.iter().map(|(p, _)| *p).collect(),
        "documented paths"
    );
    for (path, methods) in expected {
        let got: BTreeSet<&str> = paths[*path]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(got, methods.iter().copied().collect(), "methods of {path}");
    }

    // The key scheme routes/auth.rs checks: `Authorization: Bearer <key>`.
    let scheme = &doc["components"]["securitySchemes"]["api_key"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    // CMS routes need it, with the scope of their part of the API (issue
    // 22; routes/auth.rs); the LibreTranslate routes take it as the header or
    // as the body's `api_key` (hence the empty alternative); the rest are open.
    let security = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
    for (path, methods) in &expected[..20] {
        let scope = match path.split('/').nth(3) {
            Some("articles" | "flags" | "suggestions") => "articles",
            Some("users" | "audit") => "admin",
            Some("glossary" | "terms") => "glossary",
            Some("webhooks") => "webhooks",
            _ => "stats",
        };
        for m in *methods {
            assert_eq!(
                security(path, m),
                json!([{ "api_key": [scope] }]),
                "{m} {path}"
            );
        }
    }
    for path in ["/translate", "/detect", "/suggest"] {
        assert_eq!(
            security(path, "post"),
            json!([{ "api_key": ["translate"] }, {}]),
            "{path}"
        );
        let body = &doc["paths"][path]["post"]["requestBody"]["content"];
        for ct in ["application/json", "application/x-www-form-urlencoded"] {
            assert!(body[ct]["schema"].is_object(), "{path} takes {ct}");
        }
    }
    for (path, _) in &expected[22..] {
        assert_eq!(security(path, "get"), Value::Null, "{path} needs no key");
    }

    // The two error shapes: the CMS API's (error.rs) and LibreTranslate's.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ErrorBody"]["required"], json!(["error"]));
    assert_eq!(schemas["ErrorDetail"]["required"], json!(["message"]));
    assert_eq!(schemas["LtError"]["properties"]["error"]["type"], "string");
    let error_ref = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            ["$ref"]
            .clone()
    };
    assert_eq!(
        error_ref("/api/v1/articles", "post", "401"),
        "#/components/schemas/ErrorBody"
    );
    assert_eq!(
        error_ref("/api/v1/articles/{slug}", "get", "404"),
        "#/components/schemas/ErrorBody"
    );
    assert_eq!(
        error_ref("/translate", "post", "403"),
        "#/components/schemas/LtError"
    );
    assert_eq!(
        error_ref("/translate", "post", "429"),
        "#/components/schemas/LtError"
    );
    // Request bodies are the handlers' input types, required fields as ingest checks them.
    assert_eq!(
        schemas["ArticleInput"]["required"],
        json!(["slug", "title", "body_html"])
    );
    assert_eq!(
        schemas["ArticleInput"]["additionalProperties"],
        json!(false)
    );
    assert_eq!(
        schemas["GlossaryInput"]["required"],
        json!(["source", "target_lang", "target"])
    );
    // The document is this newsroom's (common::CONFIG: source en, targets
    // pt and ar): an article URL's language is one of those three, a
    // glossary entry's target one of the targets; elsewhere any known code.
    // (PUT writes a translation: a target only.)
    for (method, langs) in [
        ("get", json!(["ar", "en", "pt"])),
        ("put", json!(["ar", "pt"])),
    ] {
        let params = doc["paths"]["/api/v1/articles/{slug}/{lang}"][method]["parameters"]
            .as_array()
            .unwrap();
        let lang = params.iter().find(|p| p["name"] == "lang").unwrap();
        assert_eq!(lang["schema"]["enum"], langs, "{method}");
    }
    assert_eq!(
        schemas["GlossaryInput"]["properties"]["target_lang"]["enum"],
        json!(["ar", "pt"])
    );
    // The articles list filters by a target (warta-store's ArticleQuery).
    let list_params = doc["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let lang = list_params.iter().find(|p| p["name"] == "lang").unwrap();
    assert_eq!(lang["schema"]["enum"], json!(["ar", "pt"]));
    assert_eq!(
        schemas["Lang"]["enum"].as_array().unwrap().len(),
        warta_core::LANGUAGES.len()
    );

    // Every reference points at a schema the document has.
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20, "{all:?}");
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(schemas[name].is_object(), "{r} does not resolve");
    }

    // Every documented operation is routed: without a key, with "x" for each
    // path parameter, each answers JSON and never 405 or the site's HTML 404.
    for (path, methods) in expected {
        let url = format!(
            "{}{}",
            app.base,
            path.replace("{slug}", "x")
                .replace("{lang}", "pt")
                .replace("{id}", "1")
        );
        for m in *methods {
            let r = app
                .client
                .request(m.to_uppercase().parse().unwrap(), &url)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            assert!(
                status != 405 && ct.starts_with("application/json"),
                "{m} {path}: {status} {ct}"
            );
        }
    }
    app.stop().await;
}

fn schemathesis() -> String {
    std::env::var("WARTA_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

fn required() -> bool {
    std::env::var("WARTA_REQUIRE_SCHEMATHESIS").is_ok_and(|v| v == "1")
}

/// A newsroom with something in every list: an article translated by the
/// real en→pt model (the slug and language of the document's examples), a
/// glossary entry, and webhook deliveries that fail (nothing listens on
/// the receiver's port) and are retried.
async fn seeded_newsroom(tmp: &std::path::Path) -> TestApp {
    // Port 1 (tcpmux) on the loopback: privileged and never served here, so
    // a connection is refused at once.
    let closed_port = 1;
    let config = format!(
        "{}confidence = false\nallow_http_webhooks = true\n\
         [limits]\nrequests_per_minute = 0\n\
         [[webhooks]]\nurl = \"http://127.0.0.1:{closed_port}/hook\"\nsecret = \"schemathesis-test-secret\"\n",
        common::CONFIG
    );
    let app = TestApp::start_with(&config, tmp, &test_models(), 1, None).await;
    let article = json!({
        "slug": "banjir-jakarta",
        "title": "Floods in Jakarta",
        "summary": "Heavy rain flooded the city.",
        "body_html": "<p>Heavy rain fell on Jakarta on Monday. The river rose by 2.5 metres.</p>",
        "author": "Ana Lima",
        "published_at": "2026-11-24T09:30:00+07:00",
    });
    assert_eq!(app.post_article(&article).await.status(), 202);
    app.wait_for_job("banjir-jakarta", "pt", "done", Duration::from_secs(120))
        .await;
    let r = app
        .client
        .post(format!("{}/api/v1/glossary", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"source": "Jakarta", "target_lang": "pt", "target": "Jacarta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    app.wait_until(Duration::from_secs(30), || async {
        let log = app.get_json("/api/v1/webhooks/deliveries").await.1;
        match log["deliveries"].as_array().is_none_or(Vec::is_empty) {
            true => Err("no webhook delivery was queued".to_string()),
            false => Ok(()),
        }
    })
    .await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let installed = Command::new(schemathesis())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            !required(),
            "WARTA_REQUIRE_SCHEMATHESIS=1 but `{}` does not run",
            schemathesis()
        );
        eprintln!("SKIPPED: schemathesis is not installed (pip install -r tests/openapi/requirements.txt)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = seeded_newsroom(tmp.path()).await;
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/openapi/run-schemathesis");
    let report = tmp.path().join("report");
    let work = tmp.path().to_path_buf();
    let (base, key) = (app.base.clone(), app.key.clone());
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(script)
            // schemathesis keeps a cache of failures in its working directory.
            .current_dir(&work)
            .arg(base)
            .arg(key)
            .arg("--report-dir")
            .arg(&report)
            .env("WARTA_SCHEMATHESIS", schemathesis())
            .output()
            .expect("run tests/openapi/run-schemathesis")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("schemathesis took {:.0?}", started.elapsed());
    app.stop().await;
    assert!(
        stdout.contains("valid OpenAPI 3.1: "),
        "the document was not validated"
    );
    assert!(out.status.success(), "schemathesis found failures (above)");
}
