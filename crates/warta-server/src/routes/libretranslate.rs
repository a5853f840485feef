//! A LibreTranslate-compatible API (`POST /translate`, `GET /languages`,
//! `POST /detect`, `POST /suggest`, `GET /frontend/settings`), so existing LibreTranslate clients and CMS plugins work
//! against warta unchanged. Requests need an API key (`api_key` field, as
//! LibreTranslate does, or `Authorization: Bearer`). Errors use
//! LibreTranslate's shape: `{"error": "..."}`.
//!
//! Parameters are read as LibreTranslate reads them — a JSON body, or the
//! query string then an urlencoded or multipart form — see [`params`]. Per
//! request, in order: an `Authorization: Bearer` key, or else one in the
//! query string, is checked before the body is read; the body is read with
//! its texts counted and kept only within LibreTranslate's `batch_limit` and
//! `char_limit`; a key in the body is checked; the key's rate limit (429
//! with `Retry-After`); the parameters (400, LibreTranslate's messages and
//! order); a slot among `translate_concurrency` (waiting briefly, then 429)
//! — see `[limits]` in the configuration. A 500 names the request id, never
//! the internal error (which goes to the log under that id).
//!
//! `/languages` and `/frontend/settings` read no parameters (neither does
//! LibreTranslate's `langs()`). `/suggest` stores a better translation for
//! an editor to accept or reject at `/admin/suggestions`; it takes a key
//! like `/translate` (LibreTranslate 1.9.6 checks none there, but a
//! suggestion an editor may accept is a write).

mod params;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};
use warta_core::{normalize_segment, Lang, Pair};
use warta_store::{NewSuggestion, StoreError, MAX_SUGGESTION_CHARS};

use self::params::{BodyKind, Bounds, MultipartRefusal, Params, Reader, Refusal, Route};
use crate::routes::guards::Guards;
use crate::startup::App;
use warta_pipeline::{self as pipeline, Options, Request as PipelineRequest, SourceDoc, Term};

/// LibreTranslate's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtError {
    pub error: String,
}

/// How the endpoints that read LibreTranslate's parameters (`/translate`,
/// `/detect`, `/suggest`) refuse a request whatever it asks, declared once
/// for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum LtRequestRefused {
    #[response(status = 403, description = "No API key, or an invalid one")]
    Key(LtError),
    #[response(status = 413, description = "The body is over the server's body limit")]
    TooLarge(LtError),
    #[response(
        status = 415,
        description = "A body in another content type than JSON, urlencoded or multipart form"
    )]
    ContentType(LtError),
    #[response(
        status = 500,
        description = "An internal error; the answer names the request id under which the server logged it"
    )]
    Internal(LtError),
}

pub(crate) fn lt_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(LtError { error: msg.into() })).into_response()
}

/// A translation request as a JSON body. A JSON body is LibreTranslate's
/// only source of parameters: the query string is not read with it.
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?", "source": "en", "target": "pt"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct TranslateInput {
    /// The text, or a list of texts (a batch: answered with a list).
    #[schema(value_type = TranslatedText, required = true)]
    q: Option<Value>,
    /// A language code, or `auto` to detect it among the languages that
    /// can be translated into `target`.
    #[schema(value_type = String, required = true, example = "en")]
    source: Option<String>,
    #[schema(value_type = Lang, required = true)]
    target: Option<String>,
    /// `text` (default) or `html`: with `html`, markup is kept and only text
    /// is translated.
    #[schema(value_type = Option<TextFormat>)]
    format: Option<String>,
    /// The API key, as LibreTranslate takes it (`apiKey` is accepted too);
    /// `Authorization: Bearer` works as well, and wins.
    api_key: Option<String>,
    /// How many alternative translations to return (a number, or its
    /// text). The engine decodes one best translation, so the lists are
    /// empty.
    #[schema(value_type = Option<u64>)]
    alternatives: Option<Value>,
}

