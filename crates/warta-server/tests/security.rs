//! Issue 22, "Hardened for the open internet", over real HTTP against the
//! real server on a real SQLite file (and PostgreSQL where the store is
//! involved and a server is reachable).
//!
//! Expected values come from the "Done when" list (a `translate`
//! key gets 403 on DELETE; 40 wrong passwords do not lock the editor out
//! elsewhere; 500 slow connections; a flood of 1,000 failed logins), from
//! the standards the behaviour follows (RFC 7239 and the rightmost-untrusted
//! hop of X-Forwarded-For as MDN documents it; RFC 6797 for HSTS; the
//! `__Host-` cookie prefix of RFC 6265bis §4.1.3.2) and from each test's own
//! configuration (timeouts, allowances).

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::{
    create_editor, futures_join, header, post_login, test_models, PgDatabase, TestApp, CONFIG,
    PASSWORD, USER,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use warta_store::Scopes;

async fn spawn_with(extra: &str, workers: usize) -> (TestApp, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let config = format!("{CONFIG}{extra}\n");
    let app = TestApp::start_with(&config, tmp.path(), &test_models(), workers, None).await;
    (app, tmp)
}

/// A client that shows redirects instead of following them, with its
/// connections coming from `from` (any 127/8 address is this machine).
fn client_from(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(from))
        .build()
        .unwrap()
}

const LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
const OTHER_LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

async fn login_status(
    c: &reqwest::Client,
    base: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> u16 {
    let mut req = c
        .post(format!("{base}/admin/login"))
        .form(&[("username", USER), ("password", password)]);
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.send().await.unwrap().status().as_u16()
}

// ------------------------------------------------------------ 2. logins

/// The case: anyone could lock an editor out with six wrong
/// passwords. Now attempts count per (username, address) and per address,
/// so after 40 wrong passwords from one address the editor logs in from
/// another at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_wrong_passwords_from_one_address_do_not_lock_the_editor_out_elsewhere() {
    let (app, _tmp) = spawn_with("", 0).await;
    create_editor(&app).await;
    let attacker = client_from(LOOPBACK);
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(login_status(&attacker, &app.base, "guess", None).await);
    }
    // The default allowance per (user, address) is 5 (configuration.rs).
    assert_eq!(statuses[..5], [401; 5]);
    assert!(statuses[5..].iter().all(|&s| s == 429), "{statuses:?}");
    // The attacker's address stays refused, even with the right password.
    assert_eq!(
        login_status(&attacker, &app.base, PASSWORD, None).await,
        429
    );
    // The editor, elsewhere, is let in at once.
    let editor = client_from(OTHER_LOOPBACK);
    assert_eq!(login_status(&editor, &app.base, PASSWORD, None).await, 303);
    app.stop().await;
}

/// Behind a trusted proxy every client has the proxy's address; the
/// proxy's X-Forwarded-For names the client (its rightmost hop that is not
/// a trusted proxy), so the attacker is throttled and the editor is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_trusted_proxy_the_forwarded_client_is_throttled_not_the_proxy() {
    let (app, _tmp) = spawn_with("[http]\ntrusted_proxies = [\"127.0.0.1\"]", 0).await;
    create_editor(&app).await;
    let proxy = client_from(LOOPBACK);
    let mut statuses = Vec::new();
    for i in 0..40 {
        // The attacker forges a hop of its own on the left; the proxy
        // appends the address it saw, which is the one believed.
        let xff = format!("10.9.8.{i}, 203.0.113.7");
        statuses.push(login_status(&proxy, &app.base, "guess", Some(&xff)).await);
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert!(statuses[5..].iter().all(|&s| s == 429), "{statuses:?}");
    assert_eq!(
        login_status(&proxy, &app.base, PASSWORD, Some("203.0.113.7")).await,
        429
    );
    // The editor behind the same proxy logs in at once.
    assert_eq!(
        login_status(&proxy, &app.base, PASSWORD, Some("198.51.100.20")).await,
        303
    );
    // An untrusted peer's X-Forwarded-For is not believed: rotating it does
    // not buy a fresh allowance (all of these count for 127.0.0.2).
    let direct = client_from(OTHER_LOOPBACK);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let xff = format!("192.0.2.{i}");
        statuses.push(login_status(&direct, &app.base, "guess", Some(&xff)).await);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    app.stop().await;
}

