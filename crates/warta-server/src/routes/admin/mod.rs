//! The editors' desk at `/admin`: log in; the review queue of flagged
//! sentences (`queue.rs`) and the one-sentence editor (`segments.rs`); every
//! article with the state of each language (`articles.rs`); a whole
//! translated article side by side with its original, editable sentence by
//! sentence and approved as a whole (`review.rs`); false flags dismissed
//! with a reason (`flags.rs`); the glossary, each change saying how many
//! translations it re-queued, and its TSV file exported and imported
//! (`glossary.rs`); names in recent originals without a glossary entry,
//! with the model's spellings of them (`terms.rs`); the team, where an
//! admin creates editors, resets passwords and ends sessions (`team.rs`);
//! the audit log of every action (`audit.rs`); translations suggested from
//! outside through LibreTranslate's `/suggest`, accepted or rejected
//! (`suggestions.rs`).
//!
//! Every change goes through one store transaction named after it
//! (`approve_segment`, `approve_version`, `dismiss_flag`), through a store
//! handle acting as the logged-in user ([`store_as`]), so the audit record
//! is written in that transaction, as theirs; nothing here
//! translates: an approved sentence is rebuilt into its page by a worker,
//! through the queue, like every translation.
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

mod articles;
mod audit;
mod flags;
mod glossary;
mod login;
mod queue;
mod review;
mod segments;
mod suggestions;
mod team;
mod terms;

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use warta_store::{Actor, Role, Session, Store, StoreError};

use crate::startup::App;

/// Name of the session cookie over http.
pub const SESSION_COOKIE: &str = "warta_session";
/// Its name when the site is https: the `__Host-` prefix makes browsers
/// take it only if `Secure`, `Path=/` and without `Domain`, so no sibling
/// subdomain can plant one (RFC 6265bis §4.1.3.2).
pub const SECURE_SESSION_COOKIE: &str = "__Host-warta_session";
/// How long a login lasts: one working shift.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 60 * 60);

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";
const STYLESHEET: &str = include_str!("../../../templates/admin/admin.css");

/// The `/admin` routes, with the security headers every admin response carries.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/admin", get(queue::queue))
        .route("/admin/", get(|| async { Redirect::to("/admin") }))
        .route("/admin/admin.css", get(stylesheet))
        .route("/admin/login", get(login::login_form).post(login::login))
        .route("/admin/logout", post(login::logout))
        .route(
            "/admin/segments/{slug}/{lang}/{idx}",
            get(segments::edit_form).post(segments::approve),
        )
        .route("/admin/articles", get(articles::list))
        .route("/admin/articles/{slug}/{lang}", get(review::page))
        .route(
            "/admin/articles/{slug}/{lang}/segments/{idx}",
            post(review::save_sentence),
        )
        .route(
            "/admin/articles/{slug}/{lang}/approve",
            post(review::approve),
        )
        .route(
            "/admin/articles/{slug}/{lang}/preview",
            get(review::preview),
        )
        .route("/admin/flags/{id}/dismiss", post(flags::dismiss))
        .route("/admin/glossary", get(glossary::list).post(glossary::add))
        .route(
            "/admin/glossary/{id}",
            get(glossary::edit_form).post(glossary::update),
        )
        .route("/admin/glossary/{id}/delete", post(glossary::delete))
        .route("/admin/team", get(team::page).post(team::create))
        .route(
            "/admin/team/{username}/password",
            post(team::reset_password),
        )
        .route("/admin/team/{username}/sessions", post(team::end_sessions))
        .route("/admin/audit", get(audit::page))
        .route("/admin/suggestions", get(suggestions::page))
        .route(
            "/admin/suggestions/{id}/{verdict}",
            post(suggestions::decide),
        )
        .route("/admin/glossary/export.tsv", get(glossary::export))
        .route("/admin/glossary/import", post(glossary::import))
        .route("/admin/terms", get(terms::list))
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

/// A notice shown once after a redirect, chosen by a fixed code in the URL:
/// nothing from the URL itself is ever shown.
struct Flash {
    kind: &'static str,
    text: &'static str,
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

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
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
                desk_user: session,
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

/// The store, acting as the logged-in user of `session`: the audit log
/// records what is done through it as theirs.
fn store_as(app: &App, session: &Session) -> Store {
    app.ctx.store.acting_as(Actor::user(&session.username))
}

/// Admins only: an editor gets a 403 page saying so.
fn require_admin(app: &App, session: &Session) -> Result<(), Response> {
    match session.role {
        Role::Admin => Ok(()),
        Role::Editor => Err(forbidden(
            app,
            Some(session),
            "Only an admin of the desk can do this; ask one of them.",
        )),
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

/// A form post's first checks: from this site, with the session's form
/// token; else the 403 page.
fn checked_post(
    app: &App,
    session: &Session,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(), Response> {
    if same_origin(app, headers) && csrf_ok(session, csrf) {
        return Ok(());
    }
    Err(forbidden(
        app,
        Some(session),
        "Missing or wrong form token; reload the page and try again.",
    ))
}

fn forbidden(app: &App, session: Option<&Session>, why: &str) -> Response {
    AdminError::new(StatusCode::FORBIDDEN, why).page(app, session)
}

/// Why a line an editor typed was refused ([`one_line`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineRefused {
    Empty,
    Control,
    TooLong,
}

/// An editor's text as one line: line breaks and tabs a textarea lets in
/// become single spaces; blank text, other control characters and more
/// than `max_chars` characters are refused.
fn one_line(raw: &str, max_chars: usize) -> Result<String, LineRefused> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        Err(LineRefused::Empty)
    } else if text.chars().any(char::is_control) {
        Err(LineRefused::Control)
    } else if text.chars().count() > max_chars {
        Err(LineRefused::TooLong)
    } else {
        Ok(text)
    }
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
    fn ages_read_like_a_newsroom_would_say_them() {
        let now = 10 * 86_400_000;
        assert_eq!(age(now, Some(now - 30_000)), "just now");
        assert_eq!(age(now, Some(now - 5 * 60_000)), "5 min ago");
        assert_eq!(age(now, Some(now - 3 * 3_600_000)), "3 h ago");
        assert_eq!(age(now, Some(now - 2 * 86_400_000)), "2 d ago");
        assert_eq!(age(now, None), "—");
    }
}
