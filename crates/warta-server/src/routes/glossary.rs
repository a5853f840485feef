//! The glossary API: `POST /api/v1/glossary`, `GET /api/v1/glossary?lang=`,
//! `DELETE /api/v1/glossary/{id}`, and the glossary as a TSV file:
//! `GET /api/v1/glossary/export`, `POST /api/v1/glossary/import` (Bearer API
//! key).
//!
//! A glossary entry fixes how a source term is rendered in one target
//! language; an entry whose target equals its source is a do-not-translate
//! entry (brand and person names). Every change re-queues the translations
//! of the articles that mention the term (`Store::requeue_for_term`; the
//! store signals the workers), so the published text follows the glossary within seconds.
//! `requeued` in a response counts the jobs made runnable again; a job still
//! queued or running is not counted (a queued one reads the new glossary when
//! leased).
//!
//! An entry is validated by [`NewGlossaryEntry::parse`], the same rules the
//! command line and the desk apply.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use warta_core::Lang;
use warta_ingest::parse_json;
use warta_store::{GlossaryEntry, GlossaryFields, NewGlossaryEntry, StoreError};

use crate::error::{ApiError, ErrorBody};
use crate::routes::auth::{scope, ApiKeyAuth, KeyRefused};
use crate::startup::App;
use warta_core::Timestamp;

/// A glossary entry as posted. Fields are optional here only so that a
/// missing one is reported by name; the schema says which are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "CSTO", "target_lang": "pt", "target": "OTSC", "note": "Organização do Tratado de Segurança Coletiva"}))]
pub struct GlossaryInput {
    /// The term in the source language (one line of text).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub source: Option<String>,
    /// One of the newsroom's target languages.
    #[schema(value_type = Lang, required = true)]
    pub target_lang: Option<String>,
    /// How the term must read in `target_lang`; equal to `source` for a
    /// do-not-translate entry (names, brands).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub target: Option<String>,
    /// Match the source term case-sensitively (default false).
    pub case_sensitive: Option<bool>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

impl GlossaryInput {
    /// Validate against the newsroom's target languages
    /// ([`NewGlossaryEntry::parse`], the one validation of an entry).
    pub fn into_entry(self, targets: &[Lang]) -> Result<NewGlossaryEntry, ApiError> {
        let fields = GlossaryFields {
            source: self.source,
            target_lang: self.target_lang,
            target: self.target,
            case_sensitive: self.case_sensitive,
            note: self.note,
        };
        Ok(NewGlossaryEntry::parse(fields, targets)?)
    }
}

/// A glossary entry as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub source: String,
    pub target_lang: Lang,
    pub target: String,
    pub case_sensitive: bool,
    pub note: Option<String>,
    /// `target` equals `source`: the term is kept as it is.
    pub do_not_translate: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&GlossaryEntry> for EntryView {
    fn from(e: &GlossaryEntry) -> EntryView {
        EntryView {
            id: e.id,
            source: e.source_term.clone(),
            target_lang: e.target_lang,
            target: e.target_term.clone(),
            case_sensitive: e.case_sensitive,
            note: e.note.clone(),
            do_not_translate: e.source_term == e.target_term,
            created_at: Timestamp::from_unix_millis(e.created_at).rfc3339(),
        }
    }
}

/// An entry that was added or deleted, and the translations re-queued for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryChange {
    #[serde(flatten)]
    pub entry: EntryView,
    /// Present (true) when the entry was deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Translation jobs made runnable again because their article contains
    /// the term.
    pub requeued: u64,
}

