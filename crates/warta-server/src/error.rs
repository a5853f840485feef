//! API errors: an HTTP status and a JSON body naming the field at fault.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            field: None,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            field: None,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            field: None,
            message: "missing or invalid API key: send `Authorization: Bearer <key>` (create one with `warta keys create NAME`)".into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {e}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            field: None,
            message: "internal error; see the server log".into(),
        }
    }
}

/// The body of every CMS API error: `{"error": {"message", "field"?}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong and, where it helps, how to fix it.
    pub message: String,
    /// The request field at fault (a JSON field, `slug`/`lang` of the path,
    /// or `body` when the body as a whole does not fit), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

impl From<warta_core::FieldError> for ApiError {
    fn from(e: warta_core::FieldError) -> ApiError {
        ApiError::field(&e.field, e.message)
    }
}

/// The one mapping of the store's errors to HTTP: what does not exist is
/// 404, a clash with what is stored (a duplicate, a version made from an
/// older revision) 409, a request the store refuses as malformed 422; the
/// rest are the server's fault (500, detail in the log only).
impl From<warta_store::StoreError> for ApiError {
    fn from(e: warta_store::StoreError) -> ApiError {
        use warta_store::StoreError;
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(why) => ApiError {
                status: StatusCode::CONFLICT,
                field: None,
                message: why,
            },
            StoreError::Invalid(why) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field: None,
                message: why,
            },
            other => ApiError::internal(other),
        }
    }
}

impl ApiError {
    /// Name the request field a client error concerns, where the handler
    /// knows it better than the store (a duplicate glossary `source`).
    pub fn on_field(mut self, field: &str) -> ApiError {
        if self.status.is_client_error() && self.field.is_none() {
            self.field = Some(field.to_string());
        }
        self
    }
}

/// The ingest stage's errors as the CMS API answers them: a bad field 422
/// naming it, a size limit 400 naming it, a body that is not JSON 400.
impl From<warta_ingest::IngestError> for ApiError {
    fn from(e: warta_ingest::IngestError) -> ApiError {
        use warta_ingest::IngestError;
        match e {
            IngestError::Invalid { field, message } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field,
                message,
            },
            IngestError::TooLarge { field, message } => ApiError {
                status: StatusCode::BAD_REQUEST,
                field: Some(field),
                message,
            },
            IngestError::Store(e) => e.into(),
            other @ (IngestError::Malformed(_)
            | IngestError::Feed(_)
            | IngestError::WordPress(_)) => ApiError::bad_request(other.to_string()),
        }
    }
}
