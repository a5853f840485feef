//! How the LibreTranslate routes read a request (issue 18 part 3, issue 22
//! point 4), over real HTTP against the real server on a real SQLite file.
//!
//! Expected values and where they come from:
//! - Parameter precedence is LibreTranslate 1.9.6's (`libretranslate/app.py`,
//!   `translate()`/`detect()`/`get_req_api_key()`): a JSON body
//!   (`request.is_json`) is the only source; otherwise Werkzeug's
//!   `request.values`, the query string first, then the urlencoded or
//!   multipart form. Form texts have their line ends normalised
//!   (`"\n".join(q.splitlines())`).
//! - With `source` equal to `target` warta answers the texts unchanged (no
//!   model involved), so which parameter won is read from the answer.
//! - "Como você está hoje?" is the en→pt test model's translation of "How
//!   are you today?" (README, tests/interop.rs).
//! - Allocation figures: a counting global allocator in this test binary
//!   (the server runs in-process); the bound is explained where it is
//!   asserted.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::TestApp;
use serde_json::{json, Value};

/// Live heap bytes of the whole process, and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counter is the whole process's: the tests of this file take turns,
/// so one's model loading is not counted in another's peak.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Send `req` and return its status, its JSON body, and the most heap the
/// process held at once while it was answered, above what it held before.
async fn peak_while(req: reqwest::RequestBuilder) -> (u16, Value, usize) {
    let req = req.build().unwrap();
    let client = reqwest::Client::new();
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let r = client.execute(req).await.unwrap();
    let status = r.status().as_u16();
    let body = r.bytes().await.unwrap();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (
        status,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        peak,
    )
}

const MIB: usize = 1024 * 1024;

/// Path, content type, body, key; the status and error expected.
type Case<'a> = (&'a str, &'a str, &'a String, Option<&'a str>, u16, String);

