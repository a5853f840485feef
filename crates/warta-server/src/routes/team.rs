//! The team and the audit log in the CMS API, for a key with the `admin`
//! scope: what `/admin/team` and `/admin/audit` do. The store does the
//! work (warta-store's team.rs and audit.rs), each change audited in its
//! own transaction as the key (by its name).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warta_ingest::parse_json;
use warta_store::{AuditAction, AuditEntry, AuditFilter, Role, TeamMember};

use crate::error::{ApiError, ErrorBody};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;

/// Audit records per page when `limit` is not given.
const DEFAULT_AUDIT_PAGE: u32 = 50;

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    /// 1 to 64 letters, digits, `.`, `_` or `-`.
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    /// At least 10 characters.
    #[schema(min_length = 10)]
    pub password: String,
    /// `editor` (the default) or `admin`.
    pub role: Option<Role>,
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    /// At least 10 characters.
    #[schema(min_length = 10)]
    pub password: String,
}

/// What ending a user's sessions did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    pub username: String,
    /// How many sessions there were.
    pub ended: u64,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; null on the last.
    pub next_before: Option<i64>,
}

/// The audit log's filters as a query string gives them (read as text, so
/// a bad value gets a message naming it; the desk's page reads them too).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub before: Option<String>,
    pub limit: Option<String>,
}

/// The member `username` as listed (after a change).
async fn member(app: &App, username: &str) -> Result<TeamMember, ApiError> {
    app.ctx
        .store
        .team()
        .await?
        .into_iter()
        .find(|m| m.username == username.trim())
        .ok_or_else(|| ApiError::not_found(format!("user `{username}` not found")))
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "team",
    summary = "Every user with their role and live sessions",
    responses(
        (status = 200, description = "The team, by username", body = Vec<TeamMember>),
        KeyRefused,
    ),
    security(("api_key" = ["admin"])),
)]
pub async fn list_users(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Admin>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    Ok(Json(app.ctx.store.team().await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "team",
    summary = "Create an account (an editor unless `role` says admin)",
    request_body(content = NewUserInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = TeamMember),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
)]
pub async fn create_user(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Admin>,
    body: Bytes,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    let input: NewUserInput = parse_json(&body)?;
    let role = input.role.unwrap_or(Role::Editor);
    warta_store::check_new_password(&input.password)
        .map_err(|e| ApiError::from(e).on_field("password"))?;
    let user = auth
        .store(&app)
        .add_team_member(&input.username, &input.password, role)
        .await
        .map_err(|e| ApiError::from(e).on_field("username"))?;
    Ok((
        StatusCode::CREATED,
        Json(member(&app, &user.username).await?),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/password",
    tag = "team",
    summary = "Set a user's password; their sessions end",
    params(("username" = String, Path, description = "The user")),
    request_body(content = PasswordInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Set", body = TeamMember),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "The password is too short or invalid", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
)]
pub async fn reset_password(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Admin>,
    Path(username): Path<String>,
    body: Bytes,
) -> Result<Json<TeamMember>, ApiError> {
    let input: PasswordInput = parse_json(&body)?;
    let user = auth
        .store(&app)
        .reset_password(&username, &input.password)
        .await
        .map_err(|e| ApiError::from(e).on_field("password"))?;
    Ok(Json(member(&app, &user.username).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/users/{username}/sessions",
    tag = "team",
    summary = "End every session of a user (logged out everywhere)",
    params(("username" = String, Path, description = "The user")),
    responses(
        (status = 200, description = "Ended", body = SessionsEnded),
        KeyRefused,
        (status = 404, description = "No such user", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
)]
pub async fn end_sessions(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Admin>,
    Path(username): Path<String>,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = auth.store(&app).end_sessions(&username).await?;
    Ok(Json(SessionsEnded {
        username: username.trim().to_string(),
        ended,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "team",
    summary = "The audit log: who did what, to which object, when; newest first",
    params(
        ("actor" = Option<String>, Query, description = "Only this username or API key name", max_length = 200),
        ("action" = Option<AuditAction>, Query, description = "Only this action"),
        ("before" = Option<i64>, Query, description = "The `next_before` of the previous page"),
        ("limit" = Option<u32>, Query, description = "Records per page (default 50)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "A page of records", body = AuditList),
        KeyRefused,
        (status = 422, description = "A filter is invalid (`error.field` names it)", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
)]
pub async fn audit(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Admin>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let action =
        match q.action.as_deref() {
            None | Some("") => None,
            Some(a) => Some(AuditAction::parse(a).ok_or_else(|| {
                ApiError::field("action", format!("`{a}` is not an audited action"))
            })?),
        };
    let number = |field: &str, v: &Option<String>| -> Result<Option<i64>, ApiError> {
        match v.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::field(field, format!("`{field}` is a whole number"))),
        }
    };
    let before = number("before", &q.before)?;
    let limit = match number("limit", &q.limit)? {
        None => DEFAULT_AUDIT_PAGE,
        Some(n) if (1..=i64::from(warta_store::MAX_AUDIT_PAGE)).contains(&n) => n as u32,
        Some(_) => {
            return Err(ApiError::field(
                "limit",
                format!("`limit` is 1 to {}", warta_store::MAX_AUDIT_PAGE),
            ))
        }
    };
    let actor = q
        .actor
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    let page = app
        .ctx
        .store
        .audit_log(&AuditFilter {
            actor,
            action,
            before,
            limit,
        })
        .await
        .map_err(|e| ApiError::from(e).on_field("actor"))?;
    Ok(Json(AuditList {
        entries: page.entries,
        next_before: page.next_before,
    }))
}
