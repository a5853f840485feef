//! HTTP routes: one module per audience.
//!
//! - [`api`]: the CMS API under `/api/v1` (Bearer API key); [`holds`] and
//!   [`desk`] add the editors' operations to it.
//! - [`glossary`]: the glossary under `/api/v1/glossary` (Bearer API key).
//! - [`libretranslate`]: `/translate`, `/languages`, `/detect`, `/suggest`.
//! - [`team`] and [`suggestions`]: accounts and the audit log (`admin`
//!   scope), and deciding suggestions, in the CMS API.
//! - [`site`]: the public pages, feeds and sitemap (through the page cache).
//! - [`ops`]: `/healthz`, `/metrics` (on `metrics_listen` when set:
//!   [`metrics_router`]).
//! - [`openapi`]: `/api/openapi.json`, and the router of every route it
//!   documents (all of the JSON APIs above).
//!
//! Every response carries the security headers of [`security_headers`]
//! (routes with stricter needs, like the admin, set their own first).

pub mod admin;
pub mod api;
pub mod auth;
pub mod desk;
pub mod glossary;
pub mod guards;
pub mod holds;
pub mod libretranslate;
pub mod login_throttle;
pub mod openapi;
pub mod ops;
pub mod site;
pub mod suggestions;
pub mod team;
pub mod webhooks;

use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::startup::App;

/// The public site's Content-Security-Policy: nothing but this origin's
/// stylesheet and images (and article images from the web, which the
/// sanitiser allows as `http(s)` URLs); no script at all — the site and the
/// admin use none — no plugins, no framing, forms only to this origin.
pub const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; style-src 'self'; \
                       img-src 'self' https: http:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers for every response, unless the route set its own.
pub fn security_headers() -> [(HeaderName, HeaderValue); 4] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    ]
}

/// HSTS for a year when the site is https (RFC 6797; browsers ignore it
/// over http, and behind a TLS proxy warta itself speaks http).
const HSTS: &str = "max-age=31536000";

pub fn router(app: Arc<App>) -> Router {
    let guards = Arc::new(guards::Guards::new(&app.config().limits));
    let http = &app.config().http;
    // The JSON APIs (CMS, glossary, webhooks log, LibreTranslate, health and
    // the OpenAPI document), each under the path its `#[utoipa::path]` names.
    let (documented, _) = openapi::router().split_for_parts();
    let mut router = Router::new().merge(documented).merge(admin::router());
    if app.config().metrics_listen.is_none() {
        router = router.route("/metrics", get(ops::metrics));
    }
    let mut router = router
        .route("/sitemap.xml", get(site::sitemap))
        .route("/sitemap-{file}", get(site::sitemap_part))
        .route(warta_site::STYLESHEET_PATH, get(site::stylesheet))
        .route("/", get(site::root))
        .route("/{lang}/", get(site::front_page))
        .route("/{lang}", get(site::front_redirect))
        .route("/{lang}/feed.xml", get(site::feed))
        .route("/{lang}/{slug}", get(site::article))
        .fallback(site::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(RequestBodyTimeoutLayer::new(http.body_timeout))
        // 503: the server did not answer in time (a slow body is the
        // client's, and fails the body's extractor first).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            http.request_timeout,
        ))
        .layer(Extension(guards))
        .layer(crate::telemetry::layer());
    for (name, value) in security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    if app.site.base_url().starts_with("https://") {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ));
    }
    router.with_state(app)
}

/// `/metrics` alone, for `metrics_listen`.
pub fn metrics_router(app: Arc<App>) -> Router {
    let http = &app.config().http;
    Router::new()
        .route("/metrics", get(ops::metrics))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            http.request_timeout,
        ))
        .layer(crate::telemetry::layer())
        .with_state(app)
}

#[cfg(test)]
mod tests {
    use axum::extract::Path;
    use axum::routing::get;
    use axum::Router;

    /// `/sitemap-{n}.xml` shares the root with `/{lang}` and `/sitemap.xml`
    /// (matchit has no parameter suffixes, so the part route captures
    /// `{n}.xml`): the router must send each path to its own handler. The
    /// route shapes are those of [`super::router`], over real HTTP.
    #[tokio::test]
    async fn sitemap_parts_and_language_paths_share_the_root() {
        let router = Router::new()
            .route("/sitemap.xml", get(|| async { "sitemap".to_string() }))
            .route(
                "/sitemap-{file}",
                get(|Path(f): Path<String>| async move { format!("part {f}") }),
            )
            .route(
                "/{lang}",
                get(|Path(l): Path<String>| async move { format!("lang {l}") }),
            )
            .route(
                "/{lang}/",
                get(|Path(l): Path<String>| async move { format!("front {l}") }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let client = reqwest::Client::new();
        for (path, expected) in [
            ("/sitemap.xml", "sitemap"),
            ("/sitemap-1.xml", "part 1.xml"),
            ("/sitemap-12.xml", "part 12.xml"),
            ("/en", "lang en"),
            ("/en/", "front en"),
            ("/sitemaps", "lang sitemaps"),
        ] {
            let body = client
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(body, expected, "{path}");
        }
        server.abort();
    }
}