/// A login flood must not starve ingest: 1,000 failed logins at once (from
/// one address, and from 1,000 addresses through a trusted proxy, which
/// each pass the in-memory check and reach the database) while the CMS
/// posts articles; every post is accepted. From one address, the attempts
/// the memory gate refuses never reach the database: its count for the
/// address stops at the allowance (it was 1,000 before the gate existed,
/// three writes each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_failed_logins_does_not_fail_concurrent_article_posts() {
    for spread in [false, true] {
        let (app, _tmp) = spawn_with("[http]\ntrusted_proxies = [\"127.0.0.1\"]", 0).await;
        flood_while_posting(&app, spread).await;
        if !spread {
            let url = format!("sqlite://{}", app.dir.join("data/warta.sqlite").display());
            assert_at_most_the_allowance(address_count(&url).await);
        }
        app.stop().await;
    }
    if let Some(pg) = PgDatabase::create() {
        let tmp = tempfile::tempdir().unwrap();
        let config = format!(
            "{CONFIG}database_url = \"{}\"\n[http]\ntrusted_proxies = [\"127.0.0.1\"]\n",
            pg.url
        );
        let app = TestApp::start_with(&config, tmp.path(), &test_models(), 0, None).await;
        flood_while_posting(&app, false).await;
        assert_at_most_the_allowance(address_count(&pg.url).await);
        flood_while_posting(&app, true).await;
        app.stop().await;
    }
}

/// The default per-address allowance is 30 (configuration.rs): the memory
/// gate lets that many through, and an attempt that then waited too long for
/// a login slot (503) was never counted.
fn assert_at_most_the_allowance(count: Option<i64>) {
    let n = count.expect("attempts from 127.0.0.1 were counted");
    assert!((1..=30).contains(&n), "{n} attempts reached the database");
}

/// The database's count of login attempts from 127.0.0.1 (the store's
/// `login_attempts` table, read behind its back).
async fn address_count(url: &str) -> Option<i64> {
    use sqlx::Connection;
    let sql = "SELECT attempts FROM login_attempts WHERE scope = 'addr' AND key = '127.0.0.1'";
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql)
            .fetch_optional(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql)
            .fetch_optional(&mut c)
            .await
            .unwrap()
    }
}

