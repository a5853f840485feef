//! The editors' review queue at `/admin`: log in, see the flagged sentences
//! of machine translations (worst first), fix one, approve it.
//!
//! Approving a fix does four things, each idempotent so a retry converges:
//! the segment becomes the editor's text (`human`), the sentence goes into
//! the translation memory as a human entry (so every later article with the
//! same sentence reuses it), the segment's flags are resolved, and a job to
//! rebuild the version is queued ahead of the backlog (the worker takes the
//! approved sentence from the memory), with jobs for the other published
//! articles that contain the same sentence.
//!
//! Security, all of it here: argon2 passwords (in the store), a session
//! cookie that is `HttpOnly`, `SameSite=Strict`, `Path=/admin` — and over
//! https `__Host-` prefixed, `Secure`, `Path=/`; a per-session CSRF token on every
//! form that changes something, compared in constant time, plus a same-origin
//! check of `Origin` / `Sec-Fetch-Site`; login attempts throttled before the
//! password is checked, per (username, client address) and per address
//! (`login_throttle.rs`); every page `no-store`, unframeable, and under a
//! `Content-Security-Policy` that allows no script at all (the admin uses
//! none) and only the admin stylesheet.
//!
//! What this module must never do: translate (that is the workers' job,
//! through the queue, with its leases and thread budget) or show
//! unescaped text (askama escapes every value in the templates).

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use warta_core::{normalize_segment, Lang, Pair, Slug};
use warta_store::{QaFlag, ReviewItem, SegmentApproval, Session, StoreError};

use crate::routes::login_throttle::Refused;
use crate::startup::App;

/// Name of the session cookie over http.
pub const SESSION_COOKIE: &str = "warta_session";
/// Its name when the site is https: the `__Host-` prefix makes browsers
/// take it only if `Secure`, `Path=/` and without `Domain`, so no sibling
/// subdomain can plant one (RFC 6265bis §4.1.3.2).
pub const SECURE_SESSION_COOKIE: &str = "__Host-warta_session";
/// How long a login lasts: one working shift.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 60 * 60);
/// Queue entries per page.
const PAGE_SIZE: u32 = 25;
/// Longest corrected sentence accepted (characters).
const MAX_SEGMENT_CHARS: usize = 2000;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";
const STYLESHEET: &str = include_str!("../../templates/admin/admin.css");

/// The `/admin` routes, with the security headers every admin response carries.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/admin", get(queue))
        .route("/admin/", get(|| async { Redirect::to("/admin") }))
        .route("/admin/admin.css", get(stylesheet))
        .route("/admin/login", get(login_form).post(login))
        .route("/admin/logout", post(logout))
        .route(
            "/admin/segments/{slug}/{lang}/{idx}",
            get(edit_form).post(approve),
        )
        .layer(axum::middleware::map_response(security_headers))
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    site_name: &'a str,
    username: Option<&'a str>,
    csrf: &'a str,
    message: Option<&'a str>,
    username_value: &'a str,
}

struct QueueRow {
    slug: String,
    title: String,
    public_url: String,
    edit_url: String,
    lang: &'static str,
    lang_name: &'static str,
    dir: &'static str,
    idx: i64,
    severity: &'static str,
    checks: String,
    age: String,
    confidence: String,
    source: String,
    pivot: Option<String>,
    target: String,
    flags: Vec<QaFlag>,
}

struct Flash {
    kind: &'static str,
    text: &'static str,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage<'a> {
    site_name: &'a str,
    username: Option<&'a str>,
    csrf: &'a str,
    flash: Option<Flash>,
    total: u64,
    rows: Vec<QueueRow>,
    source_lang: &'static str,
    first_number: u64,
    page: u64,
    pages: u64,
    prev_page: Option<u64>,
    next_page: Option<u64>,
}

#[derive(Template)]
#[template(path = "admin/segment.html")]
struct SegmentPage<'a> {
    site_name: &'a str,
    username: Option<&'a str>,
    csrf: &'a str,
    message: Option<&'a str>,
    title: &'a str,
    idx_display: i64,
    lang: &'static str,
    lang_name: &'static str,
    dir: &'static str,
    source_lang: &'static str,
    revision: i64,
    confidence: String,
    public_url: String,
    action: String,
    flags: &'a [QaFlag],
    source: &'a str,
    pivot: Option<&'a str>,
    published: &'a str,
    /// What the textarea holds: the published text, or the rejected input.
    text: &'a str,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    site_name: &'a str,
    username: Option<&'a str>,
    csrf: &'a str,
    heading: &'a str,
    message: &'a str,
}

