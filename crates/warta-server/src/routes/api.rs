//! The CMS API: create/revise, read, human translations, delete.
//!
//! Every response body is one of the typed views below; the OpenAPI document
//! (`routes::openapi`) derives its schemas from them, so what is served and
//! what is documented are the same types.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warta_core::{Lang, Pair, Slug, Timestamp};
use warta_ingest::{self as ingest, parse_json, ArticleInput};
use warta_store::{
    Check, Job, JobState, NewVersion, Origin, QaFlag, QualitySummary, RevisionNo, Segment,
    Severity, Version, VersionState,
};

use crate::error::{ApiError, ErrorBody};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;

/// `{slug}/{lang}`, one target language of an article: the path of every
/// endpoint on a translation, declared once for the OpenAPI document (the
/// handlers take the raw strings and parse them, so a bad one is a 422).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct TargetPath {
    /// The article's slug
    slug: Slug,
    /// One of this site's target languages
    lang: Lang,
}

pub(crate) fn parse_slug(s: &str) -> Result<Slug, ApiError> {
    Slug::parse(s).map_err(|e| ApiError::field("slug", e.to_string()))
}

/// A language this site publishes in, from a URL segment.
pub fn site_lang(app: &App, s: &str) -> Result<Lang, ApiError> {
    let lang = Lang::parse(s).map_err(|e| ApiError::field("lang", e.to_string()))?;
    if !app.config().languages().contains(&lang) {
        return Err(ApiError::field(
            "lang",
            format!("`{lang}` is not one of this site's languages"),
        ));
    }
    Ok(lang)
}

/// A target language of this site, from the path: a site language other
/// than the source.
pub fn target_lang(app: &App, s: &str) -> Result<Lang, ApiError> {
    let lang = site_lang(app, s)?;
    if lang == app.config().source {
        return Err(ApiError::field(
            "lang",
            "the source language is published as it is written (and edited with POST /api/v1/articles)",
        ));
    }
    Ok(lang)
}

/// A translation job of the article's current revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub lang: Lang,
    pub state: JobState,
    /// Times the job has been leased by a worker.
    pub attempts: i64,
    /// The pair whose model is missing, while `state` is `waiting_for_model`.
    pub waiting_for_model: Option<Pair>,
    pub last_error: Option<String>,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> JobView {
        JobView {
            lang: j.lang,
            state: j.state,
            attempts: j.attempts,
            waiting_for_model: j.waiting_pair,
            last_error: j.last_error.clone(),
        }
    }
}

/// `202 Accepted`: the revision is stored and its translations are queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub slug: Slug,
    /// The article's current revision (1 for a new article).
    pub revision: RevisionNo,
    /// The content equalled the current revision: nothing new was stored.
    pub unchanged: bool,
    /// One job per target language.
    pub jobs: Vec<JobView>,
    /// The source article's page.
    #[schema(format = "uri")]
    pub url: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/articles",
    tag = "articles",
    summary = "Create an article, or revise the article with this slug",
    description = "The body is sanitised and stored as a new revision (or recognised as unchanged), and one \
                   translation job per target language is queued. Once this answered 202 the revision is \
                   durable and will be translated, across restarts.",
    request_body(content = ArticleInput, content_type = "application/json"),
    responses(
        (status = 202, description = "Stored; translations queued", body = Accepted, links(
            ("get_article" = (operation_id = "get_article", parameters(("slug" = "$response.body#/slug")))),
            ("get_version" = (operation_id = "get_version",
                parameters(("slug" = "$response.body#/slug"), ("lang" = "$response.body#/jobs/0/lang")))),
            ("put_version" = (operation_id = "put_version",
                parameters(("slug" = "$response.body#/slug"), ("lang" = "$response.body#/jobs/0/lang")))),
            ("delete_article" = (operation_id = "delete_article", parameters(("slug" = "$response.body#/slug")))),
        )),
        (status = 400, description = "The body is not JSON, or over a size limit", body = ErrorBody),
        KeyRefused,
        (status = 422, description = "A field is missing or invalid (`error.field` names it)", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn post_article(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let input: ArticleInput = parse_json(&body)?;
    let rev = input.into_revision(
        app.config().source,
        warta_store::now_millis(),
        &app.config().limits.article(),
    )?;
    let revised = auth
        .store(&app)
        .create_or_revise(&rev, &app.config().targets)
        .await?;
    let slug = revised.article.slug.clone();
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            url: app.site.article_url(app.config().source, &slug),
            slug,
            revision: revised.revision,
            unchanged: revised.unchanged,
            jobs: revised.jobs.iter().map(JobView::from).collect(),
        }),
    ))
}