async fn flood_while_posting(app: &TestApp, spread: bool) {
    const FLOOD: usize = 1000;
    const POSTS: usize = 10;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let flood: Vec<_> = (0..FLOOD)
        .map(|i| {
            let mut req = c.post(format!("{}/admin/login", app.base)).form(&[
                ("username", format!("user-{}", i % 50)),
                ("password", "x".into()),
            ]);
            if spread {
                req = req.header("x-forwarded-for", format!("10.{}.{}.1", i / 250, i % 250));
            }
            tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let posts: Vec<_> = (0..POSTS)
        .map(|i| {
            let req = app
                .client
                .post(format!("{}/api/v1/articles", app.base))
                .bearer_auth(&app.key)
                .json(&json!({
                    "slug": format!("during-flood-{i}-{spread}"),
                    "title": "Rain in the city",
                    "body_html": "<p>It rained all day.</p>",
                }));
            tokio::spawn(async move {
                let t = Instant::now();
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap_or_default(), t.elapsed())
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for p in posts {
        let (status, body, took) = p.await.unwrap();
        assert_eq!(status, 202, "spread {spread}: {body}");
        slowest = slowest.max(took);
    }
    let mut statuses = BTreeMap::<String, usize>::new();
    for f in flood {
        let s = match f.await.unwrap() {
            Ok(s) => s.to_string(),
            Err(e) => format!("error: {e}"),
        };
        *statuses.entry(s).or_default() += 1;
    }
    // Every attempt was answered as a failed login: checked (401), refused
    // by the throttle (429) or asked to retry shortly (503).
    assert!(
        statuses
            .keys()
            .all(|s| ["401", "429", "503"].contains(&s.as_str())),
        "spread {spread}: {statuses:?}"
    );
    eprintln!(
        "login flood (spread {spread}): {statuses:?} in {:?}; slowest of {POSTS} concurrent posts {slowest:?}",
        started.elapsed()
    );
}

// ------------------------------------------------------------ 3. timeouts

/// Open `n` connections that send the start of a request and never finish
/// its headers (slowloris). Returns them with the time each began to
/// connect: the server's header timer cannot start earlier, so no close
/// before that time plus the timeout is allowed (a time taken after the
/// write could be late on a loaded machine).
async fn slow_connections(addr: SocketAddr, n: usize) -> Vec<(tokio::net::TcpStream, Instant)> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /en/ HTTP/1.1\r\nHost: slow.example\r\nX-Slow: ")
            .await
            .unwrap();
        conns.push((s, started));
    }
    conns
}

/// Wait until the server closes `conn` (end of stream or reset); when.
async fn closed(mut conn: tokio::net::TcpStream) -> Instant {
    let mut buf = [0u8; 1024];
    loop {
        match conn.read(&mut buf).await {
            Ok(0) | Err(_) => return Instant::now(),
            Ok(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_connections_are_closed_after_the_header_timeout_and_pages_stay_fast() {
    const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
    let (app, _tmp) = spawn_with("[http]\nheader_read_timeout_seconds = 1", 0).await;
    let r = app
        .post_article(&json!({"slug": "calm", "title": "A calm day", "body_html": "<p>Nothing happened.</p>"}))
        .await;
    assert_eq!(r.status(), 202);
    let addr: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();

    let slow = slow_connections(addr, 500).await;
    // A normal reader, on a fresh connection, while the 500 hang.
    let reader = reqwest::Client::new();
    let t = Instant::now();
    let r = reader
        .get(format!("{}/en/calm", app.base))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    let latency = t.elapsed();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Nothing happened."));
    eprintln!("article page beside 500 slow connections: {latency:?}");
    // The criterion is 100 ms; this bound is only functional (a
    // reader that waited for the slow connections would take the 1 s
    // header timeout), so a loaded test machine does not fail it.
    assert!(latency < HEADER_TIMEOUT, "{latency:?}");

    // Every slow connection is closed by the server, none before its time.
    let closes = tokio::time::timeout(
        Duration::from_secs(60),
        futures_join(
            slow.into_iter()
                .map(|(c, sent)| async move { (sent, closed(c).await) }),
        ),
    )
    .await
    .expect("slow connections still open a minute later: no header timeout");
    for (sent, at) in &closes {
        // Timers never fire early.
        assert!(
            *at >= *sent + HEADER_TIMEOUT,
            "closed {:?} after connecting",
            *at - *sent
        );
    }
    app.stop().await;
}

/// With `max_connections` held by idle connections, a new client is not
/// refused: it waits until the header timeout frees a slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_cap_makes_new_clients_wait_for_a_free_slot() {
    let (app, _tmp) = spawn_with(
        "[http]\nheader_read_timeout_seconds = 1\nmax_connections = 8",
        0,
    )
    .await;
    let addr: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let idle = slow_connections(addr, 8).await;
    let opened = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The server could accept this connection only after one of the 8 was
    // closed, which the header timeout does no earlier than 1 s after it
    // opened (a lower bound: timers do not fire early).
    assert!(
        opened.elapsed() >= Duration::from_millis(980),
        "{:?}",
        opened.elapsed()
    );
    drop(idle);
    app.stop().await;
}

// ------------------------------------------------------------ 5. public answers

/// `GET /sitemap-999.xml` in a loop must not render the whole sitemap each
/// time: the page cache's miss counter counts renders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_sitemap_part_is_a_cheap_cached_404() {
    let (app, _tmp) = spawn_with("", 0).await;
    let r = app
        .post_article(
            &json!({"slug": "mapped", "title": "Mapped", "body_html": "<p>On the map.</p>"}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let (status, _) = app.page("/sitemap-999.xml").await;
    assert_eq!(status, 404);
    let (_, misses) = app.app().pages.hits_and_misses();
    for _ in 0..20 {
        let (status, body) = app.page("/sitemap-999.xml").await;
        assert_eq!(status, 404);
        assert!(body.contains("<html"), "the site's own 404 page");
    }
    let (_, after) = app.app().pages.hits_and_misses();
    assert_eq!(after, misses, "a missing part rendered the sitemap again");
    // The sitemap itself is still there (and rendered once at most).
    let (status, body) = app.page("/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(body.contains("/en/mapped"), "{body}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_take_the_configured_token() {
    let (app, _tmp) = spawn_with("metrics_token = \"a-metrics-token-for-prometheus\"", 0).await;
    let get = |auth: Option<&'static str>| {
        let mut req = app.client.get(format!("{}/metrics", app.base));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(get(Some("Bearer wrong")).await.unwrap().status(), 401);
    // An API key is not the metrics token.
    let r = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = get(Some("Bearer a-metrics-token-for-prometheus"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("warta_workers_alive"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_live_on_their_own_address() {
    let (app, _tmp) = spawn_with("metrics_listen = \"127.0.0.1:0\"", 0).await;
    let (status, _) = app.page("/metrics").await;
    assert_eq!(status, 404, "not on the public address");
    let metrics = app.metrics_addr().expect("a metrics address");
    let r = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("warta_workers_alive"));
    app.stop().await;
}

/// An unhealthy answer says what is wrong in words an operator can act on,
/// and gives the request id to find the detail in the log — never the
/// database driver's error text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_hides_internal_errors_behind_the_request_id() {
    let (app, _tmp) = spawn_with("", 0).await;
    // A database that no longer answers: the store's pool, closed.
    app.app().ctx.store.close().await;
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let id = header(&r, "x-request-id");
    assert!(!id.is_empty());
    let body: Value = r.json().await.unwrap();
    let text = body["problems"].to_string();
    assert!(text.contains("database"), "{body}");
    assert!(text.contains(&id), "request id {id} in {body}");
    // sqlx's words for a closed pool (sqlx-core `Error::PoolClosed`).
    assert!(!text.contains("pool"), "{body}");
    app.stop().await;
}

// ------------------------------------------------------------ 8. sessions, https

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_swept() {
    let tmp = tempfile::tempdir().unwrap();
    // A session that expired while the server was down.
    let first = TestApp::start_in(tmp.path(), &test_models(), 0, None).await;
    let store = first.app().ctx.store.clone();
    let user = store.create_user(USER, PASSWORD).await.unwrap();
    let (stale, _) = store.create_session(user.id, Duration::ZERO).await.unwrap();
    let (live, _) = store
        .create_session(user.id, Duration::from_secs(3600))
        .await
        .unwrap();
    let (dir, key, _keep) = first.stop().await;
    let app = TestApp::start_in(&dir, &test_models(), 0, Some(key)).await;
    // The sweeper runs at start and then periodically; wait for its first round.
    let mut sweeps = app.app().sweeps.subscribe();
    sweeps.wait_for(|n| *n >= 1).await.unwrap();
    // Nothing expired is left for anyone to delete.
    assert_eq!(
        app.app().ctx.store.delete_expired_sessions().await.unwrap(),
        0
    );
    assert!(app.app().ctx.store.session(&stale).await.unwrap().is_none());
    assert!(app.app().ctx.store.session(&live).await.unwrap().is_some());
    app.stop().await;
}

/// Under https (`base_url`), every response carries HSTS and the session
/// cookie is `__Host-` prefixed: Secure, Path=/, no Domain, so no sibling
/// subdomain can plant or read it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_https_responses_carry_hsts_and_the_session_cookie_is_host_prefixed() {
    let (app, _tmp) = spawn_with("base_url = \"https://news.example.org\"", 0).await;
    create_editor(&app).await;
    let c = client_from(LOOPBACK);
    for path in ["/en/", "/admin/login", "/healthz", "/nowhere"] {
        let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(
            header(&r, "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
    let r = post_login(&app, &c).await;
    assert_eq!(r.status(), 303);
    let set = header(&r, "set-cookie");
    assert!(set.starts_with("__Host-warta_session="), "{set}");
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.split("; ").any(|a| a == attr), "{attr} missing: {set}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The unprefixed name (which a sibling subdomain could set) is ignored.
    let token = cookie.split_once('=').unwrap().1;
    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", format!("warta_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "location"), "/admin/login");
    app.stop().await;

    // Over plain http there is no HSTS (browsers ignore it there anyway).
    let (app, _tmp) = spawn_with("", 0).await;
    let r = c.get(format!("{}/en/", app.base)).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    app.stop().await;
}

// ------------------------------------------------------------ 1. key scopes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translate_key_cannot_touch_articles_and_libretranslate_clients_keep_working() {
    let (app, _tmp) = spawn_with("", 1).await;
    let store = &app.app().ctx.store;
    let (plugin, _) = store
        .create_scoped_api_key("browser-plugin", Scopes::parse("translate").unwrap())
        .await
        .unwrap();
    let (cms, _) = store
        .create_scoped_api_key("cms", Scopes::parse("articles").unwrap())
        .await
        .unwrap();
    let r = app
        .post_article(&json!({"slug": "kept", "title": "Kept", "body_html": "<p>Kept.</p>"}))
        .await;
    assert_eq!(r.status(), 202);

    // The case: the plugin's key cannot delete an article.
    let r = app
        .client
        .delete(format!("{}/api/v1/articles/kept", app.base))
        .bearer_auth(&plugin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("`articles`"), "{msg}");
    let (status, _) = app.get_json("/api/v1/articles/kept").await;
    assert_eq!(status, 200, "still there");

    // LibreTranslate clients send the key in the body (libretranslatepy:
    // JSON; the npm client and curl: form) or as a Bearer header.
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .json(&json!({"q": "Hello", "source": "en", "target": "pt", "api_key": plugin}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .form(&[
            ("q", "Hello"),
            ("source", "en"),
            ("target", "pt"),
            ("api_key", plugin.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A CMS key is not a translation key.
    let r = app
        .client
        .post(format!("{}/translate", app.base))
        .json(&json!({"q": "Hello", "source": "en", "target": "pt", "api_key": cms}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .delete(format!("{}/api/v1/articles/kept", app.base))
        .bearer_auth(&cms)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.stop().await;
}

/// Every operation of the OpenAPI document that names scopes is refused
/// (403) to a key holding every other scope, and not refused (neither 401
/// nor 403) to a key holding just those: the document and the server agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_requires_exactly_the_scopes_its_document_names() {
    let (app, _tmp) = spawn_with("", 0).await;
    let store = &app.app().ctx.store;
    let (_, doc) = app.get_json("/api/openapi.json").await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let scopes: Vec<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|req| req["api_key"].as_array())
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            if scopes.is_empty() {
                continue;
            }
            let needed = Scopes::parse(&scopes.join(",")).unwrap();
            let others: Scopes = warta_store::Scope::ALL
                .into_iter()
                .filter(|s| !needed.contains(*s))
                .collect();
            let (with, _) = store.create_scoped_api_key("with", needed).await.unwrap();
            let (without, _) = store
                .create_scoped_api_key("without", others)
                .await
                .unwrap();
            let url = format!(
                "{}{}",
                app.base,
                path.replace("{slug}", "no-such")
                    .replace("{lang}", "pt")
                    .replace("{id}", "1")
            );
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let send = |key: String| {
                app.client
                    .request(method.clone(), &url)
                    .bearer_auth(key)
                    .json(&json!({}))
                    .send()
            };
            let refused = send(without).await.unwrap().status().as_u16();
            assert_eq!(refused, 403, "{method} {path} without {needed}");
            let allowed = send(with).await.unwrap().status().as_u16();
            assert!(
                allowed != 401 && allowed != 403,
                "{method} {path} with {needed}: {allowed}"
            );
            checked += 1;
        }
    }
    // articles: POST, GET, DELETE, GET/PUT version; glossary: list, create,
    // delete; webhooks: deliveries; stats.
    assert!(checked >= 10, "{checked} operations with scopes");
    app.stop().await;
}