/// A translation request as an urlencoded or multipart form. Each field may
/// come from the query string instead, which wins; `q`, `source` and
/// `target` are needed from one or the other. A repeated `q` is a batch, like
/// a JSON list (in the query string too).
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?", "source": "en", "target": "pt"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct TranslateForm {
    /// The text, or the texts of a batch (the field repeated).
    #[schema(value_type = Option<TranslatedText>)]
    q: Option<Value>,
    /// A language code, or `auto`.
    #[schema(example = "en")]
    source: Option<String>,
    #[schema(value_type = Option<Lang>)]
    target: Option<String>,
    #[schema(value_type = Option<TextFormat>)]
    format: Option<String>,
    api_key: Option<String>,
    #[schema(value_type = Option<u64>)]
    alternatives: Option<Value>,
}

/// The parameters of `/translate` in the query string (LibreTranslate's
/// `request.values`: they win over the form's; not read with a JSON body).
/// deep-translator sends them so, with an empty body.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation: params.rs reads the query string
struct TranslateQuery {
    /// The text; repeated, the texts of a batch.
    q: Option<Vec<String>>,
    /// A language code, or `auto`.
    source: Option<String>,
    #[param(value_type = Option<Lang>)]
    target: Option<String>,
    #[param(value_type = Option<TextFormat>)]
    format: Option<String>,
    /// The API key (`Authorization: Bearer` wins over it).
    api_key: Option<String>,
    alternatives: Option<u64>,
}

/// `format` of a translation request.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // a schema: the handler reads the field as text
enum TextFormat {
    Text,
    Html,
}

/// A text, or a list of texts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TranslatedText {
    One(String),
    Many(Vec<String>),
}

/// What `source: auto` detected: one, or one per text of a batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DetectedLanguage {
    One(Detection),
    Many(Vec<Detection>),
}

/// A detected language; `confidence` in percent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Detection {
    pub language: Lang,
    pub confidence: f64,
}

/// LibreTranslate's answer: `translatedText` (a list for a list `q`),
/// `detectedLanguage` for `source: auto`, `alternatives` when asked for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    pub translated_text: TranslatedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_language: Option<DetectedLanguage>,
    /// Alternative translations: a list (empty), or one list per text of a batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = alternatives_schema)]
    pub alternatives: Option<Vec<Value>>,
    /// warta's quality checks on the output (not in LibreTranslate, whose
    /// clients ignore it): for one text its list of findings, for a batch
    /// one list per text. An empty list is a translation nothing flagged.
    #[schema(schema_with = quality_flags_schema)]
    pub quality_flags: QualityFlags,
}

/// `qualityFlags`: findings for one text, lists of findings for a batch.
/// An empty list is both, hence `anyOf` (an untagged enum would be
/// `oneOf`, which an empty list matches twice).
fn quality_flags_schema() -> impl Into<RefOr<Schema>> {
    let flag = || <QualityFlag as utoipa::PartialSchema>::schema();
    ArrayBuilder::new().items(
        AnyOfBuilder::new()
            .item(flag())
            .item(ArrayBuilder::new().items(flag())),
    )
}

/// The findings on one text's translation, or one list per text of a batch.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum QualityFlags {
    One(Vec<QualityFlag>),
    Many(Vec<Vec<QualityFlag>>),
}

/// One quality check's finding on a translated text: the check (`adequacy`
/// for an output that may not say what the source says, `numbers`,
/// `glossary`…), its severity and the sentence it concerns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityFlag {
    pub check: warta_qa::Check,
    pub severity: warta_qa::Severity,
    pub detail: String,
    /// The source sentence the finding is about; absent for a finding on
    /// the whole text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
}

impl QualityFlag {
    /// Every finding on one translated document.
    fn of(doc: &pipeline::TranslatedDoc) -> Vec<QualityFlag> {
        doc.flags()
            .into_iter()
            .map(|(i, f)| QualityFlag {
                check: f.check,
                severity: f.severity,
                detail: f.detail.clone(),
                sentence: i.map(|i| doc.segments[i].source.clone()),
            })
            .collect()
    }
}

/// `alternatives`: strings for one text, lists of strings for a batch. An
/// empty list is both, hence `anyOf` (an untagged enum would be `oneOf`).
fn alternatives_schema() -> impl Into<RefOr<Schema>> {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    ArrayBuilder::new().items(
        AnyOfBuilder::new()
            .item(string())
            .item(ArrayBuilder::new().items(string())),
    )
}