#[utoipa::path(
    post,
    path = "/api/v1/glossary",
    tag = "glossary",
    operation_id = "create_glossary_entry",
    summary = "Add a glossary entry; the translations of articles that contain the term are made again",
    request_body(content = GlossaryInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", body = EntryChange, links(
            ("delete_glossary_entry" = (operation_id = "delete_glossary_entry", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        KeyRefused,
        (status = 409, description = "An entry for this term and language exists", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid (`error.field` names it)", body = ErrorBody),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn create(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Glossary>,
    body: Bytes,
) -> Result<(StatusCode, Json<EntryChange>), ApiError> {
    let input: GlossaryInput = parse_json(&body)?;
    let new = input.into_entry(&app.config().targets)?;
    let (entry, requeued) = auth
        .store(&app)
        .add_glossary_entry(&new)
        .await
        .map_err(|e| ApiError::from(e).on_field("source"))?;
    Ok((
        StatusCode::CREATED,
        Json(EntryChange {
            entry: EntryView::from(&entry),
            deleted: None,
            requeued,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the entries of this target language (empty: all).
    #[param(value_type = Option<Lang>)]
    lang: Option<String>,
}

/// The glossary, and its version (bumped by every change).
#[derive(Debug, Serialize, ToSchema)]
pub struct GlossaryList {
    pub version: i64,
    pub entries: Vec<EntryView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/glossary",
    tag = "glossary",
    operation_id = "list_glossary",
    summary = "The glossary, optionally of one target language",
    params(ListQuery),
    responses(
        (status = 200, description = "The entries", body = GlossaryList),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        KeyRefused,
        (status = 422, description = "`lang` is not a language code", body = ErrorBody),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn list(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Glossary>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<GlossaryList>, ApiError> {
    let lang = query_lang(query)?;
    let store = &app.ctx.store;
    // Version first, as in `Store::glossary_snapshot`: the entries are at
    // least as new as the version reported.
    let version = store.glossary_version().await?;
    let entries = store.list_glossary(lang).await?;
    Ok(Json(GlossaryList {
        version,
        entries: entries.iter().map(EntryView::from).collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/glossary/{id}",
    tag = "glossary",
    operation_id = "delete_glossary_entry",
    summary = "Delete a glossary entry; the translations of articles that contain the term are made again",
    params(("id" = i64, Path, description = "The entry's id")),
    responses(
        (status = 200, description = "Deleted", body = EntryChange),
        KeyRefused,
        (status = 404, description = "No entry with this id", body = ErrorBody),
        (status = 422, description = "`id` is not a number", body = ErrorBody),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn delete(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Glossary>,
    Path(id): Path<String>,
) -> Result<Json<EntryChange>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::field("id", format!("`{id}` is not a glossary entry id")))?;
    // The term's translations were made with the entry: they are re-queued
    // in the same transaction as the delete.
    let (entry, requeued) =
        auth.store(&app)
            .delete_glossary_entry(id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ApiError::not_found(format!("glossary entry #{id} not found"))
                }
                other => other.into(),
            })?;
    Ok(Json(EntryChange {
        entry: EntryView::from(&entry),
        deleted: Some(true),
        requeued,
    }))
}

/// One refused line of an imported file.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedLineView {
    /// Its number in the file, from 1.
    pub line: usize,
    pub reason: String,
}

/// What an import did. With any `refused` line nothing was imported (an
/// import is all or nothing: `Store::import_glossary`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// The entries added, in file order.
    pub added: Vec<EntryView>,
    /// Lines whose entry the glossary already had exactly (skipped).
    pub unchanged: Vec<usize>,
    /// Lines refused, with the reason; any makes the import change nothing.
    pub refused: Vec<RefusedLineView>,
    /// Translation jobs made runnable again because their article contains
    /// an added term.
    pub requeued: u64,
}

impl From<&warta_store::GlossaryImport> for ImportReport {
    fn from(r: &warta_store::GlossaryImport) -> ImportReport {
        ImportReport {
            added: r.added.iter().map(EntryView::from).collect(),
            unchanged: r.unchanged.clone(),
            refused: r
                .refused
                .iter()
                .map(|l| RefusedLineView {
                    line: l.line,
                    reason: l.reason.clone(),
                })
                .collect(),
            requeued: r.requeued,
        }
    }
}

/// The `lang` of a list or export query: any language code, or none.
fn query_lang(query: Result<Query<ListQuery>, QueryRejection>) -> Result<Option<Lang>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    match q.lang.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => Ok(Some(
            Lang::parse(code).map_err(|e| ApiError::field("lang", e.to_string()))?,
        )),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/glossary/export",
    tag = "glossary",
    operation_id = "export_glossary",
    summary = "The glossary as a TSV file (header line, then one entry a line); import reads it back",
    params(ListQuery),
    responses(
        (status = 200, description = "Columns source, target_lang, target, case_sensitive, do_not_translate, note", content_type = "text/tab-separated-values", body = String),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        KeyRefused,
        (status = 422, description = "`lang` is not a language code", body = ErrorBody),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn export(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Glossary>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let lang = query_lang(query)?;
    Ok(tsv_file(&app.ctx.store.list_glossary(lang).await?))
}

/// `entries` as a downloaded TSV file (`warta_store::glossary_tsv`), for
/// the API and the desk alike.
pub(crate) fn tsv_file(entries: &[GlossaryEntry]) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/tab-separated-values; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"glossary.tsv\"",
            ),
        ],
        warta_store::glossary_tsv(entries),
    )
        .into_response()
}

#[utoipa::path(
    post,
    path = "/api/v1/glossary/import",
    tag = "glossary",
    operation_id = "import_glossary",
    summary = "Import a TSV glossary file, all or nothing; the translations of articles that contain an added term are made again",
    request_body(content = String, content_type = "text/tab-separated-values",
        description = "A header line naming the columns (source, target_lang, target required; case_sensitive, do_not_translate, note optional), then one entry a line"),
    responses(
        (status = 200, description = "Imported (entries the glossary had exactly are skipped)", body = ImportReport),
        (status = 400, description = "The body is not UTF-8 text", body = ErrorBody),
        KeyRefused,
        (status = 415, description = "The body is not `text/tab-separated-values` (or `text/plain`)", body = ErrorBody),
        (status = 422, description = "Lines refused (each with its number and reason); nothing was imported", body = ImportReport),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn import(
    State(app): State<Arc<App>>,
    auth: ApiKeyAuth<scope::Glossary>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportReport>), ApiError> {
    let media = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media != warta_store::TSV_MEDIA_TYPE && media != "text/plain" {
        return Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            field: None,
            message: format!(
                "send the file as `Content-Type: {}`",
                warta_store::TSV_MEDIA_TYPE
            ),
        });
    }
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::bad_request(format!("the file is not UTF-8 text: {e}")))?;
    let report = auth
        .store(&app)
        .import_glossary_tsv(text, &app.config().targets)
        .await?;
    let status = if report.refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(ImportReport::from(&report))))
}

/// One spelling of a suggested term in the translations.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderingView {
    pub text: String,
    /// Articles whose translation spells the name so.
    pub articles: usize,
}

/// A name of recent originals without a glossary entry in `lang`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    pub source: String,
    pub lang: Lang,
    /// Articles of the window whose original has it.
    pub articles: usize,
    /// The translations' spellings, most articles first; more than one is
    /// the same name written two ways.
    pub renderings: Vec<RenderingView>,
    /// Articles where no translation sentence spells it closely.
    pub unmatched: usize,
    /// The newest article that has it.
    pub example_slug: String,
}

