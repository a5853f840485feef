//! HTTP routes: one module per audience.
//!
//! - [`api`]: the CMS API under `/api/v1` (Bearer API key).
//! - [`glossary`]: the glossary under `/api/v1/glossary` (Bearer API key).
//! - [`libretranslate`]: `/translate`, `/languages`, `/detect`.
//! - [`site`]: the public pages, feeds and sitemap.
//! - [`ops`]: `/healthz`, `/metrics`.

pub mod admin;
pub mod api;
pub mod auth;
pub mod glossary;
pub mod libretranslate;
pub mod ops;
pub mod site;
pub mod webhooks;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::startup::App;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/v1/articles", post(api::post_article))
        .route("/api/v1/articles/{slug}", get(api::get_article).delete(api::delete_article))
        .route("/api/v1/articles/{slug}/{lang}", get(api::get_version).put(api::put_version))
        .route("/api/v1/glossary", get(glossary::list).post(glossary::create))
        .route("/api/v1/glossary/{id}", axum::routing::delete(glossary::delete))
        .route("/api/v1/stats", get(api::stats))
        .route("/api/v1/webhooks/deliveries", get(webhooks::deliveries))
        .merge(admin::router())
        .route("/translate", post(libretranslate::translate))
        .route("/languages", get(libretranslate::languages))
        .route("/detect", post(libretranslate::detect))
        .route("/frontend/settings", get(libretranslate::frontend_settings))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/sitemap.xml", get(site::sitemap))
        .route(warta_site::STYLESHEET_PATH, get(site::stylesheet))
        .route("/", get(site::root))
        .route("/{lang}/", get(site::front_page))
        .route("/{lang}", get(site::front_redirect))
        .route("/{lang}/feed.xml", get(site::feed))
        .route("/{lang}/{slug}", get(site::article))
        .fallback(site::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(crate::telemetry::layer())
        .with_state(app)
}
