//! Suggestions from outside in the CMS API (`articles` scope): what
//! `/admin/suggestions` shows and does. They arrive through
//! LibreTranslate's `POST /suggest` (routes/libretranslate.rs); accepting
//! one is `Store::accept_suggestion` (the memory and the re-queue, one
//! transaction, audited as the key).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warta_store::{Suggestion, SuggestionState, MAX_SUGGESTION_PAGE};

use crate::error::{ApiError, ErrorBody};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;

/// A decided suggestion, and how many translations it queued again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decision {
    pub suggestion: Suggestion,
    /// Published translations with the suggestion's sentence queued again
    /// (0 for a rejection).
    pub requeued: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<String>,
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::field("id", "a suggestion id is a positive whole number"))
}

#[utoipa::path(
    get,
    path = "/api/v1/suggestions",
    tag = "articles",
    summary = "Suggested translations, oldest first (open ones by default)",
    params(
        ("state" = Option<SuggestionState>, Query, description = "`open` (default), `accepted` or `rejected`"),
        ("after" = Option<i64>, Query, description = "The id of the last suggestion of the previous page"),
        ("limit" = Option<u32>, Query, description = "Suggestions per page (default and most 200)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "A page of suggestions", body = Vec<Suggestion>),
        KeyRefused,
        (status = 422, description = "A filter is invalid (`error.field` names it)", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn list(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Articles>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let state = match q.state.as_deref() {
        None | Some("") | Some("open") => SuggestionState::Open,
        Some("accepted") => SuggestionState::Accepted,
        Some("rejected") => SuggestionState::Rejected,
        Some(s) => {
            return Err(ApiError::field(
                "state",
                format!("`{s}` is not a state: open, accepted or rejected"),
            ))
        }
    };
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(a) => a
            .parse::<i64>()
            .map_err(|_| ApiError::field("after", "`after` is a suggestion id"))?,
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => MAX_SUGGESTION_PAGE,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=MAX_SUGGESTION_PAGE).contains(l))
            .ok_or_else(|| {
                ApiError::field("limit", format!("`limit` is 1 to {MAX_SUGGESTION_PAGE}"))
            })?,
    };
    Ok(Json(app.ctx.store.suggestions(state, after, limit).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/suggestions/{id}/accept",
    tag = "articles",
    summary = "Accept a suggestion: it becomes the translation memory's entry for its sentence",
    description = "In one transaction: the suggestion is closed, its text becomes the human \
                   translation-memory entry for its source and pair, and the published machine \
                   translations with that sentence are queued again.",
    params(("id" = i64, Path, description = "The suggestion's id")),
    responses(
        (status = 200, description = "Accepted", body = Decision),
        KeyRefused,
        (status = 404, description = "No such suggestion", body = ErrorBody),
        (status = 409, description = "It was decided already", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn accept(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path(id): Path<String>,
) -> Result<Json<Decision>, ApiError> {
    decide(&app, &auth, &id, true).await
}

/// Accept (`accept`) or reject suggestion `id`, as the key.
async fn decide(
    app: &App,
    auth: &ApiKeyAuth<scope::Articles>,
    id: &str,
    accept: bool,
) -> Result<Json<Decision>, ApiError> {
    let id = parse_id(id)?;
    let store = auth.store(app);
    let (suggestion, requeued) = match accept {
        true => store.accept_suggestion(id).await?,
        false => (store.reject_suggestion(id).await?, 0),
    };
    Ok(Json(Decision {
        suggestion,
        requeued,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/suggestions/{id}/reject",
    tag = "articles",
    summary = "Reject a suggestion",
    params(("id" = i64, Path, description = "The suggestion's id")),
    responses(
        (status = 200, description = "Rejected", body = Decision),
        KeyRefused,
        (status = 404, description = "No such suggestion", body = ErrorBody),
        (status = 409, description = "It was decided already", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn reject(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path(id): Path<String>,
) -> Result<Json<Decision>, ApiError> {
    decide(&app, &auth, &id, false).await
}