/// The id tower-http gave the request (`x-request-id`), for the log and a
/// 500's answer.
fn request_id(req: &Request) -> String {
    req.extensions()
        .get::<tower_http::request_id::RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// A 500 that names the request id; the detail goes to the log only.
fn internal_error(request_id: &str, what: &str, detail: impl std::fmt::Display) -> Response {
    tracing::error!(request_id, "LibreTranslate API: {what}: {detail}");
    lt_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("Internal error while {what}; the server log has the detail under request id {request_id}"),
    )
}

/// The key of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    h.strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
}

/// The verified API key (its text: rate limits are kept per key).
async fn authorise(app: &App, request_id: &str, key: Option<&str>) -> Result<String, Response> {
    // LibreTranslate: an empty key is no key.
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return Err(lt_error(
            StatusCode::FORBIDDEN,
            "an API key is required (api_key field or Authorization: Bearer)",
        ));
    };
    match crate::routes::auth::verify(app, key).await {
        Ok(_) => Ok(key.to_string()),
        Err(e) if e.status.is_server_error() => Err(internal_error(
            request_id,
            "checking the API key",
            e.message,
        )),
        Err(_) => Err(lt_error(StatusCode::FORBIDDEN, "invalid API key")),
    }
}

fn refused(r: Refusal) -> Response {
    match r {
        Refusal::Invalid(msg) => lt_error(StatusCode::BAD_REQUEST, msg),
        Refusal::Unsupported(msg) => lt_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, msg),
    }
}

/// The body, within the router's body limit (413 past it).
async fn body_bytes(req: Request) -> Result<Bytes, Response> {
    Bytes::from_request(req, &())
        .await
        .map_err(|r| lt_error(r.status(), format!("Invalid request: {}", r.body_text())))
}

/// A request's parameters (see [`params`]) and its verified key. A key in
/// the `Authorization` header, or else in the query string, is checked
/// before the body is read; only a key inside the body waits for the body,
/// which is read bounded.
async fn read_request(app: &App, route: Route, req: Request) -> Result<(Params, String), Response> {
    let id = request_id(&req);
    let limits = &app.config().limits;
    let bounds = match route {
        // One text, as long as a suggestion may be.
        Route::Suggest => Bounds {
            batch: 1,
            chars: MAX_SUGGESTION_CHARS,
        },
        Route::Translate | Route::Detect => Bounds {
            batch: limits.translate_batch_limit,
            chars: limits.translate_char_limit,
        },
    };
    let mut reader = Reader::new(route, bounds);
    let mut key = None;
    if let Some(k) = bearer(req.headers()) {
        key = Some(authorise(app, &id, Some(k)).await?);
    }
    let kind = BodyKind::of(req.headers().get(header::CONTENT_TYPE));
    if kind != BodyKind::Json {
        if let Some(query) = req.uri().query() {
            reader.urlencoded(query.as_bytes()).map_err(refused)?;
        }
        if let (None, Some(k)) = (&key, reader.params().api_key()) {
            key = Some(authorise(app, &id, Some(k)).await?);
        }
    }
    match kind {
        BodyKind::Json => {
            let body = body_bytes(req).await?;
            reader.json(&body).map_err(refused)?;
        }
        BodyKind::Form => {
            let body = body_bytes(req).await?;
            reader.urlencoded(&body).map_err(refused)?;
        }
        BodyKind::Multipart => {
            let form = Multipart::from_request(req, &())
                .await
                .map_err(|r| lt_error(r.status(), format!("Invalid request: {}", r.body_text())))?;
            reader.multipart(form).await.map_err(|r| match r {
                MultipartRefusal::Read(e) => {
                    lt_error(e.status(), format!("Invalid request: {}", e.body_text()))
                }
                MultipartRefusal::Params(r) => refused(r),
            })?;
        }
        BodyKind::Other(_) => {
            // No fields in it: fine when empty (deep-translator's query-string
            // POST), refused unread when it announces a length.
            if axum::body::HttpBody::size_hint(req.body()).lower() > 0 {
                return Err(refused(kind.refusal()));
            }
            if !body_bytes(req).await?.is_empty() {
                return Err(refused(kind.refusal()));
            }
        }
    }
    let params = reader.finish();
    let key = match key {
        Some(k) => k,
        None => authorise(app, &id, params.api_key()).await?,
    };
    Ok((params, key))
}

