//! Held versions in the CMS API: approve a language version (publishing a
//! held one), and hold or release one article's translations into one
//! language (DESIGN.md, "Trust"). Each is one store transaction.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warta_core::{Lang, Slug, Timestamp};
use warta_ingest::{parse_json, plain_text};
use warta_store::VersionApproval;

use crate::configuration::WebhookEvent;
use crate::error::{ApiError, ErrorBody};
use crate::routes::api::{parse_slug, target_lang, TargetPath, VersionView};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;

/// Who approves (optional: the API key's name by default).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    #[schema(max_length = 200)]
    pub editor: Option<String>,
}

/// Why a translation is held (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    #[schema(max_length = 200)]
    pub editor: Option<String>,
}

/// An editor's hold on one article's translations into one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldView {
    pub slug: Slug,
    pub lang: Lang,
    /// Present (true) while the hold is in force; false once released.
    pub held: bool,
    pub held_by: Option<String>,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub since: Option<String>,
}

/// The body, optional: empty means all defaults.
fn optional_body<T: Default + serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    Ok(parse_json(body)?)
}

#[utoipa::path(
    post,
    path = "/api/v1/articles/{slug}/{lang}/approve",
    tag = "articles",
    summary = "Approve a language version: publish a held one, or mark a published one reviewed",
    description = "Readers see a held version from now on, with \"Reviewed by an editor\"; the editor \
                   (the body's `editor`, or the API key's name) is recorded and an `approved` webhook \
                   event is queued.",
    params(TargetPath),
    request_body(content = Option<ApproveInput>, content_type = "application/json"),
    responses(
        (status = 200, description = "Approved and published", body = VersionView),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 404, description = "No such article, or no version in this language", body = ErrorBody),
        (status = 409, description = "The version was made from an older revision", body = ErrorBody),
        (status = 422, description = "The slug, language or editor is invalid", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn approve(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path((slug, lang)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<VersionView>, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = target_lang(&app, &lang)?;
    let input: ApproveInput = optional_body(&body)?;
    let store = &auth.store(&app);
    let editor = auth.person("editor", input.editor)?;
    let article = store.article(&slug).await?;
    let revision = match store.version(article.id, lang).await? {
        Some(v) => v.revision,
        None => {
            return Err(ApiError::not_found(format!(
                "no {lang} version of `{slug}`"
            )))
        }
    };
    let events = crate::webhooks::events(
        app.config(),
        WebhookEvent::Approved,
        &slug,
        lang,
        revision,
        None,
        Some(&editor),
    );
    let v = store
        .approve_version(&VersionApproval {
            article: article.id,
            lang,
            editor: &editor,
            events: &events,
        })
        .await?;
    let segments = store.segments(article.id, lang).await?;
    let flags = store.qa_flags(article.id, lang, v.revision).await?;
    Ok(Json(VersionView::new(&app, &slug, &v, &segments, &flags)))
}

#[utoipa::path(
    post,
    path = "/api/v1/articles/{slug}/{lang}/hold",
    tag = "articles",
    summary = "Hold an article's translations into one language for an editor",
    description = "From the next translation on, every machine version of the article in this language \
                   is held (readers keep the last published text) until the hold is released with \
                   `DELETE` and the held version approved.",
    params(TargetPath),
    request_body(content = Option<HoldInput>, content_type = "application/json"),
    responses(
        (status = 200, description = "Held", body = HoldView),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 404, description = "No such article, or it was deleted", body = ErrorBody),
        (status = 422, description = "The slug, language, reason or editor is invalid", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn hold(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path((slug, lang)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<HoldView>, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = target_lang(&app, &lang)?;
    let input: HoldInput = optional_body(&body)?;
    let store = &auth.store(&app);
    let editor = auth.person("editor", input.editor)?;
    let reason = match input.reason {
        Some(r) => plain_text("reason", &r, 500, false)?,
        None => "held by the newsroom".to_string(),
    };
    let article = store.article(&slug).await?;
    let h = store
        .hold_translation(article.id, lang, &editor, &reason)
        .await?;
    Ok(Json(HoldView {
        slug,
        lang,
        held: true,
        held_by: Some(h.held_by),
        reason: Some(h.reason),
        since: Some(Timestamp::from_unix_millis(h.created_at).rfc3339()),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/articles/{slug}/{lang}/hold",
    tag = "articles",
    summary = "Release an editor's hold (versions already held stay held until approved)",
    params(TargetPath),
    responses(
        (status = 200, description = "Released (or there was none)", body = HoldView),
        KeyRefused,
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 422, description = "The slug or language is invalid", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn release(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Json<HoldView>, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = target_lang(&app, &lang)?;
    let store = &auth.store(&app);
    let article = store.article(&slug).await?;
    store.release_hold(article.id, lang).await?;
    Ok(Json(HoldView {
        slug,
        lang,
        held: false,
        held_by: None,
        reason: None,
        since: None,
    }))
}