/// An article: its current source revision and where each target language is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub slug: Slug,
    pub revision: RevisionNo,
    /// Deleted articles are unpublished in every language.
    pub deleted: bool,
    pub source: SourceView,
    /// One entry per configured target language.
    pub languages: Vec<LanguageStatus>,
}

/// The source (authoritative) text of the current revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceView {
    pub lang: Lang,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body_html: String,
    pub author: Option<String>,
    #[schema(format = DateTime)]
    pub published_at: String,
    #[schema(format = "uri")]
    pub url: String,
}

/// Where one target language of an article is: its published version (if
/// any) and the job of the current revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct LanguageStatus {
    pub lang: Lang,
    /// A version is shown to readers.
    pub published: bool,
    pub origin: Option<Origin>,
    /// The source revision the published version was made from.
    pub revision: Option<RevisionNo>,
    /// The published version belongs to the current revision.
    pub current: Option<bool>,
    /// A human version whose source has been revised since.
    pub outdated: Option<bool>,
    pub job: Option<JobView>,
    #[schema(format = "uri")]
    pub url: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/articles/{slug}",
    tag = "articles",
    summary = "An article's source text and the state of each language",
    params(("slug" = Slug, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        KeyRefused,
        (status = 404, description = "No article with this slug", body = ErrorBody),
        (status = 422, description = "The slug is not a valid slug", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn get_article(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Articles>,
    Path(slug): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    let slug = parse_slug(&slug)?;
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    let rev = store.current_revision(&slug).await?;
    let jobs = store
        .job_states(article.id, article.current_revision)
        .await?;
    let versions = store.versions_of(article.id).await?;
    let mut languages = Vec::new();
    for &lang in &app.config().targets {
        let job = jobs.iter().find(|j| j.lang == lang);
        let v = versions.iter().find(|v| v.lang == lang);
        languages.push(LanguageStatus {
            lang,
            published: v.is_some() && article.deleted_at.is_none(),
            origin: v.map(|v| v.origin),
            revision: v.map(|v| v.revision),
            current: v.map(|v| v.revision == article.current_revision),
            outdated: v.map(|v| v.outdated),
            job: job.map(JobView::from),
            url: v.map(|_| app.site.article_url(lang, &slug)),
        });
    }
    Ok(Json(ArticleView {
        revision: article.current_revision,
        deleted: article.deleted_at.is_some(),
        source: SourceView {
            lang: rev.source_lang,
            url: app.site.article_url(rev.source_lang, &slug),
            title: rev.title,
            summary: rev.summary,
            body_html: rev.body_html,
            author: rev.author,
            published_at: Timestamp::from_unix_millis(rev.published_at).rfc3339(),
        },
        languages,
        slug,
    }))
}

/// One language version of an article, with what QA found and the segments.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub slug: Slug,
    pub lang: Lang,
    /// The source revision this version was made from.
    pub revision: RevisionNo,
    pub origin: Origin,
    /// `held` versions wait for an editor and are not shown to readers
    /// (who keep seeing the last published text, if any).
    pub state: VersionState,
    /// Why a held version waits: the publishing policy's reason (the error
    /// flags, or `review`), or an editor's hold.
    pub hold_reason: Option<String>,
    #[schema(format = DateTime)]
    pub held_at: Option<String>,
    pub outdated: bool,
    /// The model that made a machine version.
    pub model_id: Option<String>,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    #[schema(format = DateTime)]
    pub translated_at: String,
    pub reviewed_by: Option<String>,
    /// Quality summary of a machine version.
    pub quality: Option<QualitySummary>,
    pub flags: Vec<FlagView>,
    pub segments: Vec<SegmentView>,
    #[schema(format = "uri")]
    pub url: String,
}

/// A QA finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagView {
    /// What `POST /api/v1/flags/{id}/dismiss` takes.
    pub id: i64,
    /// The check that found it.
    pub check: Check,
    pub severity: Severity,
    /// The segment it concerns; null for whole-document findings.
    pub segment: Option<i64>,
    pub detail: String,
    pub resolved: bool,
    pub resolved_by: Option<String>,
    /// Why an editor dismissed it as wrong (null unless dismissed).
    pub dismissed_reason: Option<String>,
}

impl From<&QaFlag> for FlagView {
    fn from(f: &QaFlag) -> FlagView {
        FlagView {
            id: f.id,
            check: f.check,
            severity: f.severity,
            segment: f.segment_idx,
            detail: f.detail.clone(),
            resolved: f.resolved_at.is_some(),
            resolved_by: f.resolved_by.clone(),
            dismissed_reason: f.dismissed_reason.clone(),
        }
    }
}

/// One segment (title, summary, or a block's sentence) and its translation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentView {
    pub index: i64,
    pub source: String,
    pub target: String,
    /// The English pivot of a two-leg route.
    pub pivot: Option<String>,
    /// Mean token log-probability of `target` under the model.
    pub confidence: Option<f64>,
    pub origin: Origin,
}

