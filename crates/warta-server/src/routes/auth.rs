//! API-key authentication: `Authorization: Bearer <key>`. Only the key's
//! SHA-256 is stored; the store compares hashes.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::startup::App;

/// Proof that the request carried a valid, unrevoked API key.
pub struct ApiKeyAuth {
    pub key_name: String,
}

impl FromRequestParts<Arc<App>> for ApiKeyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<ApiKeyAuth, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let key = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        verify(app, key).await
    }
}

pub async fn verify(app: &App, key: &str) -> Result<ApiKeyAuth, ApiError> {
    match app.ctx.store.verify_api_key(key).await? {
        Some(k) => Ok(ApiKeyAuth { key_name: k.name }),
        None => Err(ApiError::unauthorized()),
    }
}