fn html(status: StatusCode, tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!("admin template: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; see the server log",
            )
                .into_response()
        }
    }
}

/// An admin error as an HTML page (the admin is for people, not programs).
struct AdminError {
    status: StatusCode,
    message: String,
}

impl AdminError {
    fn new(status: StatusCode, message: impl Into<String>) -> AdminError {
        AdminError {
            status,
            message: message.into(),
        }
    }

    fn internal(e: impl std::fmt::Display) -> AdminError {
        tracing::error!("admin: {e}");
        AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on the server; see its log.",
        )
    }

    fn page(&self, app: &App, session: Option<&Session>) -> Response {
        let heading = self.status.canonical_reason().unwrap_or("Error");
        html(
            self.status,
            &ErrorPage {
                site_name: &app.config().site_name,
                username: session.map(|s| s.username.as_str()),
                csrf: session.map_or("", |s| s.csrf_token.as_str()),
                heading,
                message: &self.message,
            },
        )
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> AdminError {
        match e {
            StoreError::NotFound(what) => {
                AdminError::new(StatusCode::NOT_FOUND, format!("Not found: {what}."))
            }
            StoreError::Conflict(why) => {
                AdminError::new(StatusCode::CONFLICT, format!("Cannot edit this: {why}."))
            }
            StoreError::Invalid(why) => AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, why),
            other => AdminError::internal(other),
        }
    }
}

// ---------------------------------------------------------------- sessions

/// A logged-in editor: the request carried a live session cookie. Without
/// one, any `/admin` route answers with a redirect to the login form.
pub struct Editor {
    pub token: String,
    pub session: Session,
}

impl axum::extract::FromRequestParts<Arc<App>> for Editor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Editor, Response> {
        let Some(token) = session_token(app, &parts.headers) else {
            return Err(Redirect::to("/admin/login").into_response());
        };
        match app.ctx.store.session(&token).await {
            Ok(Some(session)) => Ok(Editor { token, session }),
            Ok(None) => Err(Redirect::to("/admin/login").into_response()),
            Err(e) => Err(AdminError::internal(e).page(app, None)),
        }
    }
}

/// The session token from this site's session cookie, if it looks like one
/// (64 hex digits, as the store makes them); anything else is ignored.
fn session_token(app: &App, headers: &HeaderMap) -> Option<String> {
    cookie_token(headers, session_cookie_name(app))
}

fn session_cookie_name(app: &App) -> &'static str {
    if app.site.base_url().starts_with("https://") {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

fn cookie_token(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.trim().to_string())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn session_cookie(app: &App, token: &str, max_age: Duration) -> HeaderValue {
    // Over http a browser would drop a `Secure` or `__Host-` cookie.
    let attrs = match session_cookie_name(app) {
        SECURE_SESSION_COOKIE => "Path=/; Secure",
        _ => "Path=/admin",
    };
    let cookie = format!(
        "{}={token}; {attrs}; HttpOnly; SameSite=Strict; Max-Age={}",
        session_cookie_name(app),
        max_age.as_secs()
    );
    HeaderValue::from_str(&cookie).expect("cookie of hex digits and fixed text")
}

/// Equal without revealing, through timing, how many leading bytes match.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn csrf_ok(session: &Session, submitted: &str) -> bool {
    !session.csrf_token.is_empty()
        && constant_time_eq(session.csrf_token.as_bytes(), submitted.as_bytes())
}

