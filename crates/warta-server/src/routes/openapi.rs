//! The OpenAPI document of the JSON APIs, served at `GET /api/openapi.json`.
//!
//! Nothing here is written twice: every documented handler carries its own
//! `#[utoipa::path]` (method, path, parameters, responses), its request and
//! response bodies are the Rust types it parses and serialises
//! (`#[derive(ToSchema)]`), and [`router`] mounts each handler under the
//! path its annotation names (utoipa-axum), so a route cannot exist without
//! its documentation or the other way round.
//!
//! The served document is this newsroom's: where the code takes "one of
//! this site's languages" (the `lang` of an article URL) or "one of its
//! targets" (a glossary entry's `target_lang`), [`for_newsroom`] narrows the
//! schema from every language warta knows to the configured ones.
//!
//! Covered: the CMS API (`/api/v1/articles…`, `/api/v1/flags…`,
//! `/api/v1/suggestions…`, `/api/v1/stats`), the team and audit log
//! (`/api/v1/users…`, `/api/v1/audit`), the
//! glossary, the webhook delivery log, the LibreTranslate-compatible API and
//! `/healthz`. Not covered: the HTML site, `/admin` and the Prometheus text
//! of `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::configuration::Config;
use crate::error::ErrorBody;
use crate::routes::libretranslate::LtError;
use crate::routes::{api, desk, glossary, holds, libretranslate, ops, suggestions, team, webhooks};
use crate::startup::App;

/// The name of the API-key security scheme in the document.
pub const API_KEY_SCHEME: &str = "api_key";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "warta",
        description = "warta's newsroom APIs: the CMS API (articles, translations, glossary, webhook log), \
                       a LibreTranslate-compatible translation API, and health.\n\n\
                       **API keys** are created with `warta keys create NAME --scope SCOPE` and shown once. \
                       The CMS API takes them as `Authorization: Bearer <key>` (401 without). The LibreTranslate \
                       routes take them as LibreTranslate does, in the `api_key` field of the JSON or form body or \
                       of the query string, or as the same Bearer header, which wins (403 without).\n\n\
                       **Scopes**: each operation's security requirement names the scope its key needs \
                       (`translate`, `articles`, `glossary`, `webhooks`, `stats`, `admin`); a valid key without it gets \
                       403.\n\n\
                       **Errors**: the CMS API answers `{\"error\": {\"message\", \"field\"}}` (`ErrorBody`), \
                       the LibreTranslate routes `{\"error\": \"...\"}` (`LtError`).",
        license(name = "MPL-2.0", identifier = "MPL-2.0"),
    ),
    tags(
        (name = "articles", description = "The CMS API: articles, their translations and human versions"),
        (name = "glossary", description = "Fixed renderings of terms per language"),
        (name = "webhooks", description = "The log of webhook deliveries"),
        (name = "team", description = "Accounts, their roles and sessions, and the audit log (`admin` scope)"),
        (name = "libretranslate", description = "LibreTranslate-compatible translation"),
        (name = "ops", description = "Health, counters and this document"),
    ),
    components(schemas(ErrorBody, LtError)),
    modifiers(&ApiKeyScheme),
)]
struct ApiDoc;

struct ApiKeyScheme;

impl utoipa::Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            API_KEY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from `warta keys create NAME --scope SCOPE`, as `Authorization: Bearer <key>`. \
                         The LibreTranslate routes also take it in the `api_key` field (body or query string). \
                         The scopes an operation lists are the ones its key needs.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The documented routes, each under the path of its `#[utoipa::path]`.
pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api::post_article, desk::list_articles))
        .routes(routes!(api::get_article, api::delete_article))
        .routes(routes!(api::get_version, api::put_version))
        .routes(routes!(holds::approve))
        .routes(routes!(holds::hold, holds::release))
        .routes(routes!(desk::dismiss_flag))
        .routes(routes!(api::stats))
        .routes(routes!(glossary::list, glossary::create))
        .routes(routes!(glossary::delete))
        .routes(routes!(glossary::export))
        .routes(routes!(glossary::import))
        .routes(routes!(glossary::suggestions))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(libretranslate::translate))
        .routes(routes!(libretranslate::detect))
        .routes(routes!(libretranslate::languages))
        .routes(routes!(libretranslate::frontend_settings))
        .routes(routes!(libretranslate::suggest))
        .routes(routes!(team::list_users, team::create_user))
        .routes(routes!(team::reset_password))
        .routes(routes!(team::end_sessions))
        .routes(routes!(team::audit))
        .routes(routes!(suggestions::list))
        .routes(routes!(suggestions::accept))
        .routes(routes!(suggestions::reject))
        .routes(routes!(ops::healthz))
        .routes(routes!(openapi_json))
}

/// The OpenAPI document, for any newsroom.
pub fn document() -> utoipa::openapi::OpenApi {
    router().into_openapi()
}

/// The document as `config`'s newsroom serves it: the `lang` of article
/// URLs is one of its languages (`site_lang` in routes/api.rs; a target for
/// PUT) and a glossary entry's `target_lang` one of its targets
/// (`GlossaryInput`).
pub fn for_newsroom(config: &Config) -> Value {
    let codes = |langs: Vec<warta_core::Lang>| {
        let mut codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        json!({ "type": "string", "enum": codes })
    };
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    // GET reads any of the site's languages; PUT writes a translation, so
    // only a target (the source is revised with POST /api/v1/articles).
    for (method, langs) in [("get", config.languages()), ("put", config.targets.clone())] {
        let op = &mut doc["paths"]["/api/v1/articles/{slug}/{lang}"][method];
        for param in op["parameters"].as_array_mut().into_iter().flatten() {
            if param["name"] == "lang" {
                param["schema"] = codes(langs.clone());
            }
        }
    }
    // The articles list filters by one of the targets.
    let op = &mut doc["paths"]["/api/v1/articles"]["get"];
    for param in op["parameters"].as_array_mut().into_iter().flatten() {
        if param["name"] == "lang" {
            param["schema"] = codes(config.targets.clone());
        }
    }
    let target_lang =
        &mut doc["components"]["schemas"]["GlossaryInput"]["properties"]["target_lang"];
    if target_lang.is_object() {
        *target_lang = codes(config.targets.clone());
    }
    doc
}

/// `GET /api/openapi.json`: this newsroom's document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "ops",
    summary = "This OpenAPI document",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = serde_json::Value)),
)]
pub async fn openapi_json(State(app): State<Arc<App>>) -> impl IntoResponse {
    axum::Json(for_newsroom(app.config()))
}
