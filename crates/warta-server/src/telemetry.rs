//! Request telemetry: every HTTP request gets an id and a span.
//!
//! The id is the `x-request-id` header a proxy already set, else a new UUID;
//! it is echoed in the response and recorded as the `request_id` field of a
//! `request` span around the handler, so every log line a request causes
//! (text or `--log-format json`) carries it. One line per response at INFO
//! with status and latency (tower-http's trace layer).
//!
//! Which subscriber prints the spans, and how, is the binary's business; this
//! module only makes them.

use axum::http::{HeaderName, Request};
use tower::Layer;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestId, RequestId, SetRequestId};
use tower_http::trace::{DefaultOnResponse, MakeSpan, Trace};
use tracing::Level;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer the router applies: set the id, open the span, echo the id.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestTelemetry;

pub fn layer() -> RequestTelemetry {
    RequestTelemetry
}

type Traced<S> =
    Trace<PropagateRequestId<S>, SharedClassifier<ServerErrorsAsFailures>, RequestSpan>;

impl<S> Layer<S> for RequestTelemetry {
    type Service = SetRequestId<Traced<S>, MakeRequestUuid>;

    fn layer(&self, inner: S) -> Self::Service {
        let traced = Trace::new_for_http(PropagateRequestId::new(inner, REQUEST_ID))
            .make_span_with(RequestSpan)
            .on_response(DefaultOnResponse::new().level(Level::INFO));
        // Outermost, so the id exists before the span is made.
        SetRequestId::new(traced, REQUEST_ID, MakeRequestUuid)
    }
}

/// The `request` span: method, path (never the query: it may hold a key or
/// personal data) and the request id.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &Request<B>) -> tracing::Span {
        let id = req
            .extensions()
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
    }
}