/// A form post that a browser says came from another site is refused before
/// anything else. Browsers send `Sec-Fetch-Site` and `Origin` on posts;
/// clients that send neither (scripts, tests) still need the CSRF token.
fn same_origin(app: &App, headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = get("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    let Some(origin) = get(header::ORIGIN.as_str()) else {
        return true;
    };
    let base = app.site.base_url();
    let base_origin = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    if origin.eq_ignore_ascii_case(&base_origin) {
        return true;
    }
    // Behind a proxy that keeps the Host header, the site may be reached by
    // another name than base_url.
    get(header::HOST.as_str()).is_some_and(|host| {
        origin.eq_ignore_ascii_case(&format!("http://{host}"))
            || origin.eq_ignore_ascii_case(&format!("https://{host}"))
    })
}

/// A form body, or an empty form when the body is missing or not
/// form-encoded: such a post then fails the token or password check with the
/// same answer as any other bad post, rather than a bare 4xx of the extractor.
fn form_or_empty<T: Default>(form: Result<Form<T>, FormRejection>) -> T {
    form.map(|Form(f)| f).unwrap_or_default()
}

fn forbidden(app: &App, session: Option<&Session>, why: &str) -> Response {
    AdminError::new(StatusCode::FORBIDDEN, why).page(app, session)
}

// ---------------------------------------------------------------- login throttle

/// The answer to an attempt the throttle (`routes/login_throttle.rs`) did
/// not let reach the password check.
fn login_refused(app: &App, refused: Refused, username: &str) -> Response {
    let (status, retry_after) = match refused {
        Refused::Throttled(wait) => (StatusCode::TOO_MANY_REQUESTS, wait),
        Refused::Busy(wait) => (StatusCode::SERVICE_UNAVAILABLE, wait),
        Refused::Store(e) => return AdminError::internal(e).page(app, None),
    };
    let msg = if status == StatusCode::TOO_MANY_REQUESTS {
        let minutes = retry_after.as_secs().div_ceil(60).max(1);
        format!("Too many login attempts. Try again in {minutes} minute(s).")
    } else {
        "Too many logins at this moment. Try again in a few seconds.".to_string()
    };
    let mut resp = login_page(app, status, Some(&msg), username);
    let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

// ---------------------------------------------------------------- login / logout

fn login_page(app: &App, status: StatusCode, message: Option<&str>, username: &str) -> Response {
    html(
        status,
        &LoginPage {
            site_name: &app.config().site_name,
            username: None,
            csrf: "",
            message,
            username_value: username,
        },
    )
}

async fn login_form(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&app, &headers) {
        if let Ok(Some(_)) = app.ctx.store.session(&token).await {
            return Redirect::to("/admin").into_response();
        }
    }
    login_page(&app, StatusCode::OK, None, "")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    if !same_origin(&app, &headers) {
        return forbidden(&app, None, "This form was posted from another site.");
    }
    let username = form.username.trim();
    if username.is_empty() || form.password.is_empty() {
        return login_page(
            &app,
            StatusCode::UNAUTHORIZED,
            Some("Enter your username and password."),
            username,
        );
    }
    if username.chars().count() > 200 || form.password.len() > 1000 {
        return login_page(
            &app,
            StatusCode::UNAUTHORIZED,
            Some("Wrong username or password."),
            "",
        );
    }
    let addr = app.client_addr(&headers, &ext);
    let verified = match app.logins.admit(&app.ctx.store, username, addr).await {
        // The slot is held through the password check.
        Ok(_slot) => app.ctx.store.verify_user(username, &form.password).await,
        Err(refused) => return login_refused(&app, refused, username),
    };
    let user = match verified {
        Ok(Some(u)) => u,
        Ok(None) => {
            tracing::info!(username, "admin login failed");
            return login_page(
                &app,
                StatusCode::UNAUTHORIZED,
                Some("Wrong username or password."),
                username,
            );
        }
        Err(e) => return AdminError::internal(e).page(&app, None),
    };
    app.logins.succeeded(&app.ctx.store, username, addr).await;
    let (token, _session) = match app.ctx.store.create_session(user.id, SESSION_TTL).await {
        Ok(s) => s,
        Err(e) => return AdminError::internal(e).page(&app, None),
    };
    tracing::info!(username = %user.username, "admin login");
    let mut resp = Redirect::to("/admin").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&app, &token, SESSION_TTL),
    );
    resp
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    if !same_origin(&app, &headers) || !csrf_ok(&editor.session, &form.csrf) {
        return forbidden(
            &app,
            Some(&editor.session),
            "Missing or wrong form token; reload the page and try again.",
        );
    }
    if let Err(e) = app.ctx.store.delete_session(&editor.token).await {
        return AdminError::internal(e).page(&app, Some(&editor.session));
    }
    let mut resp = Redirect::to("/admin/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&app, "", Duration::ZERO));
    resp
}