/// A request's parameters and key (see [`read_request`]), within the key's
/// rate limit, and the request id (for a 500's answer).
async fn read_limited(
    app: &App,
    guards: &Guards,
    route: Route,
    req: Request,
) -> Result<(Params, String, String), Response> {
    let id = request_id(&req);
    let (params, key) = read_request(app, route, req).await?;
    guards.rate_limit(&key)?;
    Ok((params, key, id))
}

fn missing(name: &str) -> Response {
    lt_error(
        StatusCode::BAD_REQUEST,
        format!("Invalid request: missing {name} parameter"),
    )
}

/// A 400 for a request over `batch_limit` or `char_limit`.
fn over_limit(over: params::OverLimit) -> Response {
    lt_error(StatusCode::BAD_REQUEST, over.to_string())
}

#[utoipa::path(
    post,
    path = "/translate",
    tag = "libretranslate",
    summary = "Translate a text or a list of texts (LibreTranslate-compatible)",
    description = "Parameters as LibreTranslate reads them: from a JSON body alone, or else from the query \
                   string and then an urlencoded or multipart form body (the query string wins, field by field). \
                   An empty body with the parameters in the query string is fine.",
    params(TranslateQuery),
    request_body(content(
        (Option<TranslateInput> = "application/json"),
        (Option<TranslateForm> = "application/x-www-form-urlencoded"),
        (Option<TranslateForm> = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "The translation", body = Translation),
        (status = 400, description = "Invalid request: a parameter is missing or unsupported, the body does not parse, \
                                      or over `batch_limit`/`char_limit`; or no model for the pair", body = LtError),
        LtRequestRefused,
        (status = 429, description = "Over this key's requests per minute, or too many translations at once",
         body = LtError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("api_key" = ["translate"]), ()),
)]
pub async fn translate(
    State(app): State<Arc<App>>,
    Extension(guards): Extension<Arc<Guards>>,
    req: Request,
) -> Response {
    let (input, _, id) = match read_limited(&app, &guards, Route::Translate, req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // LibreTranslate's order: q, source and target present; alternatives a
    // number; the batch and character limits; then the languages and format.
    let Some(texts) = input.q.filter(|t| !t.is_missing()) else {
        return missing("q");
    };
    let Some(source) = input.source.filter(|s| !s.is_empty()) else {
        return missing("source");
    };
    let Some(target) = input.target.filter(|s| !s.is_empty()) else {
        return missing("target");
    };
    let alternatives = match input.alternatives {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(())) => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                "Invalid request: alternatives parameter is not a number",
            )
        }
    };
    let many = texts.many;
    let texts = match texts.within_limits() {
        Ok(t) => t,
        Err(over) => return over_limit(over),
    };
    let Ok(target) = Lang::parse(&target) else {
        return lt_error(
            StatusCode::BAD_REQUEST,
            format!("{target} is not supported"),
        );
    };
    let html = match input.format.as_deref() {
        None | Some("") | Some("text") => false,
        Some("html") => true,
        Some(f) => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                format!("{f} format is not supported"),
            )
        }
    };
    let mut detected = None;
    let source = match source.as_str() {
        // As LibreTranslate: detect among the languages that can be
        // translated into the target here, and say what was detected.
        "auto" => match detect_among(&texts.join(" "), &sources_for(&app, target)) {
            Some((l, confidence)) => {
                detected = Some(Detection {
                    language: l,
                    confidence: (confidence * 100.0).round(),
                });
                l
            }
            None => {
                return lt_error(
                    StatusCode::BAD_REQUEST,
                    "could not detect the source language",
                )
            }
        },
        s => match Lang::parse(s) {
            Ok(l) => l,
            Err(_) => return lt_error(StatusCode::BAD_REQUEST, format!("{s} is not supported")),
        },
    };
    // LibreTranslate's shape: `translatedText` (a string, or a list for a
    // list `q`), `detectedLanguage` for `auto`, `alternatives` when asked
    // for. The engine decodes one best translation, so alternatives are
    // empty — as LibreTranslate answers when its model has none.
    let respond = |out: Vec<String>, flags: Vec<Vec<QualityFlag>>| -> Response {
        let n = out.len();
        let detected_language = detected.as_ref().map(|d| match many {
            true => DetectedLanguage::Many(vec![d.clone(); n]),
            false => DetectedLanguage::One(d.clone()),
        });
        let alternatives = (alternatives > 0).then(|| match many {
            true => vec![Value::Array(Vec::new()); n],
            false => Vec::new(),
        });
        let translated_text = match many {
            true => TranslatedText::Many(out),
            false => TranslatedText::One(out.into_iter().next().unwrap_or_default()),
        };
        let quality_flags = match many {
            true => QualityFlags::Many(flags),
            false => QualityFlags::One(flags.into_iter().next().unwrap_or_default()),
        };
        Json(Translation {
            translated_text,
            detected_language,
            alternatives,
            quality_flags,
        })
        .into_response()
    };
    if source == target {
        let none = vec![Vec::new(); texts.len()];
        return respond(texts, none);
    }
    let permit = match guards.translate_slot().await {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The newsroom's glossary applies when translating from its source
    // language (glossary entries are written for that source).
    let mut glossaries: HashMap<Lang, Vec<Term>> = HashMap::new();
    if source == app.config().source {
        match app.ctx.store.glossary_snapshot(target).await {
            Ok(snap) => {
                glossaries.insert(target, snap.terms());
            }
            Err(e) => return internal_error(&id, "reading the glossary", e),
        }
    }
    let pool = app.ctx.pool.clone();
    let adequacy_thresholds = app.config().adequacy;
    let result =
        tokio::task::spawn_blocking(move || -> Result<Vec<(String, Vec<QualityFlag>)>, pipeline::PipelineError> {
            let _permit = permit; // the slot is busy until the engine is done

            // Text and HTML both go through the pipeline: glossary, protected
            // spans and (for HTML) markup transfer apply to every request.
            let reqs: Vec<PipelineRequest> = texts
                .iter()
                .map(|t| PipelineRequest {
                    doc: Arc::new(if html {
                        SourceDoc::html(warta_html::sanitize(t))
                    } else {
                        SourceDoc::text(t.clone())
                    }),
                    target,
                })
                .collect();
            let opts = Options {
                adequacy: adequacy_thresholds,
                ..Options::default()
            };
            pipeline::translate(&pool, source, reqs, &glossaries, &opts)
                .into_iter()
                .map(|r| {
                    r.map(|d| {
                        let flags = QualityFlag::of(&d);
                        (d.body, flags)
                    })
                })
                .collect()
        })
        .await;
    match result {
        Ok(Ok(out)) => {
            let (texts, flags) = out.into_iter().unzip();
            respond(texts, flags)
        }
        // LibreTranslate answers 400 for a pair it cannot translate.
        Ok(Err(
            e @ (pipeline::PipelineError::MissingModel(_) | pipeline::PipelineError::BadInput(_)),
        )) => lt_error(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(e)) => internal_error(&id, "translating", e),
        Err(e) => internal_error(&id, "translating (the engine task failed)", e),
    }
}

