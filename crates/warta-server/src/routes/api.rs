//! The CMS API: create/revise, read, human translations, delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use warta_core::{Lang, Slug};
use warta_store::{Job, NewVersion, Origin, QaFlag, Segment, Version, VersionState};

use crate::error::ApiError;
use crate::ingest::{self, parse_json, ArticleInput};
use crate::routes::auth::ApiKeyAuth;
use crate::startup::App;

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn parse_slug(s: &str) -> Result<Slug, ApiError> {
    Slug::parse(s).map_err(|e| ApiError::field("slug", e.to_string()))
}

/// A language this site publishes in, from a URL segment.
pub fn site_lang(app: &App, s: &str) -> Result<Lang, ApiError> {
    let lang = Lang::parse(s).map_err(|e| ApiError::field("lang", e.to_string()))?;
    if !app.config().languages().contains(&lang) {
        return Err(ApiError::field("lang", format!("`{lang}` is not one of this site's languages")));
    }
    Ok(lang)
}

fn job_json(j: &Job) -> Value {
    json!({
        "lang": j.lang,
        "state": j.state.as_str(),
        "attempts": j.attempts,
        "waiting_for_model": j.waiting_pair.map(|p| p.to_string()),
        "last_error": j.last_error,
    })
}

pub async fn post_article(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: ArticleInput = parse_json(&body)?;
    let rev = input.into_revision(app.config().source, warta_store::now_millis(), &app.config().limits)?;
    let revised = app.ctx.store.create_or_revise(&rev, &app.config().targets).await?;
    app.ctx.wake.notify_waiters();
    // A worker between two waits gets a stored permit instead.
    app.ctx.wake.notify_one();
    let slug = revised.article.slug.clone();
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "slug": slug,
            "revision": revised.revision.0,
            "unchanged": revised.unchanged,
            "jobs": revised.jobs.iter().map(job_json).collect::<Vec<_>>(),
            "url": app.site.article_url(app.config().source, &slug),
        })),
    ))
}

pub async fn get_article(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let slug = parse_slug(&slug)?;
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    let rev = store.current_revision(&slug).await?;
    let jobs = store.job_states(article.id, article.current_revision).await?;
    let versions = store.versions_of(article.id).await?;
    let mut languages = Vec::new();
    for &lang in &app.config().targets {
        let job = jobs.iter().find(|j| j.lang == lang);
        let v = versions.iter().find(|v| v.lang == lang);
        languages.push(json!({
            "lang": lang,
            "published": v.is_some() && article.deleted_at.is_none(),
            "origin": v.map(|v| v.origin.as_str()),
            "revision": v.map(|v| v.revision.0),
            "current": v.map(|v| v.revision == article.current_revision),
            "outdated": v.map(|v| v.outdated),
            "job": job.map(job_json),
            "url": v.map(|_| app.site.article_url(lang, &slug)),
        }));
    }
    Ok(Json(json!({
        "slug": slug,
        "revision": article.current_revision.0,
        "deleted": article.deleted_at.is_some(),
        "source": {
            "lang": rev.source_lang,
            "title": rev.title,
            "summary": rev.summary,
            "body_html": rev.body_html,
            "author": rev.author,
            "published_at": rfc3339(rev.published_at),
            "url": app.site.article_url(rev.source_lang, &slug),
        },
        "languages": languages,
    })))
}

pub fn version_json(app: &App, slug: &Slug, v: &Version, segments: &[Segment], flags: &[QaFlag]) -> Value {
    json!({
        "slug": slug,
        "lang": v.lang,
        "revision": v.revision.0,
        "origin": v.origin.as_str(),
        "state": v.state.as_str(),
        "outdated": v.outdated,
        "model_id": v.model_id,
        "title": v.title,
        "summary": v.summary,
        "body_html": v.body_html,
        "translated_at": rfc3339(v.translated_at),
        "reviewed_by": v.reviewed_by,
        "quality": v.quality,
        "flags": flags.iter().map(|f| json!({
            "check": f.check, "severity": f.severity.as_str(), "segment": f.segment_idx, "detail": f.detail,
            "resolved": f.resolved_at.is_some(), "resolved_by": f.resolved_by,
        })).collect::<Vec<_>>(),
        "segments": segments.iter().map(|s| json!({
            "index": s.idx, "source": s.source_text, "target": s.target_text, "pivot": s.pivot_text,
            "confidence": s.confidence, "origin": s.origin.as_str(),
        })).collect::<Vec<_>>(),
        "url": app.site.article_url(v.lang, slug),
    })
}