// ---------------------------------------------------------------- queue

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    page: Option<String>,
    flash: Option<String>,
}

/// Ahead of every ordinary job: an editor is looking at the page.
const APPROVAL_PRIORITY: i64 = 10;

/// Fixed texts for the codes the approve handler redirects with: nothing
/// from the URL is ever shown.
fn flash_for(code: Option<&str>) -> Option<Flash> {
    match code? {
        "published" => Some(Flash {
            kind: "ok",
            text: "Approved and published: the page shows the fix within seconds. The sentence is in the translation memory.",
        }),
        "not-published" => Some(Flash {
            kind: "error",
            text: "Saved and remembered, but queueing the republication failed (see the server log); \
                   the page shows the fix after its next translation.",
        }),
        _ => None,
    }
}

fn severity_name(item: &ReviewItem) -> &'static str {
    item.worst.as_str()
}

/// "just now", "5 min ago", "3 h ago", "2 d ago".
fn age(now_ms: i64, then_ms: Option<i64>) -> String {
    let Some(then) = then_ms else {
        return "—".into();
    };
    let mins = (now_ms - then).max(0) / 60_000;
    match mins {
        0 => "just now".into(),
        1..=59 => format!("{mins} min ago"),
        60..=2879 => format!("{} h ago", mins / 60),
        _ => format!("{} d ago", mins / 1440),
    }
}

fn confidence(c: Option<f64>) -> String {
    c.filter(|c| c.is_finite())
        .map_or_else(|| "—".into(), |c| format!("{c:.2}"))
}

fn edit_url(slug: &Slug, lang: Lang, idx: i64) -> String {
    format!("/admin/segments/{}/{}/{}", slug.as_str(), lang.code(), idx)
}

async fn queue(
    State(app): State<Arc<App>>,
    editor: Editor,
    Query(q): Query<QueueQuery>,
) -> Response {
    let store = &app.ctx.store;
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let result = async {
        let total = store.review_queue_len().await?;
        let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1);
        let page = page.min(pages);
        let items = store
            .review_queue(PAGE_SIZE, (page - 1) * u64::from(PAGE_SIZE))
            .await?;
        Ok::<_, StoreError>((total, pages, page, items))
    }
    .await;
    let (total, pages, page, items) = match result {
        Ok(r) => r,
        Err(e) => return AdminError::from(e).page(&app, Some(&editor.session)),
    };
    let now = warta_store::now_millis();
    let rows = items
        .into_iter()
        .map(|it| {
            let mut checks: Vec<&str> = it.flags.iter().map(|f| f.check.name()).collect();
            checks.dedup();
            QueueRow {
                slug: it.slug.to_string(),
                public_url: app.site.article_url(it.lang, &it.slug),
                edit_url: edit_url(&it.slug, it.lang, it.segment.idx),
                lang: it.lang.code(),
                lang_name: it.lang.english_name(),
                dir: it.lang.dir().as_str(),
                idx: it.segment.idx,
                severity: severity_name(&it),
                checks: checks.join(", "),
                age: age(now, it.flagged_at),
                confidence: confidence(it.segment.confidence),
                title: it.title,
                source: it.segment.source_text,
                pivot: it.segment.pivot_text,
                target: it.segment.target_text,
                flags: it.flags,
            }
        })
        .collect();
    html(
        StatusCode::OK,
        &QueuePage {
            site_name: &app.config().site_name,
            username: Some(&editor.session.username),
            csrf: &editor.session.csrf_token,
            flash: flash_for(q.flash.as_deref()),
            total,
            rows,
            source_lang: app.config().source.code(),
            first_number: (page - 1) * u64::from(PAGE_SIZE) + 1,
            page,
            pages,
            prev_page: (page > 1).then(|| page - 1),
            next_page: (page < pages).then(|| page + 1),
        },
    )
}