/// Every language of an installed model, sorted.
fn installed_languages(app: &App) -> Vec<Lang> {
    let mut langs: Vec<Lang> = Vec::new();
    if let Ok(list) = app.ctx.pool.store().list() {
        for m in list.into_iter().flatten() {
            for l in [m.pair().src, m.pair().trg] {
                if !langs.contains(&l) {
                    langs.push(l);
                }
            }
        }
    }
    langs.sort();
    langs
}

/// The languages that can be translated into `target` here (directly or
/// through English), and `target` itself.
fn sources_for(app: &App, target: Lang) -> Vec<Lang> {
    let store = app.ctx.pool.store();
    installed_languages(app)
        .into_iter()
        .filter(|&l| l == target || store.route(l, target).is_ok())
        .collect()
}

/// LibreTranslate's frontend settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrontendSettings {
    pub api_keys: bool,
    pub key_required: bool,
    /// Characters of all texts of one request (`[limits]
    /// translate_char_limit`).
    pub char_limit: i64,
    pub frontend_timeout: u64,
    pub suggestions: bool,
    pub files_translation: bool,
    pub supported_files_format: Vec<String>,
    /// The default pair of a translation form.
    pub language: DefaultPair,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DefaultPair {
    pub source: NamedLang,
    pub target: NamedLang,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedLang {
    pub code: Lang,
    /// The language's English name.
    pub name: String,
}

impl NamedLang {
    fn new(l: Lang) -> NamedLang {
        NamedLang {
            code: l,
            name: l.english_name().to_string(),
        }
    }
}

/// `GET /frontend/settings`: what LibreTranslate clients read to learn
/// whether a key is needed, the character limit and the languages.
#[utoipa::path(
    get,
    path = "/frontend/settings",
    tag = "libretranslate",
    summary = "Whether a key is needed, the character limit and the default pair (LibreTranslate-compatible)",
    responses((status = 200, description = "The settings", body = FrontendSettings)),
)]
pub async fn frontend_settings(State(app): State<Arc<App>>) -> Json<FrontendSettings> {
    let langs = installed_languages(&app);
    let source = if langs.contains(&app.config().source) {
        app.config().source
    } else {
        langs.first().copied().unwrap_or(app.config().source)
    };
    let target = app
        .config()
        .targets
        .iter()
        .copied()
        .find(|t| langs.contains(t))
        .unwrap_or(source);
    Json(FrontendSettings {
        api_keys: true,
        key_required: true,
        char_limit: i64::try_from(app.config().limits.translate_char_limit).unwrap_or(i64::MAX),
        frontend_timeout: 500,
        suggestions: true,
        files_translation: false,
        supported_files_format: Vec::new(),
        language: DefaultPair {
            source: NamedLang::new(source),
            target: NamedLang::new(target),
        },
    })
}