impl VersionView {
    pub(crate) fn new(
        app: &App,
        slug: &Slug,
        v: &Version,
        segments: &[Segment],
        flags: &[QaFlag],
    ) -> VersionView {
        VersionView {
            slug: slug.clone(),
            lang: v.lang,
            revision: v.revision,
            origin: v.origin,
            state: v.state,
            hold_reason: v.hold_reason.clone(),
            held_at: v.held_at.map(|t| Timestamp::from_unix_millis(t).rfc3339()),
            outdated: v.outdated,
            model_id: v.model_id.clone(),
            title: v.title.clone(),
            summary: v.summary.clone(),
            body_html: v.body_html.clone(),
            translated_at: Timestamp::from_unix_millis(v.translated_at).rfc3339(),
            reviewed_by: v.reviewed_by.clone(),
            quality: v.quality.clone(),
            flags: flags.iter().map(FlagView::from).collect(),
            segments: segments
                .iter()
                .map(|s| SegmentView {
                    index: s.idx,
                    source: s.source_text.clone(),
                    target: s.target_text.clone(),
                    pivot: s.pivot_text.clone(),
                    confidence: s.confidence,
                    origin: s.origin,
                })
                .collect(),
            url: app.site.article_url(v.lang, slug),
        }
    }
}

/// The source text, when the source language is asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceVersionView {
    pub slug: Slug,
    pub lang: Lang,
    pub revision: RevisionNo,
    pub origin: SourceOrigin,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    #[schema(format = DateTime)]
    pub published_at: String,
}

/// Always `source`: tells a source text from a translation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceOrigin {
    Source,
}

/// A language of an article: the source text or a translation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LanguageVersion {
    Source(SourceVersionView),
    Translation(Box<VersionView>),
}

#[utoipa::path(
    get,
    path = "/api/v1/articles/{slug}/{lang}",
    tag = "articles",
    summary = "One language of an article: the source text, or a translation with its QA flags and segments",
    params(
        ("slug" = Slug, Path, description = "The article's slug"),
        ("lang" = Lang, Path, description = "One of this site's languages (source or target)"),
    ),
    responses(
        (status = 200, description = "The source text (`origin: source`) or a translation", body = LanguageVersion),
        KeyRefused,
        (status = 404, description = "No such article, or no version in this language yet", body = ErrorBody),
        (status = 422, description = "The slug is invalid, or the language is not one of this site's", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn get_version(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Articles>,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Json<LanguageVersion>, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = site_lang(&app, &lang)?;
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    if lang == app.config().source {
        let rev = store.current_revision(&slug).await?;
        return Ok(Json(LanguageVersion::Source(SourceVersionView {
            slug,
            lang,
            revision: rev.revision,
            origin: SourceOrigin::Source,
            title: rev.title,
            summary: rev.summary,
            body_html: rev.body_html,
            published_at: Timestamp::from_unix_millis(rev.published_at).rfc3339(),
        })));
    }
    match store.version(article.id, lang).await? {
        Some(v) => {
            let segments = store.segments(article.id, lang).await?;
            let flags = store.qa_flags(article.id, lang, v.revision).await?;
            Ok(Json(LanguageVersion::Translation(Box::new(
                VersionView::new(&app, &slug, &v, &segments, &flags),
            ))))
        }
        None => {
            let jobs = store
                .job_states(article.id, article.current_revision)
                .await?;
            let state = jobs
                .iter()
                .find(|j| j.lang == lang)
                .map(|j| j.state.as_str())
                .unwrap_or("none");
            Err(ApiError::not_found(format!(
                "no {lang} version of `{slug}` yet (job: {state})"
            )))
        }
    }
}

/// A human translation of the current revision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Cheias em Jacarta",
    "body_html": "<p>Choveu forte em Jacarta na segunda-feira.</p>",
    "translator": "Ana Lima"
}))]
pub struct HumanVersionInput {
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300)]
    title: Option<String>,
    #[schema(max_length = 2000)]
    summary: Option<String>,
    /// HTML; sanitised as the source is, and must keep some text or an image.
    #[schema(value_type = String, required = true, min_length = 1)]
    body_html: Option<String>,
    /// Who translated or reviewed it (defaults to the API key's name).
    #[schema(max_length = 200)]
    translator: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/v1/articles/{slug}/{lang}",
    tag = "articles",
    summary = "Publish a human translation of the current revision",
    description = "A human version is never overwritten by the machine; when the source is revised it stays \
                   published, marked `outdated`, until a new one is put.",
    params(TargetPath),
    request_body(content = HumanVersionInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Published", body = VersionView),
        (status = 400, description = "The body is not JSON, or over a size limit", body = ErrorBody),
        KeyRefused,
        (status = 404, description = "No such article, or it was deleted", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid, or `lang` is not a target language", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn put_version(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path((slug, lang)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<VersionView>, ApiError> {
    let slug = parse_slug(&slug)?;
    let lang = target_lang(&app, &lang)?;
    let input: HumanVersionInput = parse_json(&body)?;
    let title = ingest::plain_text(
        "title",
        &ingest::required("title", input.title)?,
        ingest::MAX_TITLE_CHARS,
        false,
    )?;
    let summary = ingest::plain_text(
        "summary",
        &input.summary.unwrap_or_default(),
        ingest::MAX_SUMMARY_CHARS,
        true,
    )?;
    let body_html = ingest::body_html(
        "body_html",
        ingest::required("body_html", input.body_html)?,
        &app.config().limits.article(),
    )?;
    let store = &auth.store(&app);
    let translator = auth.person("translator", input.translator)?;
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
    let stored = store
        .version(article.id, lang)
        .await?
        .ok_or_else(|| ApiError::internal("version vanished"))?;
    Ok(Json(VersionView::new(&app, &slug, &stored, &[], &[])))
}

/// The article is deleted: unpublished in every language.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub slug: Slug,
    /// Always true.
    pub deleted: bool,
}