pub async fn get_version(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = site_lang(&app, &lang)?;
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    if lang == app.config().source {
        let rev = store.current_revision(&slug).await?;
        return Ok(Json(json!({
            "slug": slug, "lang": lang, "revision": rev.revision.0, "origin": "source",
            "title": rev.title, "summary": rev.summary, "body_html": rev.body_html,
            "published_at": rfc3339(rev.published_at),
        })));
    }
    match store.version(article.id, lang).await? {
        Some(v) => {
            let segments = store.segments(article.id, lang).await?;
            let flags = store.qa_flags(article.id, lang, v.revision).await?;
            Ok(Json(version_json(&app, &slug, &v, &segments, &flags)))
        }
        None => {
            let jobs = store.job_states(article.id, article.current_revision).await?;
            let state = jobs.iter().find(|j| j.lang == lang).map(|j| j.state.as_str()).unwrap_or("none");
            Err(ApiError::not_found(format!("no {lang} version of `{slug}` yet (job: {state})")))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HumanVersionInput {
    title: Option<String>,
    summary: Option<String>,
    body_html: Option<String>,
    /// Who translated or reviewed it (defaults to the API key's name).
    translator: Option<String>,
}

pub async fn put_version(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth,
    Path((slug, lang)): Path<(String, String)>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = site_lang(&app, &lang)?;
    if lang == app.config().source {
        return Err(ApiError::field("lang", "the source language is edited with POST /api/v1/articles"));
    }
    let input: HumanVersionInput = parse_json(&body)?;
    let title = ingest::plain_text("title", &ingest::required("title", input.title)?, ingest::MAX_TITLE_CHARS, false)?;
    let summary = ingest::plain_text("summary", &input.summary.unwrap_or_default(), ingest::MAX_SUMMARY_CHARS, true)?;
    let body_html = ingest::body_html("body_html", ingest::required("body_html", input.body_html)?, &app.config().limits)?;
    let translator = match input.translator {
        Some(t) => ingest::plain_text("translator", &t, ingest::MAX_AUTHOR_CHARS, false)?,
        None => auth.key_name,
    };
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    if article.deleted_at.is_some() {
        return Err(ApiError::not_found(format!("article `{slug}` was deleted")));
    }
    let v = NewVersion {
        article_id: article.id,
        lang,
        revision: article.current_revision,
        title,
        summary,
        body_html,
        origin: Origin::Human,
        state: VersionState::Published,
        model_id: None,
        quality: None,
        reviewed_by: Some(translator),
        segments: Vec::new(),
    };
    store.put_version(&v).await?;
    let stored = store.version(article.id, lang).await?.ok_or_else(|| ApiError::internal("version vanished"))?;
    Ok(Json(version_json(&app, &slug, &stored, &[], &[])))
}

pub async fn delete_article(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let slug = parse_slug(&slug)?;
    let a = app.ctx.store.delete_article(&slug).await?;
    Ok(Json(json!({ "slug": a.slug, "deleted": true })))
}

/// Translation-memory and job counters of this process, and job totals.
pub async fn stats(State(app): State<Arc<App>>, _auth: ApiKeyAuth) -> Result<impl IntoResponse, ApiError> {
    use std::sync::atomic::Ordering;
    let m = &app.ctx.metrics;
    let lookups = m.tm_lookups.load(Ordering::Relaxed);
    let hits = m.tm_hits.load(Ordering::Relaxed);
    let jobs: serde_json::Map<String, Value> =
        app.ctx.store.job_counts().await?.into_iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
    Ok(Json(json!({
        "translation_memory": { "lookups": lookups, "hits": hits, "misses": lookups.saturating_sub(hits) },
        "sentences_translated": m.sentences_translated.load(Ordering::Relaxed),
        "jobs": jobs,
    })))
}