/// A language of an installed model and what it can be translated into.
#[derive(Debug, Serialize, ToSchema)]
pub struct LanguageEntry {
    pub code: Lang,
    /// The language's English name.
    pub name: String,
    /// Languages it can be translated into here (directly or through English).
    pub targets: Vec<Lang>,
}

#[utoipa::path(
    get,
    path = "/languages",
    tag = "libretranslate",
    summary = "The languages of the installed models and their targets (LibreTranslate-compatible)",
    responses((status = 200, description = "The languages, sorted by code", body = Vec<LanguageEntry>)),
)]
pub async fn languages(State(app): State<Arc<App>>) -> Json<Vec<LanguageEntry>> {
    let store = app.ctx.pool.store();
    let langs = installed_languages(&app);
    let out = langs
        .iter()
        .map(|&l| LanguageEntry {
            code: l,
            name: l.english_name().to_string(),
            targets: langs
                .iter()
                .copied()
                .filter(|&t| t != l && store.route(l, t).is_ok())
                .collect(),
        })
        .collect();
    Json(out)
}

/// A detection request as a JSON body (its only source of parameters).
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct DetectInput {
    #[schema(value_type = String, required = true)]
    q: Option<String>,
    /// The API key, as LibreTranslate takes it; `Authorization: Bearer`
    /// works as well, and wins.
    api_key: Option<String>,
}

/// A detection request as an urlencoded or multipart form; each field may
/// come from the query string instead, which wins. Of a repeated `q` the
/// first counts.
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct DetectForm {
    q: Option<String>,
    api_key: Option<String>,
}

/// The parameters of `/detect` in the query string (they win over the
/// form's; not read with a JSON body).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation: params.rs reads the query string
struct DetectQuery {
    q: Option<String>,
    /// The API key (`Authorization: Bearer` wins over it).
    api_key: Option<String>,
}

