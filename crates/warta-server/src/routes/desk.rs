//! The editors' desk in the CMS API: the articles list with the state of
//! each language (what `/admin/articles` shows), and dismissing a false QA
//! flag. The store does the work (warta-store's desk.rs); these handlers
//! parse the request and shape the answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warta_core::{Lang, Slug, Timestamp};
use warta_ingest::{parse_json, plain_text};
use warta_store::{ArticleQuery, DeskStatus, FlagDismissal, RevisionNo, MAX_DISMISSAL_CHARS};

use crate::error::{ApiError, ErrorBody};
use crate::routes::api::FlagView;
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;

/// Articles per page when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 50;

/// One language of an article in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct LanguageState {
    pub lang: Lang,
    /// Every state the language is in (several at once: a held version
    /// with open flags, while readers see an outdated one); empty before
    /// its first job.
    pub statuses: Vec<DeskStatus>,
    /// Open QA flags of the current revision's machine version.
    pub open_flags: i64,
}

/// An article in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub slug: Slug,
    /// Of the current source revision.
    pub title: String,
    pub source_lang: Lang,
    pub revision: RevisionNo,
    #[schema(format = DateTime)]
    pub published_at: String,
    /// One per target language of the site.
    pub languages: Vec<LanguageState>,
    /// The source article's page.
    #[schema(format = "uri")]
    pub url: String,
}

/// How many articles there are, and how many (article, language) pairs are
/// in each state.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCounts {
    /// Live (not deleted) articles.
    pub articles: i64,
    /// Pairs per state (only the `lang` asked for, when given).
    #[schema(value_type = BTreeMap<DeskStatus, i64>)]
    pub by_status: BTreeMap<&'static str, i64>,
}

/// A page of the articles list, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub articles: Vec<ArticleSummary>,
    pub counts: StatusCounts,
    /// Pass as `before` for the page of newer articles; null on the first.
    pub newer: Option<String>,
    /// Pass as `after` for the page of older articles; null on the last.
    pub older: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "articles",
    summary = "Every live article with the state of each target language, newest first",
    description = "Filters combine with AND. A language is in every state that holds for it: `queued` \
                   (its translation of the current revision is waiting for or in a worker), `failed` (that \
                   job gave up), `held` (the newest version waits for an editor), `flagged` (open QA \
                   flags), `outdated` (readers see a translation of an older revision), `human` (written, \
                   edited or approved by a person), `published` (readers see a translation). Pages are \
                   keyset-paged: follow `older` with `after`, `newer` with `before`.",
    params(
        ("lang" = Option<Lang>, Query, description = "With `status`: the state must hold in this target language; also narrows `counts`"),
        ("status" = Option<DeskStatus>, Query, description = "Only articles with a language in this state"),
        ("check" = Option<warta_store::Check>, Query, description = "Only articles with an open flag of this QA check (in `lang` if given)"),
        ("from" = Option<String>, Query, description = "Published on or after this day (UTC), `YYYY-MM-DD`", format = Date),
        ("to" = Option<String>, Query, description = "Published on or before this day (UTC), `YYYY-MM-DD`", format = Date),
        ("q" = Option<String>, Query, description = "Part of the slug or current title (case-insensitive)", max_length = 200),
        ("after" = Option<String>, Query, description = "The `older` of the previous answer: the page after it"),
        ("before" = Option<String>, Query, description = "The `newer` of the previous answer: the page before it"),
        ("limit" = Option<u32>, Query, description = "Articles per page (default 50)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        KeyRefused,
        (status = 422, description = "A filter is invalid (`error.field` names it)", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn list_articles(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Articles>,
    query: Result<Query<ArticleQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ArticleList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let targets = &app.config().targets;
    let filter = query.parse(targets, DEFAULT_PAGE).map_err(ApiError::from)?;
    let store = &app.ctx.store;
    let (page, counts) = tokio::try_join!(
        store.desk_articles(&filter, targets),
        store.desk_counts(filter.lang)
    )?;
    Ok(Json(ArticleList {
        articles: page
            .articles
            .into_iter()
            .map(|a| ArticleSummary {
                url: app.site.article_url(a.source_lang, &a.slug),
                slug: a.slug,
                title: a.title,
                source_lang: a.source_lang,
                revision: a.revision,
                published_at: Timestamp::from_unix_millis(a.published_at).rfc3339(),
                languages: a
                    .languages
                    .into_iter()
                    .map(|l| LanguageState {
                        lang: l.lang,
                        statuses: l.statuses,
                        open_flags: l.open_flags,
                    })
                    .collect(),
            })
            .collect(),
        counts: StatusCounts {
            articles: counts.articles,
            by_status: counts
                .by_status
                .iter()
                .map(|(s, n)| (s.as_str(), *n))
                .collect(),
        },
        newer: page.newer.map(|c| c.to_string()),
        older: page.older.map(|c| c.to_string()),
    }))
}

/// Why the flag is wrong, and who says so.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissInput {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
    /// Who dismisses it (default: the API key's name).
    #[schema(max_length = 200)]
    pub editor: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/flags/{id}/dismiss",
    tag = "articles",
    summary = "Dismiss an open QA flag as wrong, with a reason",
    description = "The flag is resolved by the editor with the reason kept on it (a later run of the \
                   checks that finds it again keeps it dismissed), and counted per check in \
                   `GET /api/v1/stats` (`flags_dismissed`) and `/metrics` \
                   (`warta_flags_dismissed_total`). What readers see does not change: a held version \
                   still needs its approval. Flag ids are in `GET /api/v1/articles/{slug}/{lang}`.",
    params(("id" = i64, Path, description = "The flag's id")),
    request_body(content = DismissInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Dismissed", body = FlagView),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 404, description = "No flag with this id", body = ErrorBody),
        (status = 409, description = "The flag is already resolved", body = ErrorBody),
        (status = 422, description = "The id, reason or editor is invalid", body = ErrorBody),
    ),
    security(("api_key" = ["articles"])),
)]
pub async fn dismiss_flag(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Articles>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<FlagView>, ApiError> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::field("id", "a flag id is a positive whole number"))?;
    let input: DismissInput = parse_json(&body)?;
    let store = auth.store(&app);
    let reason = plain_text("reason", &input.reason, MAX_DISMISSAL_CHARS, false)?;
    let editor = auth.person("editor", input.editor)?;
    let flag = store
        .dismiss_flag(&FlagDismissal {
            flag: id,
            editor: &editor,
            reason: &reason,
        })
        .await?;
    Ok(Json(FlagView::from(&flag)))
}
