//! Black-box harness: the real server on a random port, a fresh SQLite file
//! in a temporary directory, the real test models, real HTTP.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use warta_server::{App, AppHandle, Config};

#[allow(unused_imports)] // not every test file uses each of these
pub use warta_testkit::postgres::PgDatabase;
pub use warta_testkit::{copy_dir, test_models};

pub struct TestApp {
    pub base: String,
    pub key: String,
    pub client: reqwest::Client,
    pub dir: PathBuf,
    handle: Option<AppHandle>,
    _tmp: Option<tempfile::TempDir>,
}

/// The newsroom of the issue: English source, Portuguese (model present) and
/// Arabic (no model) targets.
pub const CONFIG: &str = "source = \"en\"\ntargets = [\"pt\", \"ar\"]\n";

impl TestApp {
    /// Start with the test models and `workers` in-process workers.
    pub async fn spawn(workers: usize) -> TestApp {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut app = TestApp::start_in(&dir, &test_models(), workers, None).await;
        app._tmp = Some(tmp);
        app
    }

    /// Start (or restart) on `dir`'s database with `models` as the store.
    pub async fn start_in(
        dir: &Path,
        models: &Path,
        workers: usize,
        key: Option<String>,
    ) -> TestApp {
        TestApp::start_with(CONFIG, dir, models, workers, key).await
    }

    /// Start with another newsroom configuration (TOML).
    pub async fn start_with(
        config: &str,
        dir: &Path,
        models: &Path,
        workers: usize,
        key: Option<String>,
    ) -> TestApp {
        let mut env: BTreeMap<String, String> = [
            // Port 0: the server binds a free port and reports it.
            ("WARTA_LISTEN", "127.0.0.1:0".to_string()),
            ("WARTA_DATA_DIR", dir.join("data").display().to_string()),
            ("WARTA_MODELS_DIR", models.display().to_string()),
            ("WARTA_THREADS", "2".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // The suite's newsrooms publish everything (policy `auto`, "as
        // before" in issue 20), so a test of something else is not held by
        // whatever the checks find; the policy's own tests set
        // `[publishing]`.
        if !config.contains("[publishing]") {
            env.insert("WARTA_PUBLISHING_POLICY".into(), "auto".into());
        }
        let config = Config::from_toml(config, &env).unwrap();
        let app = App::build(config).await.unwrap();
        let key = match key {
            Some(k) => k,
            None => app.ctx.store.create_api_key("test-cms").await.unwrap().0,
        };
        let handle = AppHandle::start(app, workers).await.unwrap();
        TestApp {
            base: format!("http://{}", handle.addr),
            key,
            client: reqwest::Client::new(),
            dir: dir.to_path_buf(),
            handle: Some(handle),
            _tmp: None,
        }
    }

    /// The separate `/metrics` address, when `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.handle.as_ref().unwrap().metrics_addr
    }

    pub fn app(&self) -> &std::sync::Arc<App> {
        &self.handle.as_ref().unwrap().app
    }

    /// Stop the server and workers; keep the database for a restart.
    pub async fn stop(mut self) -> (PathBuf, String, Option<tempfile::TempDir>) {
        self.handle.take().unwrap().stop().await;
        (self.dir.clone(), self.key.clone(), self._tmp.take())
    }

    pub async fn post_article(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/articles", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Wait until the article's `lang` job reaches `state` (a job state),
    /// checking each time this node's workers settle a job; fails after
    /// `within`.
    pub async fn wait_for_job(
        &self,
        slug: &str,
        lang: &str,
        state: &str,
        within: Duration,
    ) -> Value {
        self.wait_until(within, || async {
            let (_, v) = self.get_json(&format!("/api/v1/articles/{slug}")).await;
            let l = v["languages"]
                .as_array()
                .and_then(|a| a.iter().find(|l| l["lang"] == lang).cloned());
            match l {
                Some(l) if l["job"]["state"] == state => Ok(v),
                l => Err(format!("{slug}/{lang} not `{state}`: {l:?}")),
            }
        })
        .await
    }

    /// Wait until the worker has scored the version's model confidence (done
    /// after publication, when idle) so its flags are final.
    pub async fn wait_scored(&self, slug: &str, lang: &str) -> Value {
        self.wait_until(Duration::from_secs(60), || async {
            let (_, v) = self
                .get_json(&format!("/api/v1/articles/{slug}/{lang}"))
                .await;
            if v["quality"]["confidence_mean"].is_number() {
                Ok(v)
            } else {
                Err(format!("{slug}/{lang} not scored: {v}"))
            }
        })
        .await
    }

    /// Check `ready` now and after every job this node's workers settle,
    /// until it answers `Ok` or `within` passes (then fail with its last
    /// answer). Another node's work is seen at least once a second.
    pub async fn wait_until<T, F, Fut>(&self, within: Duration, ready: F) -> T
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let mut settled = self.app().ctx.settled.subscribe();
        let deadline = Instant::now() + within;
        loop {
            settled.mark_unchanged();
            let why = match ready().await {
                Ok(v) => return v,
                Err(why) => why,
            };
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "after {within:?}: {why}");
            let _ = tokio::time::timeout(left.min(Duration::from_secs(1)), settled.changed()).await;
        }
    }
}

