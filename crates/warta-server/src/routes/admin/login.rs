//! Logging in and out of the desk; login attempts are throttled before
//! the password is checked (`routes/login_throttle.rs`).

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{
    csrf_ok, forbidden, form_or_empty, html, same_origin, session_cookie, session_token,
    AdminError, Editor, SESSION_TTL,
};
use crate::routes::login_throttle::Refused;
use crate::startup::App;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    message: Option<&'a str>,
    username_value: &'a str,
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
            desk_user: None,
            csrf: "",
            message,
            username_value: username,
        },
    )
}

pub(super) async fn login_form(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
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

pub(super) async fn login(
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
    pub(super) csrf: String,
}

pub(super) async fn logout(
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