// ---------------------------------------------------------------- one segment

/// The segment named by the URL: a live article, a target language of this
/// site, a segment index.
struct SegmentRef {
    slug: Slug,
    lang: Lang,
    idx: i64,
}

fn parse_segment_ref(
    app: &App,
    slug: &str,
    lang: &str,
    idx: &str,
) -> Result<SegmentRef, AdminError> {
    let not_found = || AdminError::new(StatusCode::NOT_FOUND, "No such segment.");
    let slug = Slug::parse(slug).map_err(|_| not_found())?;
    let lang = Lang::parse(lang)
        .ok()
        .filter(|l| app.config().targets.contains(l))
        .ok_or_else(not_found)?;
    let idx = idx.parse::<u32>().map_err(|_| not_found())?;
    Ok(SegmentRef {
        slug,
        lang,
        idx: i64::from(idx),
    })
}

async fn load_segment(app: &App, r: &SegmentRef) -> Result<ReviewItem, AdminError> {
    let article = app.ctx.store.article(&r.slug).await?;
    Ok(app
        .ctx
        .store
        .review_segment(article.id, r.lang, r.idx)
        .await?)
}

fn segment_page(
    app: &App,
    session: &Session,
    item: &ReviewItem,
    status: StatusCode,
    message: Option<&str>,
    text: &str,
) -> Response {
    html(
        status,
        &SegmentPage {
            site_name: &app.config().site_name,
            username: Some(&session.username),
            csrf: &session.csrf_token,
            message,
            title: &item.title,
            idx_display: item.segment.idx + 1,
            lang: item.lang.code(),
            lang_name: item.lang.english_name(),
            dir: item.lang.dir().as_str(),
            source_lang: app.config().source.code(),
            revision: item.revision.0,
            confidence: confidence(item.segment.confidence),
            public_url: app.site.article_url(item.lang, &item.slug),
            action: edit_url(&item.slug, item.lang, item.segment.idx),
            flags: &item.flags,
            source: &item.segment.source_text,
            pivot: item.segment.pivot_text.as_deref(),
            published: &item.segment.target_text,
            text,
            max_chars: MAX_SEGMENT_CHARS,
        },
    )
}

async fn edit_form(
    State(app): State<Arc<App>>,
    editor: Editor,
    Path((slug, lang, idx)): Path<(String, String, String)>,
) -> Response {
    let item = match parse_segment_ref(&app, &slug, &lang, &idx) {
        Ok(r) => load_segment(&app, &r).await,
        Err(e) => Err(e),
    };
    match item {
        Ok(item) => segment_page(
            &app,
            &editor.session,
            &item,
            StatusCode::OK,
            None,
            &item.segment.target_text,
        ),
        Err(e) => e.page(&app, Some(&editor.session)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    text: String,
}

/// The editor's sentence, parsed: line breaks and tabs a textarea lets in
/// become single spaces (a segment is one sentence of running text); other
/// control characters, blank text and overlong text are refused.
fn parse_segment_text(raw: &str) -> Result<String, &'static str> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err("The corrected translation must not be empty.");
    }
    if text.chars().any(char::is_control) {
        return Err(
            "The corrected translation contains control characters; retype it as plain text.",
        );
    }
    if text.chars().count() > MAX_SEGMENT_CHARS {
        return Err("The corrected translation is too long for one sentence.");
    }
    Ok(text)
}