#[utoipa::path(
    post,
    path = "/detect",
    tag = "libretranslate",
    summary = "Detect the language of a text (LibreTranslate-compatible)",
    description = "Parameters as LibreTranslate reads them: from a JSON body alone, or else from the query \
                   string and then an urlencoded or multipart form body (the query string wins).",
    params(DetectQuery),
    request_body(content(
        (Option<DetectInput> = "application/json"),
        (Option<DetectForm> = "application/x-www-form-urlencoded"),
        (Option<DetectForm> = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "The most likely language (an empty list when none is)", body = Vec<Detection>),
        (status = 400, description = "Invalid request: `q` is missing, the body does not parse, or over `char_limit`", body = LtError),
        LtRequestRefused,
        (status = 429, description = "Over this key's requests per minute",
         body = LtError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("api_key" = ["translate"]), ()),
)]
pub async fn detect(
    State(app): State<Arc<App>>,
    Extension(guards): Extension<Arc<Guards>>,
    req: Request,
) -> Response {
    let (input, _, _) = match read_limited(&app, &guards, Route::Detect, req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(texts) = input.q.filter(|t| !t.is_missing()) else {
        return missing("q");
    };
    let q = match texts.within_limits() {
        Ok(t) => t.concat(), // one text: /detect takes no batch
        Err(over) => return over_limit(over),
    };
    let found: Vec<Detection> = detect_lang(&q)
        .map(|(l, c)| Detection {
            language: l,
            confidence: (c * 100.0).round(),
        })
        .into_iter()
        .collect();
    Json(found).into_response()
}

/// Detection restricted to `candidates` (LibreTranslate only ever detects a
/// language it has a model for). With one candidate there is nothing to
/// tell apart.
fn detect_among(text: &str, candidates: &[Lang]) -> Option<(Lang, f64)> {
    match candidates {
        [] => None,
        [only] => Some((*only, 1.0)),
        many => detect_with(
            text,
            many.iter().filter_map(|&l| lingua_language(l)).collect(),
        ),
    }
}

/// Language detection with lingua (n-gram models that stay accurate on
/// short texts such as a headline or "How are you today?", where trigram
/// statistics guess Portuguese). The compiled-in languages are the
/// newsroom's of DESIGN.md plus Portuguese (the test model's): a language
/// outside them is never detected.
pub fn detect_lang(text: &str) -> Option<(Lang, f64)> {
    detect_with(text, lingua::Language::all().into_iter().collect())
}

fn detect_with(text: &str, languages: Vec<lingua::Language>) -> Option<(Lang, f64)> {
    if languages.len() < 2 {
        return languages.first().and_then(|&l| Some((warta_lang(l)?, 1.0)));
    }
    let detector = lingua::LanguageDetectorBuilder::from_languages(&languages).build();
    let (best, confidence) = detector
        .compute_language_confidence_values(text)
        .into_iter()
        .next()?;
    if confidence <= 0.0 {
        return None;
    }
    Some((warta_lang(best)?, confidence))
}

fn lingua_language(l: Lang) -> Option<lingua::Language> {
    let iso = l.code().parse::<lingua::IsoCode639_1>().ok()?;
    lingua::Language::all()
        .into_iter()
        .find(|x| x.iso_code_639_1() == iso)
}

fn warta_lang(l: lingua::Language) -> Option<Lang> {
    Lang::parse(&l.iso_code_639_1().to_string()).ok()
}

/// A suggestion as a JSON body (its only source of parameters).
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?", "s": "Como vai você hoje?", "source": "en", "target": "pt"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct SuggestInput {
    /// The original text (at most 2,000 characters).
    #[schema(value_type = String, required = true)]
    q: Option<String>,
    /// The suggested translation (at most 2,000 characters).
    #[schema(value_type = String, required = true)]
    s: Option<String>,
    /// The newsroom's source language.
    #[schema(value_type = String, required = true, example = "en")]
    source: Option<String>,
    /// One of its target languages.
    #[schema(value_type = Lang, required = true)]
    target: Option<String>,
    /// The API key, as LibreTranslate takes it; `Authorization: Bearer`
    /// works as well, and wins.
    api_key: Option<String>,
}

/// A suggestion as an urlencoded or multipart form; each field may come
/// from the query string instead, which wins.
#[derive(ToSchema)]
#[schema(example = json!({"q": "How are you today?", "s": "Como vai você hoje?", "source": "en", "target": "pt"}))]
#[allow(dead_code)] // a schema: params.rs reads the body, bounded
struct SuggestForm {
    q: Option<String>,
    s: Option<String>,
    source: Option<String>,
    #[schema(value_type = Option<Lang>)]
    target: Option<String>,
    api_key: Option<String>,
}

/// The parameters of `/suggest` in the query string (they win over the
/// form's; not read with a JSON body).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation: params.rs reads the query string
struct SuggestQuery {
    q: Option<String>,
    s: Option<String>,
    source: Option<String>,
    #[param(value_type = Option<Lang>)]
    target: Option<String>,
    /// The API key (`Authorization: Bearer` wins over it).
    api_key: Option<String>,
}