#[utoipa::path(
    delete,
    path = "/api/v1/articles/{slug}",
    tag = "articles",
    summary = "Delete an article: unpublished in every language, its unfinished jobs superseded",
    params(("slug" = Slug, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "Deleted (also when it already was)", body = Deleted),
        KeyRefused,
        (status = 404, description = "No article with this slug", body = ErrorBody),
        (status = 422, description = "The slug is not a valid slug", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn delete_article(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path(slug): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let slug = parse_slug(&slug)?;
    let a = auth.store(&app).delete_article(&slug).await?;
    Ok(Json(Deleted {
        slug: a.slug,
        deleted: true,
    }))
}

/// Translation-memory and job counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    pub translation_memory: TmCounters,
    /// Source sentences translated by this process since it started.
    pub sentences_translated: u64,
    /// Jobs in the database by state (states with no job are left out).
    #[schema(value_type = BTreeMap<JobState, i64>)]
    pub jobs: BTreeMap<&'static str, i64>,
    /// QA flags editors dismissed as wrong, ever, by check (checks never
    /// dismissed are left out): each check's false positives by the
    /// editors' own verdicts.
    #[schema(value_type = BTreeMap<Check, i64>)]
    pub flags_dismissed: BTreeMap<String, i64>,
}

/// Sentences looked up in the translation memory by this process.
#[derive(Debug, Serialize, ToSchema)]
pub struct TmCounters {
    pub lookups: u64,
    pub hits: u64,
    pub misses: u64,
}

#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "ops",
    summary = "Translation-memory and job counters of this process, and job totals",
    responses(
        (status = 200, description = "The counters", body = Stats),
        KeyRefused,
    ),
    security(("api_key" = ["stats"])),
)]
pub async fn stats(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Stats>,
) -> Result<Json<Stats>, ApiError> {
    use std::sync::atomic::Ordering;
    let m = &app.ctx.metrics;
    let lookups = m.tm_lookups.load(Ordering::Relaxed);
    let hits = m.tm_hits.load(Ordering::Relaxed);
    let jobs = app
        .ctx
        .store
        .job_counts()
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str(), n))
        .collect();
    Ok(Json(Stats {
        translation_memory: TmCounters {
            lookups,
            hits,
            misses: lookups.saturating_sub(hits),
        },
        sentences_translated: m.sentences_translated.load(Ordering::Relaxed),
        jobs,
        flags_dismissed: app
            .ctx
            .store
            .dismissals_by_check()
            .await?
            .into_iter()
            .collect(),
    }))
}
