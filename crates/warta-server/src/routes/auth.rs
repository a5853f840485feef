//! API keys and their scopes: `Authorization: Bearer <key>`. Only the key's
//! SHA-256 is stored; the store compares hashes.
//!
//! A route says which scope it needs in its signature — an
//! `ApiKeyAuth<scope::Articles>` argument — and this one extractor checks
//! key and scope before the handler runs (401 without a valid key, 403 when
//! the key lacks the scope), so no handler checks anything itself. The same
//! scope is named in the route's `#[utoipa::path(security(…))]`, and a test
//! holds the two together (tests/security.rs,
//! `every_operation_requires_exactly_the_scopes_its_document_names`).

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use warta_ingest::{plain_text, MAX_AUTHOR_CHARS};
use warta_store::Scope;

use crate::error::{ApiError, ErrorBody};
use crate::startup::App;

/// The scope a route needs, as a type, so that the extractor can name it.
pub trait RequiredScope: Send + Sync + 'static {
    const SCOPE: Scope;
}

/// One marker type per [`Scope`].
pub mod scope {
    use super::{RequiredScope, Scope};

    macro_rules! scopes {
        ($($name:ident),*) => {$(
            #[doc = concat!("The `", stringify!($name), "` scope.")]
            pub struct $name;
            impl RequiredScope for $name {
                const SCOPE: Scope = Scope::$name;
            }
        )*};
    }
    scopes!(Translate, Articles, Glossary, Webhooks, Stats, Admin);
}

/// How a request without a valid API key holding the operation's scope
/// (the one its `security` names) is refused, declared once for the
/// OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum KeyRefused {
    #[response(status = 401, description = "Missing or invalid API key")]
    Missing(ErrorBody),
    #[response(status = 403, description = "The API key lacks the scope `security` names")]
    Forbidden(ErrorBody),
}

/// Proof that the request carried a valid, unrevoked API key holding the
/// scope `S`.
pub struct ApiKeyAuth<S: RequiredScope> {
    pub key_name: String,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequestParts<Arc<App>> for ApiKeyAuth<S> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<ApiKeyAuth<S>, ApiError> {
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
        verify_scoped(app, key).await
    }
}

impl<S: RequiredScope> ApiKeyAuth<S> {
    /// Who a request acts for (an approval's editor, a translator): the
    /// name the body gives in `field`, else this key's name.
    pub fn person(&self, field: &str, given: Option<String>) -> Result<String, ApiError> {
        match given {
            Some(name) => Ok(plain_text(field, &name, MAX_AUTHOR_CHARS, false)?),
            None => Ok(self.key_name.clone()),
        }
    }

    /// The store, acting as this key (by its name) for the audit log.
    pub fn store(&self, app: &App) -> warta_store::Store {
        app.ctx
            .store
            .acting_as(warta_store::Actor::api_key(&self.key_name))
    }
}

/// The check of the LibreTranslate routes, which find the key in the body
/// or the header themselves: a valid key with the `translate` scope.
pub async fn verify(app: &App, key: &str) -> Result<ApiKeyAuth<scope::Translate>, ApiError> {
    verify_scoped(app, key).await
}

/// A valid, unrevoked key holding scope `S`: 401 for no such key, 403 for a
/// key without the scope (the message names the scope and how to get it).
pub async fn verify_scoped<S: RequiredScope>(
    app: &App,
    key: &str,
) -> Result<ApiKeyAuth<S>, ApiError> {
    let Some(k) = app.ctx.store.verify_api_key(key).await? else {
        return Err(ApiError::unauthorized());
    };
    if !k.scopes.contains(S::SCOPE) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            field: None,
            message: format!(
                "this API key (`{}`) lacks the `{}` scope; it has: {}. Create a key for this with \
                 `warta keys create NAME --scope {}`",
                k.name,
                S::SCOPE,
                k.scopes,
                S::SCOPE
            ),
        });
    }
    Ok(ApiKeyAuth {
        key_name: k.name,
        scope: PhantomData,
    })
}