async fn approve(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path((slug, lang, idx)): Path<(String, String, String)>,
    form: Result<Form<EditForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if !same_origin(&app, &headers) || !csrf_ok(session, &form.csrf) {
        return forbidden(
            &app,
            Some(session),
            "Missing or wrong form token; reload the page and try again.",
        );
    }
    let item = match parse_segment_ref(&app, &slug, &lang, &idx) {
        Ok(r) => load_segment(&app, &r).await,
        Err(e) => Err(e),
    };
    let item = match item {
        Ok(i) => i,
        Err(e) => return e.page(&app, Some(session)),
    };
    let text = match parse_segment_text(&form.text) {
        Ok(t) => t,
        Err(why) => {
            return segment_page(
                &app,
                session,
                &item,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                &form.text,
            )
        }
    };
    let editor_name = session.username.as_str();
    let (article, lang, idx) = (item.article_id, item.lang, item.segment.idx);
    let events = crate::webhooks::events(
        app.config(),
        crate::configuration::WebhookEvent::Approved,
        &item.slug,
        lang,
        item.revision,
        None,
        Some(editor_name),
    );
    // One transaction: the sentence, its flags, the memory, the event, and
    // the page rebuilt by a worker through the queue like every
    // translation, ahead of the backlog (the approved text is in the memory
    // as a human entry, so the job uses it verbatim), with the other
    // articles published with the same sentence.
    let approval = SegmentApproval {
        article,
        lang,
        idx,
        source_text: &item.segment.source_text,
        source_norm: &normalize_segment(&item.segment.source_text),
        pair: Pair {
            src: app.config().source,
            trg: lang,
        },
        text: &text,
        editor: editor_name,
        events: &events,
        priority: APPROVAL_PRIORITY,
    };
    let approved = match app.ctx.store.approve_segment(&approval).await {
        Ok(a) => a,
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    tracing::info!(slug = %item.slug, %lang, idx, editor = editor_name,
        others = approved.others_queued, "segment approved");
    let flash = "published";
    Redirect::to(&format!("/admin?flash={flash}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_token_is_read_only_from_its_own_well_formed_cookie() {
        let token = "ab".repeat(32);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={token}; y=2")).unwrap(),
        );
        assert_eq!(cookie_token(&h, SESSION_COOKIE), Some(token));
        let mut bad = HeaderMap::new();
        bad.insert(
            header::COOKIE,
            HeaderValue::from_static("warta_session=../../etc; other=1"),
        );
        assert_eq!(cookie_token(&bad, SESSION_COOKIE), None);
        assert_eq!(cookie_token(&HeaderMap::new(), SESSION_COOKIE), None);
    }

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[test]
    fn segment_text_is_one_line_of_printable_text() {
        assert_eq!(
            parse_segment_text("  Uma frase\r\ncorrigida.\t").unwrap(),
            "Uma frase corrigida."
        );
        assert!(parse_segment_text(" \n ").is_err());
        assert!(parse_segment_text("nul\u{0}byte").is_err());
        assert!(parse_segment_text("bell\u{7}").is_err());
        assert!(parse_segment_text(&"a".repeat(MAX_SEGMENT_CHARS + 1)).is_err());
        // Arabic with a right-to-left mark is text, not a control character.
        assert!(parse_segment_text("مرحبا\u{200F} بالعالم").is_ok());
    }

    #[test]
    fn ages_read_like_a_newsroom_would_say_them() {
        let now = 10 * 86_400_000;
        assert_eq!(age(now, Some(now - 30_000)), "just now");
        assert_eq!(age(now, Some(now - 5 * 60_000)), "5 min ago");
        assert_eq!(age(now, Some(now - 3 * 3_600_000)), "3 h ago");
        assert_eq!(age(now, Some(now - 2 * 86_400_000)), "2 d ago");
        assert_eq!(age(now, None), "—");
    }
}