/// The suggestions, and how many of the newest articles they come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub window: i64,
    pub suggestions: Vec<SuggestionView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/terms/suggestions",
    tag = "glossary",
    operation_id = "term_suggestions",
    summary = "Names recurring in the newest originals that the glossary lacks, with the translations' spellings of them",
    description = "Reads the originals of the 200 newest live articles and their machine translations' \
                   sentences: a name (a capitalised word of four or more letters, not a sentence's first, \
                   never written lowercase in the window) in two or more articles, without a glossary entry \
                   in that language whose source term contains it. Names spelled more than one way come first.",
    params(ListQuery),
    responses(
        (status = 200, description = "The suggestions", body = Suggestions),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        KeyRefused,
        (status = 422, description = "`lang` is not one of the newsroom's target languages", body = ErrorBody),
    ),
    security(("api_key" = ["glossary"])),
)]
pub async fn suggestions(
    State(app): State<Arc<App>>,
    _auth: ApiKeyAuth<scope::Glossary>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Suggestions>, ApiError> {
    let targets = &app.config().targets;
    let langs: Vec<Lang> = match query_lang(query)? {
        Some(l) if targets.contains(&l) => vec![l],
        Some(l) => {
            return Err(ApiError::field(
                "lang",
                format!("`{l}` is not one of this newsroom's target languages"),
            ))
        }
        None => targets.clone(),
    };
    let mut out = Vec::new();
    for lang in langs {
        for s in app.ctx.store.term_suggestions(lang).await? {
            out.push(SuggestionView {
                renderings: s
                    .renderings
                    .into_iter()
                    .map(|r| RenderingView {
                        text: r.text,
                        articles: r.articles,
                    })
                    .collect(),
                source: s.source,
                lang: s.lang,
                articles: s.articles,
                unmatched: s.unmatched,
                example_slug: s.example_slug,
            });
        }
    }
    Ok(Json(Suggestions {
        window: warta_store::TERM_WINDOW,
        suggestions: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Lang> {
        vec![Lang::parse("pt").unwrap(), Lang::parse("ar").unwrap()]
    }

    fn input() -> GlossaryInput {
        GlossaryInput {
            source: Some(" CSTO ".into()),
            target_lang: Some("pt".into()),
            target: Some("OTSC".into()),
            case_sensitive: None,
            note: Some("  ".into()),
        }
    }

    #[test]
    fn valid_input_is_trimmed_and_defaults_apply() {
        let e = input().into_entry(&targets()).unwrap();
        assert_eq!(
            (e.source_term.as_str(), e.target_term.as_str()),
            ("CSTO", "OTSC")
        );
        assert_eq!(e.target_lang.code(), "pt");
        assert!(!e.case_sensitive);
        assert_eq!(e.note, None);
    }

    #[test]
    fn errors_name_the_field() {
        let field = |i: GlossaryInput| i.into_entry(&targets()).unwrap_err().field.unwrap();
        assert_eq!(
            field(GlossaryInput {
                source: None,
                ..input()
            }),
            "source"
        );
        assert_eq!(
            field(GlossaryInput {
                source: Some("a\u{7}b".into()),
                ..input()
            }),
            "source"
        );
        assert_eq!(
            field(GlossaryInput {
                source: Some("x".repeat(201)),
                ..input()
            }),
            "source"
        );
        assert_eq!(
            field(GlossaryInput {
                target_lang: Some("fr".into()),
                ..input()
            }),
            "target_lang"
        );
        assert_eq!(
            field(GlossaryInput {
                target_lang: Some("xx".into()),
                ..input()
            }),
            "target_lang"
        );
        assert_eq!(
            field(GlossaryInput {
                target: Some("".into()),
                ..input()
            }),
            "target"
        );
        assert_eq!(
            field(GlossaryInput {
                note: Some("n".repeat(501)),
                ..input()
            }),
            "note"
        );
        // Exactly at the limits is fine.
        let ok = GlossaryInput {
            source: Some("x".repeat(200)),
            note: Some("n".repeat(500)),
            ..input()
        };
        assert!(ok.into_entry(&targets()).is_ok());
    }
}