/// `n` empty texts as a form (`…&q=&q=&…`) and as JSON (`{…, "q":["","",…]}`),
/// with `source` and `target` (en→en): three bytes a text, so 690,000 fill
/// just under the 2 MiB body limit.
fn empty_texts(n: usize) -> (String, String) {
    let form = format!("source=en&target=en&{}", "q=&".repeat(n));
    let json = format!(
        "{{\"source\":\"en\",\"target\":\"en\",\"q\":[{}\"\"]}}",
        "\"\",".repeat(n - 1)
    );
    (form, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_mib_body_of_empty_texts_is_refused_by_the_limit_without_being_built() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let n = 690_000;
    let (form, json) = empty_texts(n);
    assert!(form.len() < 2 * MIB && json.len() < 2 * MIB);
    // Measured on the code before this change (debug build, 2026-12): the
    // anonymous form took 86.6 MB at once (a vector of 690,000 pairs, then
    // JSON values), the JSON array 35.7 MB; a body refused at its first
    // byte, 4.7 MB (hyper's buffers, then one contiguous copy of the body).
    // Anything that keeps one object per text is far above 8 MiB.
    let bound = 8 * MIB;
    let post = |path: &str, ct: &str, body: &String, key: Option<&str>| {
        let mut req = app
            .client
            .post(format!("{}{path}", app.base))
            .header("content-type", ct)
            .body(body.clone());
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req
    };
    let form_ct = "application/x-www-form-urlencoded";
    let json_ct = "application/json";
    // The batch limit is 100 (`[limits]` default). The count is exact, as
    // LibreTranslate reports it: texts past the limit are counted, not kept.
    let over = format!("Invalid request: request ({n}) exceeds batch limit (100)");
    let no_key = "an API key is required (api_key field or Authorization: Bearer)";
    let cases: Vec<Case> = vec![
        // Anonymous: the body is read (the key could be in it), bounded;
        // then the missing key is the answer, as LibreTranslate checks the
        // key first.
        ("/translate", form_ct, &form, None, 403, no_key.into()),
        ("/translate", json_ct, &json, None, 403, no_key.into()),
        ("/detect", form_ct, &form, None, 403, no_key.into()),
        // With a key: the limit.
        (
            "/translate",
            form_ct,
            &form,
            Some(&app.key),
            400,
            over.clone(),
        ),
        ("/translate", json_ct, &json, Some(&app.key), 400, over),
        // /detect takes one text: of a repeated `q` the first (empty, so
        // missing, as LibreTranslate's `if not q`); a list is refused at
        // its first byte.
        (
            "/detect",
            form_ct,
            &form,
            Some(&app.key),
            400,
            "Invalid request: missing q parameter".into(),
        ),
        (
            "/detect",
            json_ct,
            &json,
            Some(&app.key),
            400,
            "Invalid request: q must be a text".into(),
        ),
    ];
    // A multipart form of empty texts is read part by part: the same.
    let parts = 20_000;
    let mut fields = vec![("source", None, "en"), ("target", None, "en")];
    fields.extend(std::iter::repeat_n(("q", None, ""), parts));
    let (multipart_ct, multipart_body) = multipart(&fields);
    let multipart_body = String::from_utf8(multipart_body).unwrap();
    assert!(multipart_body.len() < 2 * MIB);
    let mut cases = cases;
    cases.push((
        "/translate",
        &multipart_ct,
        &multipart_body,
        Some(&app.key),
        400,
        format!("Invalid request: request ({parts}) exceeds batch limit (100)"),
    ));
    for (path, ct, body, key, status, error) in cases {
        let (got, v, peak) = peak_while(post(path, ct, body, key)).await;
        eprintln!(
            "{path} {ct} key={}: {got} {v} peak {peak} bytes",
            key.is_some()
        );
        assert_eq!(
            (got, v["error"].as_str()),
            (status, Some(error.as_str())),
            "{path} {ct}"
        );
        assert!(peak < bound, "{path} {ct}: {peak} bytes at once");
    }
    app.stop().await;
}

/// A `multipart/form-data` body by hand (RFC 7578), so the test shows the
/// bytes a browser form or `curl -F` sends: (name, file name, value).
fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let boundary = "----wartaBoundary7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (name, file, value) in parts {
        body.push_str(&format!("--{boundary}\r\n"));
        match file {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: text/plain\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_string_urlencoded_multipart_and_json_requests_all_translate() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let url = format!("{}/translate", app.base);
    let expected = json!("Como você está hoje?");
    // deep-translator's request: the fields as a query string on a POST
    // with an empty body and no content type.
    let (status, v) = send(app.client.post(&url).query(&[
        ("q", "How are you today?"),
        ("source", "en"),
        ("target", "pt"),
        ("format", "text"),
        ("api_key", &app.key),
    ]))
    .await;
    assert_eq!((status, &v["translatedText"]), (200, &expected), "{v}");
    // The same with `source=auto`: detected.
    let (status, v) = send(app.client.post(&url).query(&[
        ("q", "How are you today?"),
        ("source", "auto"),
        ("target", "pt"),
        ("api_key", &app.key),
    ]))
    .await;
    assert_eq!((status, &v["translatedText"]), (200, &expected), "{v}");
    assert_eq!(v["detectedLanguage"]["language"], "en", "{v}");
    // urlencoded (libretranslatepy's shape).
    let (status, v) = send(
        app.client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "q=How+are+you+today%3F&source=en&target=pt&api_key={}",
                app.key
            )),
    )
    .await;
    assert_eq!((status, &v["translatedText"]), (200, &expected), "{v}");
    // multipart (`curl -F`), with a file part named `q` that is a file, not
    // a field (Werkzeug puts it in `request.files`).
    let (ct, body) = multipart(&[
        ("q", Some("notes.txt"), "Good morning."),
        ("q", None, "How are you today?"),
        ("source", None, "en"),
        ("target", None, "pt"),
        ("api_key", None, &app.key),
    ]);
    let (status, v) = send(app.client.post(&url).header("content-type", ct).body(body)).await;
    assert_eq!((status, &v["translatedText"]), (200, &expected), "{v}");
    // JSON.
    let (status, v) = send(app.client.post(&url).json(&json!({
        "q": "How are you today?", "source": "en", "target": "pt", "api_key": app.key
    })))
    .await;
    assert_eq!((status, &v["translatedText"]), (200, &expected), "{v}");
    // A repeated `q` is a batch, in a multipart form as in an urlencoded one.
    let (ct, body) = multipart(&[
        ("q", None, "one"),
        ("q", None, "two"),
        ("source", None, "en"),
        ("target", None, "en"),
    ]);
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .header("content-type", ct)
            .body(body),
    )
    .await;
    assert_eq!(
        (status, &v["translatedText"]),
        (200, &json!(["one", "two"])),
        "{v}"
    );
    // /detect reads the same shapes.
    let text = "The river rose two metres overnight and the city is calm.";
    let (ct, body) = multipart(&[("q", None, text)]);
    let detect = format!("{}/detect", app.base);
    for req in [
        app.client
            .post(&detect)
            .query(&[("q", text), ("api_key", &app.key)]),
        app.client
            .post(&detect)
            .bearer_auth(&app.key)
            .header("content-type", ct)
            .body(body),
    ] {
        let (status, v) = send(req).await;
        assert_eq!((status, &v[0]["language"]), (200, &json!("en")), "{v}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_follow_libretranslates_precedence() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let url = format!("{}/translate", app.base);
    let form = |query: &[(&str, &str)], body: &str| {
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .query(query)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
    };
    // The query string wins over the form, field by field: `target=en`
    // (= source: the text comes back unchanged) and `q` from the query.
    let (status, v) = send(form(
        &[("target", "en"), ("q", "from the query")],
        "q=from+the+body&source=en&target=pt",
    ))
    .await;
    assert_eq!(
        (status, &v["translatedText"]),
        (200, &json!("from the query")),
        "{v}"
    );
    // Over a multipart form too.
    let (ct, body) = multipart(&[
        ("q", None, "from the body"),
        ("source", None, "en"),
        ("target", None, "pt"),
    ]);
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .query(&[("target", "en"), ("q", "from the query")])
            .header("content-type", ct)
            .body(body),
    )
    .await;
    assert_eq!(
        (status, &v["translatedText"]),
        (200, &json!("from the query")),
        "{v}"
    );
    // An empty field in the query string still wins (LibreTranslate:
    // `values.get` stops at the first source with the key; `if not ...`).
    let (status, v) = send(form(&[("source", "")], "q=x&source=en&target=en")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("Invalid request: missing source parameter"))
    );
    // A JSON body is the only source: the query string is not read.
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .query(&[("q", "from the query"), ("target", "pt")])
            .json(&json!({"q": "from the body", "source": "en", "target": "en"})),
    )
    .await;
    assert_eq!(
        (status, &v["translatedText"]),
        (200, &json!("from the body")),
        "{v}"
    );
    // Form texts get LibreTranslate's line-end normalisation
    // ("\n".join(q.splitlines())); JSON texts do not.
    let (status, v) = send(form(&[], "q=a%0D%0Ab%0D%0A&source=en&target=en")).await;
    assert_eq!((status, &v["translatedText"]), (200, &json!("a\nb")), "{v}");
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .json(&json!({"q": "a\r\nb\r\n", "source": "en", "target": "en"})),
    )
    .await;
    assert_eq!(
        (status, &v["translatedText"]),
        (200, &json!("a\r\nb\r\n")),
        "{v}"
    );
    // The key: the Authorization header wins over a body's `api_key`.
    let (status, _) = send(form(&[], "q=x&source=en&target=en&api_key=not-a-key")).await;
    assert_eq!(status, 200);
    // A body that is not an object (LibreTranslate's `get_json_dict`).
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .json(&json!(["x"])),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("Invalid request: Invalid JSON format"))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_content_types_get_415_naming_the_accepted_ones() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let url = format!("{}/translate", app.base);
    for ct in [Some("text/plain"), Some("application/xml"), None] {
        let mut req = app
            .client
            .post(&url)
            .bearer_auth(&app.key)
            .body("q=x&source=en&target=en");
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let (status, v) = send(req).await;
        assert_eq!(status, 415, "{ct:?}: {v}");
        let e = v["error"].as_str().unwrap();
        for accepted in [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "query string",
        ] {
            assert!(e.contains(accepted), "{ct:?}: {e}");
        }
    }
    // An empty body in any content type is no source: the query string is.
    let (status, v) = send(
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .header("content-type", "text/plain")
            .query(&[("q", "x"), ("source", "en"), ("target", "en")]),
    )
    .await;
    assert_eq!((status, &v["translatedText"]), (200, &json!("x")), "{v}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_outside_the_body_is_checked_before_the_body_is_read() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let url = format!("{}/translate", app.base);
    // A body that does not parse: with a wrong key in the header or the
    // query string the answer is the key's 403, so the body was not read.
    let broken = "q=%zz&source=en&target=en";
    let form = || {
        app.client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(broken)
    };
    let (status, v) = send(form().bearer_auth("wrong")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (403, Some("invalid API key"))
    );
    let (status, v) = send(form().query(&[("api_key", "wrong")])).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (403, Some("invalid API key"))
    );
    // With the right key the body is read, and refused.
    let (status, v) = send(form().bearer_auth(&app.key)).await;
    assert_eq!(status, 400, "{v}");
    // And a 2 MiB body behind a wrong header key is never waited for: the
    // 403 comes back while the client has sent only its first 16 KiB (over
    // a raw connection: an HTTP client that writes the whole body first
    // may see the server close on it, a broken pipe, instead of the answer).
    let (form_body, _) = empty_texts(690_000);
    assert!(form_body.len() > 2_000_000, "{}", form_body.len());
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /translate HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer wrong\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        form_body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    conn.write_all(head.as_bytes()).await.unwrap();
    // If the server has answered and closed already, this write may fail:
    // the answer is what counts.
    let _ = conn.write_all(&form_body.as_bytes()[..16 * 1024]).await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("invalid API key") {
        match tokio::time::timeout(std::time::Duration::from_secs(30), conn.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            other => panic!(
                "no answer before the body was sent ({other:?}): {}",
                String::from_utf8_lossy(&answer)
            ),
        }
    }
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let answer = String::from_utf8_lossy(&answer);
    eprintln!("wrong key, 2 MiB body announced, 16 KiB sent: peak {peak} bytes");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(peak < MIB, "{peak} bytes at once");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_names_the_request_id_and_not_the_internal_error() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    // The database goes away: checking the key fails inside the server.
    app.app().ctx.store.close().await;
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"q": "x", "source": "en", "target": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let v: Value = r.json().await.unwrap();
    let e = v["error"].as_str().unwrap();
    // The id tower-http set (telemetry.rs) is in the answer; sqlx's text
    // ("attempted to acquire a connection on a closed pool") is not.
    assert!(!id.is_empty() && e.contains(&id), "{e}");
    assert!(!e.contains("pool") && !e.contains("sqlx"), "{e}");
}

/// The document says what the routes read (README "The API document";
/// schemathesis generates requests from it): the query parameters, the three
/// body types, a body that may be absent, and the 413/415/500 answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_describes_every_request_shape() {
    let _turn = SERIAL.lock().await;
    let app = TestApp::spawn(0).await;
    let (status, doc) = send(app.client.get(format!("{}/api/openapi.json", app.base))).await;
    assert_eq!(status, 200);
    for (path, fields) in [
        (
            "/translate",
            &["q", "source", "target", "format", "api_key", "alternatives"][..],
        ),
        ("/detect", &["q", "api_key"][..]),
    ] {
        let op = &doc["paths"][path]["post"];
        let query: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] != json!(true))
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(query, fields, "{path}");
        let body = &op["requestBody"];
        assert_ne!(
            body["required"],
            json!(true),
            "{path}: the body may be absent"
        );
        for ct in [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            assert!(body["content"][ct]["schema"].is_object(), "{path} {ct}");
        }
        for status in ["400", "403", "413", "415", "429", "500"] {
            assert!(op["responses"][status].is_object(), "{path} {status}");
        }
    }
    app.stop().await;
}