/// A ~600-word English news article made of the engine tests' authored
/// sentences (crates/warta-engine/tests/fixtures/news-sentences.en.txt),
/// grouped into paragraphs.
pub fn long_article(slug: &str) -> Value {
    let sentences: Vec<&str> =
        include_str!("../../../warta-engine/tests/fixtures/news-sentences.en.txt")
            .lines()
            .collect();
    let paragraphs: Vec<String> = sentences[..40]
        .chunks(4)
        .map(|c| format!("<p>{}</p>", c.join(" ")))
        .collect();
    serde_json::json!({
        "slug": slug,
        "title": "Floods hit the city",
        "summary": "Heavy rain caused floods.",
        "body_html": paragraphs.join("\n"),
        "author": "Ana Lima",
        "published_at": "2026-11-24T09:30:00+07:00",
    })
}

pub fn words(article: &Value) -> usize {
    let body = article["body_html"]
        .as_str()
        .unwrap()
        .replace("<p>", " ")
        .replace("</p>", " ");
    body.split_whitespace().count()
}

/// `POST path` with the app's API key and a JSON body: status and JSON
/// answer (`Null` when the answer is not JSON).
pub async fn api_post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&app.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

// ------------------------------------------------------------ the desk

/// The editor the desk tests create and log in as.
pub const USER: &str = "rina";
pub const PASSWORD: &str = "correct horse battery staple";

/// A client that shows redirects instead of following them (the desk's
/// forms answer 303).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A response header as text, empty when absent.
pub fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Submit the login form as USER with PASSWORD; the answer.
pub async fn post_login(app: &TestApp, c: &reqwest::Client) -> reqwest::Response {
    c.post(format!("{}/admin/login", app.base))
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
}

/// Log in as USER; the `Cookie` header value that carries the session.
pub async fn login(app: &TestApp, c: &reqwest::Client) -> String {
    login_as(app, c, USER, PASSWORD)
        .await
        .expect("USER's password is taken")
}

/// Log in as `user`; the `Cookie` header value that carries the session,
/// or `None` when the password is refused (the form does not send the
/// browser on to the desk).
pub async fn login_as(
    app: &TestApp,
    c: &reqwest::Client,
    user: &str,
    password: &str,
) -> Option<String> {
    let r = c
        .post(format!("{}/admin/login", app.base))
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16() == 303 && header(&r, "location") == "/admin").then(|| {
        header(&r, "set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string()
    })
}

