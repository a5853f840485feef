//! The webhook delivery log: `GET /api/v1/webhooks/deliveries` (Bearer API
//! key), newest first, so a CMS team can see what was sent, what their
//! receiver answered and what is still being retried.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::routes::api::rfc3339;
use crate::routes::auth::ApiKeyAuth;
use crate::startup::App;

#[derive(Deserialize)]
pub struct Page {
    limit: Option<i64>,
}

pub async fn deliveries(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth,
    Query(page): Query<Page>,
) -> Result<Json<Value>, ApiError> {
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let rows = app.ctx.store.webhook_deliveries(limit).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id,
                "url": d.url,
                "event": d.event,
                "state": d.state,
                "attempts": d.attempts,
                "last_status": d.last_status,
                "last_error": d.last_error,
                "payload": serde_json::from_str::<Value>(&d.payload).unwrap_or(Value::Null),
                "created_at": rfc3339(d.created_at),
                "updated_at": rfc3339(d.updated_at),
            })
        })
        .collect();
    Ok(Json(json!({ "deliveries": items })))
}