/// LibreTranslate's answer to a suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestOutcome {
    /// Whether the suggestion was stored (always true in a 200).
    pub success: bool,
}

#[utoipa::path(
    post,
    path = "/suggest",
    tag = "libretranslate",
    summary = "Suggest a better translation of a text, for an editor to accept (LibreTranslate-compatible)",
    description = "Parameters as `/translate` reads them. The suggestion waits at `/admin/suggestions`; \
                   accepted, it becomes the translation memory's entry for its text and the articles \
                   with that sentence are translated again. Suggestions are taken for the newsroom's \
                   source language into one of its targets. The same open suggestion sent again is \
                   stored once.",
    params(SuggestQuery),
    request_body(content(
        (Option<SuggestInput> = "application/json"),
        (Option<SuggestForm> = "application/x-www-form-urlencoded"),
        (Option<SuggestForm> = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Stored", body = SuggestOutcome),
        (status = 400, description = "Invalid request: a parameter is missing, too long or not a text, the body \
                                      does not parse, or the pair is not one of this newsroom's", body = LtError),
        LtRequestRefused,
        (status = 429, description = "Over this key's requests per minute, or too many suggestions wait for an editor",
         body = LtError),
    ),
    security(("api_key" = ["translate"]), ()),
)]
pub async fn suggest(
    State(app): State<Arc<App>>,
    Extension(guards): Extension<Arc<Guards>>,
    req: Request,
) -> Response {
    let (input, key, id) = match read_limited(&app, &guards, Route::Suggest, req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // LibreTranslate's order: q, s, source, target.
    let Some(texts) = input.q.filter(|t| !t.is_missing()) else {
        return missing("q");
    };
    let Some(s) = input.s.filter(|s| !s.is_empty()) else {
        return missing("s");
    };
    let Some(source) = input.source.filter(|s| !s.is_empty()) else {
        return missing("source");
    };
    let Some(target) = input.target.filter(|s| !s.is_empty()) else {
        return missing("target");
    };
    let q = match texts.within_limits() {
        Ok(t) => t.concat(), // one text
        Err(over) => return over_limit(over),
    };
    let (q, s) = (q.trim(), s.trim());
    for (name, text) in [("q", q), ("s", s)] {
        if text.is_empty() {
            return missing(name);
        }
        if text.chars().count() > MAX_SUGGESTION_CHARS {
            return lt_error(
                StatusCode::BAD_REQUEST,
                format!("Invalid request: {name} is longer than {MAX_SUGGESTION_CHARS} characters"),
            );
        }
        if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return lt_error(
                StatusCode::BAD_REQUEST,
                format!("Invalid request: {name} contains control characters"),
            );
        }
    }
    // The memory serves the newsroom's pairs: its source into a target.
    let config = app.config();
    let pair = match (Lang::parse(&source), Lang::parse(&target)) {
        (Ok(src), Ok(trg)) if src == config.source && config.targets.contains(&trg) => {
            Pair { src, trg }
        }
        _ => {
            let targets: Vec<&str> = config.targets.iter().map(|l| l.code()).collect();
            return lt_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "suggestions are taken from {} into {}",
                    config.source,
                    targets.join(", ")
                ),
            );
        }
    };
    let submitted_by = match crate::routes::auth::verify(&app, &key).await {
        Ok(k) => k.key_name,
        Err(e) => return internal_error(&id, "checking the API key", e.message),
    };
    let stored = app
        .ctx
        .store
        .add_suggestion(&NewSuggestion {
            pair,
            source_text: q,
            source_norm: &normalize_segment(q),
            suggested_text: s,
            submitted_by: &submitted_by,
        })
        .await;
    match stored {
        Ok(_) => Json(SuggestOutcome { success: true }).into_response(),
        Err(StoreError::Conflict(why)) => lt_error(StatusCode::TOO_MANY_REQUESTS, why),
        Err(StoreError::Invalid(why)) => {
            lt_error(StatusCode::BAD_REQUEST, format!("Invalid request: {why}"))
        }
        Err(e) => internal_error(&id, "storing the suggestion", e),
    }
}