/// A desk page as the session of `cookie` sees it: status and body. Every
/// desk answer is kept by no cache and runs no script (admin.rs tests why):
/// checked on each.
pub async fn get_page(
    app: &TestApp,
    c: &reqwest::Client,
    cookie: &str,
    path: &str,
) -> (u16, String) {
    let r = c
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
    let csp = header(&r, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{path}: {csp}"
    );
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A desk form posted with the session of `cookie`.
pub async fn post_form<F: serde::Serialize + ?Sized>(
    app: &TestApp,
    c: &reqwest::Client,
    cookie: &str,
    path: &str,
    form: &F,
) -> reqwest::Response {
    c.post(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at =
        html.find(r#"name="csrf" value=""#).expect("csrf field") + r#"name="csrf" value=""#.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Run futures at once on the runtime; their results in order.
pub async fn futures_join<F>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// The entry of `lang` in an article's `languages` (the API's article
/// answer), if it has one.
pub fn language(article: &Value, lang: &str) -> Option<Value> {
    article["languages"]
        .as_array()?
        .iter()
        .find(|l| l["lang"] == lang)
        .cloned()
}

/// A model store for a Portuguese newsroom translating through English:
/// the real pt→en model, and the real en→pt model installed as `en-fr`
/// (so the second leg is a real model under another pair's name).
pub fn pivot_models(dir: &Path) -> PathBuf {
    let models = dir.join("models");
    copy_dir(&test_models().join("pt-en"), &models.join("pt-en"));
    copy_dir(&test_models().join("en-pt"), &models.join("en-fr"));
    let manifest_path = models.join("en-fr/manifest.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["pair"] = serde_json::json!("en-fr");
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    models
}

// ------------------------------------------------------------ webhooks

/// One request a [`hook_receiver`] was sent.
#[derive(Clone, Debug)]
pub struct Hook {
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
    /// When it arrived, in seconds since the epoch (for signatures).
    pub at: i64,
}

impl Hook {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

/// A webhook receiver on 127.0.0.1 at `/hook`: it records every request in
/// the returned watch (so a test awaits the n-th arrival instead of
/// polling) and answers what `answer` gives for the request's number (0 for
/// the first). Returns its URL.
pub async fn hook_receiver<F, Fut>(answer: F) -> (String, tokio::sync::watch::Receiver<Vec<Hook>>)
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = axum::http::StatusCode> + Send,
{
    let (tx, rx) = tokio::sync::watch::channel(Vec::<Hook>::new());
    let tx = std::sync::Arc::new(tx);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (tx, answer) = (tx.clone(), answer.clone());
                async move {
                    let mut n = 0;
                    tx.send_modify(|seen| {
                        n = seen.len();
                        seen.push(Hook {
                            headers,
                            body: body.to_vec(),
                            at: warta_store::now_millis() / 1000,
                        })
                    });
                    answer(n).await
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), rx)
}

/// Wait until the receiver has been sent `n` requests; fails after
/// `within`.
pub async fn hooks_received(
    seen: &mut tokio::sync::watch::Receiver<Vec<Hook>>,
    n: usize,
    within: Duration,
) -> Vec<Hook> {
    let arrived = tokio::time::timeout(within, seen.wait_for(|v| v.len() >= n))
        .await
        .map(|hooks| hooks.unwrap().clone());
    match arrived {
        Ok(hooks) => hooks,
        Err(_) => panic!(
            "after {within:?}: {} of {n} deliveries",
            seen.borrow().len()
        ),
    }
}

// ------------------------------------------------------------ the browser

/// Chromium and playwright-core are there; without them a browser test is
/// skipped with a message, except under CI (`CI=true`), where it fails.
pub fn browser_available() -> bool {
    browser_ready(None)
}

/// Create the editor USER (password PASSWORD) in the app's store.
pub async fn create_editor(app: &TestApp) {
    app.app()
        .ctx
        .store
        .create_user(USER, PASSWORD)
        .await
        .unwrap();
}

/// tests/browser: the node scripts that drive Chromium.
pub fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

/// Chromium and playwright-core are there (and `node_module`, if given:
/// another package a script needs). Without them a browser test is skipped
/// with a message, except under CI (`CI=true`), where it fails.
pub fn browser_ready(node_module: Option<&str>) -> bool {
    let modules = browser_dir().join("node_modules");
    let ok = Path::new("/usr/bin/chromium").exists()
        && modules.join("playwright-core").exists()
        && node_module.is_none_or(|m| modules.join(m).exists());
    if !ok {
        let msg = "browser test needs /usr/bin/chromium (apt-get install chromium) and `npm ci` in tests/browser";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    ok
}

/// Run `node SCRIPT ARGS…` in tests/browser (passing `WARTA_SCREENSHOTS` and
/// `WARTA_SCREENSHOT_PAGES` through) and require its last line to be
/// "N passed, 0 failed" with N > 0. Returns its output.
pub async fn run_browser_script(script: &str, args: Vec<String>) -> String {
    let script = script.to_string();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new("node");
        cmd.current_dir(browser_dir()).arg(&script).args(&args);
        for var in ["WARTA_SCREENSHOTS", "WARTA_SCREENSHOT_PAGES"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        cmd.output().expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser script failed:\n{stdout}\n{stderr}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(" 0 failed") && !last.starts_with("0 passed"),
        "{last}"
    );
    stdout
}

impl TestApp {
    /// Post each (slug, title, body HTML) article and wait until its `lang`
    /// translation is published and scored.
    pub async fn publish_translated(&self, articles: &[(&str, &str, &str)], lang: &str) {
        for (slug, title, body) in articles {
            let r = self
                .post_article(&serde_json::json!({
                    "slug": slug, "title": title, "summary": "", "body_html": body
                }))
                .await;
            assert_eq!(r.status().as_u16(), 202, "{slug}");
        }
        for (slug, ..) in articles {
            self.wait_for_job(slug, lang, "done", Duration::from_secs(120))
                .await;
            self.wait_scored(slug, lang).await;
        }
    }
}
