//! The team at `/admin/team`, admins only (an editor gets a 403 page): who
//! has an account, with their role and how many browsers are logged in as
//! them; create an editor (or another admin), set someone's password (their
//! sessions end), end someone's sessions. Each change is one store
//! transaction with its audit record (`Store::add_team_member`,
//! `reset_password`, `end_sessions`), as the admin.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_store::{Role, Session, StoreError, TeamMember, MIN_PASSWORD_CHARS};

use super::{
    age, checked_post, form_or_empty, html, require_admin, store_as, AdminError, Editor, Flash,
};
use crate::startup::App;

struct Row {
    username: String,
    role: &'static str,
    sessions: i64,
    since: String,
    is_you: bool,
    password_action: String,
    sessions_action: String,
}

#[derive(Template)]
#[template(path = "admin/team.html")]
struct TeamPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    flash: Option<Flash>,
    error: Option<String>,
    rows: Vec<Row>,
    new_username: &'a str,
    new_role: &'a str,
    min_password: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FlashQuery {
    flash: Option<String>,
}

/// The notice of a fixed code: nothing from the URL is shown.
fn flash(code: Option<&str>) -> Option<Flash> {
    let text = match code? {
        "created" => "Account created. Give the person their password by a safe channel.",
        "password" => "Password set; their sessions have ended.",
        "sessions" => "Their sessions have ended: they log in again.",
        _ => return None,
    };
    Some(Flash { kind: "ok", text })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewMemberForm {
    csrf: String,
    username: String,
    password: String,
    role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    password: String,
}

fn path_of(username: &str) -> String {
    // Usernames made here are letters, digits, `.`, `_`, `-`; older ones
    // (the command line) may hold anything: escaped for the path.
    percent_encoding::utf8_percent_encode(username, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn team_page(
    app: &App,
    session: &Session,
    status: StatusCode,
    flash_code: Option<&str>,
    error: Option<String>,
    form: &NewMemberForm,
) -> Response {
    let members: Vec<TeamMember> = match app.ctx.store.team().await {
        Ok(m) => m,
        Err(e) => return AdminError::from(e).page(app, Some(session)),
    };
    let now = warta_store::now_millis();
    let rows = members
        .into_iter()
        .map(|m| Row {
            is_you: m.username == session.username,
            role: m.role.as_str(),
            sessions: m.live_sessions,
            since: age(now, Some(m.created_at)),
            password_action: format!("/admin/team/{}/password", path_of(&m.username)),
            sessions_action: format!("/admin/team/{}/sessions", path_of(&m.username)),
            username: m.username,
        })
        .collect();
    html(
        status,
        &TeamPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            flash: flash(flash_code),
            error,
            rows,
            new_username: &form.username,
            new_role: if form.role == "admin" {
                "admin"
            } else {
                "editor"
            },
            min_password: MIN_PASSWORD_CHARS,
        },
    )
}

pub(super) async fn page(
    State(app): State<Arc<App>>,
    editor: Editor,
    Query(q): Query<FlashQuery>,
) -> Response {
    let session = &editor.session;
    if let Err(r) = require_admin(&app, session) {
        return r;
    }
    team_page(
        &app,
        session,
        StatusCode::OK,
        q.flash.as_deref(),
        None,
        &NewMemberForm::default(),
    )
    .await
}

/// A form post's checks, in order: same origin and token, then the role.
fn admin_post(
    app: &App,
    session: &Session,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(), Response> {
    checked_post(app, session, headers, csrf)?;
    require_admin(app, session)
}

pub(super) async fn create(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    form: Result<Form<NewMemberForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(r) = admin_post(&app, session, &headers, &form.csrf) {
        return r;
    }
    let Some(role) = Role::parse(&form.role) else {
        let why = "Choose a role: editor or admin.".to_string();
        return team_page(
            &app,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(why),
            &form,
        )
        .await;
    };
    match store_as(&app, session)
        .add_team_member(&form.username, &form.password, role)
        .await
    {
        Ok(_) => Redirect::to("/admin/team?flash=created").into_response(),
        Err(StoreError::Invalid(why)) => {
            team_page(
                &app,
                session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(capital(&why)),
                &form,
            )
            .await
        }
        Err(StoreError::Conflict(why)) => {
            team_page(
                &app,
                session,
                StatusCode::CONFLICT,
                None,
                Some(capital(&why)),
                &form,
            )
            .await
        }
        Err(e) => AdminError::from(e).page(&app, Some(session)),
    }
}

pub(super) async fn reset_password(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path(username): Path<String>,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(r) = admin_post(&app, session, &headers, &form.csrf) {
        return r;
    }
    match store_as(&app, session)
        .reset_password(&username, &form.password)
        .await
    {
        Ok(_) => Redirect::to("/admin/team?flash=password").into_response(),
        Err(StoreError::Invalid(why)) => {
            let why = format!("Password for {username} not set: {why}.");
            team_page(
                &app,
                session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
                &NewMemberForm::default(),
            )
            .await
        }
        Err(e) => AdminError::from(e).page(&app, Some(session)),
    }
}

pub(super) async fn end_sessions(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path(username): Path<String>,
    form: Result<Form<super::login::CsrfForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(r) = admin_post(&app, session, &headers, &form.csrf) {
        return r;
    }
    match store_as(&app, session).end_sessions(&username).await {
        // Ending one's own sessions logs oneself out: the login page.
        Ok(_) if username == session.username => Redirect::to("/admin/login").into_response(),
        Ok(_) => Redirect::to("/admin/team?flash=sessions").into_response(),
        Err(e) => AdminError::from(e).page(&app, Some(session)),
    }
}

/// The store's message as a sentence.
fn capital(why: &str) -> String {
    let mut c = why.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}
