//! The webhook delivery log: `GET /api/v1/webhooks/deliveries` (Bearer API
//! key), newest first, so a CMS team can see what was sent, what their
//! receiver answered and what is still being retried.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::configuration::WebhookEvent;
use crate::error::{ApiError, ErrorBody};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;
use crate::webhooks::Event;
use warta_core::Timestamp;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many deliveries, newest first (default 100; clamped to 1–1000).
    limit: Option<i64>,
}

/// The delivery log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryLog {
    pub deliveries: Vec<DeliveryView>,
}

/// One delivery of one event to one receiver.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// The receiver.
    pub url: String,
    /// The event (stored as its name).
    #[schema(value_type = WebhookEvent)]
    pub event: String,
    /// `queued` (waiting, or backing off after a failure), `running`,
    /// `delivered`, or `failed` (gave up after the last attempt).
    pub state: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// The JSON body that is sent.
    #[schema(value_type = Option<Event>)]
    pub payload: Option<serde_json::Value>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/deliveries",
    tag = "webhooks",
    summary = "The webhook delivery log, newest first",
    params(Page),
    responses(
        (status = 200, description = "The deliveries", body = DeliveryLog),
        (status = 400, description = "The query string does not parse (e.g. `limit` is not a 64-bit integer)", body = ErrorBody),
        KeyRefused,
    ),
    security(("api_key" = ["webhooks"])),
)]
pub async fn deliveries(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Webhooks>,
    query: Result<Query<Page>, QueryRejection>,
) -> Result<Json<DeliveryLog>, ApiError> {
    // A `limit` that is not a number is the client's JSON 400, as every
    // error of this API (axum's own rejection would be text/plain).
    let Query(page) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let rows = app.ctx.store.webhook_deliveries(limit).await?;
    let deliveries = rows
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            event: d.event,
            url: d.url,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            payload: serde_json::from_str(&d.payload).ok(),
            created_at: Timestamp::from_unix_millis(d.created_at).rfc3339(),
            updated_at: Timestamp::from_unix_millis(d.updated_at).rfc3339(),
        })
        .collect();
    Ok(Json(DeliveryLog { deliveries }))
}
