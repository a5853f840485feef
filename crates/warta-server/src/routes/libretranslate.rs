//! A LibreTranslate-compatible API (`POST /translate`, `GET /languages`,
//! `POST /detect`, `GET /frontend/settings`), so existing LibreTranslate clients and CMS plugins work
//! against warta unchanged. Requests need an API key (`api_key` field, as
//! LibreTranslate does, or `Authorization: Bearer`). Errors use
//! LibreTranslate's shape: `{"error": "..."}`.
//!
//! Bodies are JSON or forms, checked strictly before anything else (a broken
//! form is a 400, never a panic). Then, per request: the key; its rate limit
//! (429 with `Retry-After`); LibreTranslate's `batch_limit` and `char_limit`
//! (400); a slot among `translate_concurrency` (waiting briefly, then 429) —
//! see `[limits]` in the configuration.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;
use warta_core::Lang;

use crate::routes::guards::Guards;
use crate::startup::App;
use warta_pipeline::{self as pipeline, Options, Request, SourceDoc, Term};

/// LibreTranslate's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtError {
    pub error: String,
}

pub(crate) fn lt_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(LtError { error: msg.into() })).into_response()
}

/// A translation request, as JSON or as a form (where a repeated `q` is a
/// batch, like a JSON list).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"q": "How are you today?", "source": "en", "target": "pt"}))]
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
    /// `Authorization: Bearer` works as well.
    #[serde(alias = "apiKey")]
    api_key: Option<String>,
    /// How many alternative translations to return (a number, or its text
    /// in a form body). The engine decodes one best translation, so the
    /// lists are empty.
    #[schema(value_type = Option<u64>)]
    alternatives: Option<Value>,
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

/// The verified API key (its text: rate limits are kept per key).
async fn authorise(
    app: &App,
    headers: &HeaderMap,
    body_key: Option<&str>,
) -> Result<String, Response> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    let Some(key) = body_key.or(bearer) else {
        return Err(lt_error(
            StatusCode::FORBIDDEN,
            "an API key is required (api_key field or Authorization: Bearer)",
        ));
    };
    match crate::routes::auth::verify(app, key.trim()).await {
        Ok(_) => Ok(key.trim().to_string()),
        Err(_) => Err(lt_error(StatusCode::FORBIDDEN, "invalid API key")),
    }
}

/// Form or JSON, as LibreTranslate accepts both.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Response> {
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let fields = decode_form(body)
            .map_err(|e| lt_error(StatusCode::BAD_REQUEST, format!("Invalid request: {e}")))?;
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| lt_error(StatusCode::BAD_REQUEST, format!("Invalid request: {e}")))
    } else {
        serde_json::from_slice(body).map_err(|e| {
            lt_error(
                StatusCode::BAD_REQUEST,
                format!("Invalid request: invalid JSON: {e}"),
            )
        })
    }
}

/// A form body as JSON fields: a repeated `q` becomes an array (a batch, as
/// LibreTranslate's JSON `q: [...]`); of any other repeated key the first
/// counts, as in LibreTranslate (Flask's `request.values.get`).
///
/// Decoding is serde_urlencoded's. It is lenient — a broken escape is kept
/// as text and invalid UTF-8 becomes U+FFFD — and a translation service must
/// not silently translate something other than what was sent, so the body is
/// first checked strictly: UTF-8, every `%` followed by two hex digits, and
/// escapes that decode to UTF-8.
fn decode_form(body: &[u8]) -> Result<serde_json::Map<String, Value>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the form body is not UTF-8".to_string())?;
    for part in text.split('&') {
        let bytes = part.as_bytes();
        for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'%') {
            let hex = |k: usize| bytes.get(i + k).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(1) && hex(2)) {
                return Err(format!(
                    "malformed percent-escape in form field `{}`",
                    field_name(part)
                ));
            }
        }
        if percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .is_err()
        {
            return Err(format!(
                "form field `{}` does not decode to UTF-8 text",
                field_name(part)
            ));
        }
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(text).map_err(|e| format!("malformed form body: {e}"))?;
    let mut fields = serde_json::Map::new();
    for (k, v) in pairs {
        match fields.get_mut(&k) {
            None => {
                fields.insert(k, Value::String(v));
            }
            Some(Value::Array(a)) if k == "q" => a.push(Value::String(v)),
            Some(first) if k == "q" => *first = Value::Array(vec![first.take(), Value::String(v)]),
            Some(_) => {}
        }
    }
    Ok(fields)
}

/// The key of a raw `key=value` form pair, for error messages: only its
/// plain ASCII part, so nothing the client sent is echoed undecoded.
fn field_name(pair: &str) -> String {
    let key = pair.split('=').next().unwrap_or_default();
    key.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

/// Per-key rate limit, then the request's size: LibreTranslate's
/// `batch_limit` and `char_limit` semantics (the characters of all texts).
#[allow(clippy::result_large_err)]
fn check_request(app: &App, guards: &Guards, key: &str, texts: &[String]) -> Result<(), Response> {
    guards.rate_limit(key)?;
    let limits = &app.config().limits;
    if texts.len() > limits.translate_batch_limit {
        return Err(lt_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Invalid request: request ({}) exceeds batch limit ({})",
                texts.len(),
                limits.translate_batch_limit
            ),
        ));
    }
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    if chars > limits.translate_char_limit {
        return Err(lt_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Invalid request: request ({chars}) exceeds text limit ({})",
                limits.translate_char_limit
            ),
        ));
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/translate",
    tag = "libretranslate",
    summary = "Translate a text or a list of texts (LibreTranslate-compatible)",
    request_body(content(
        (TranslateInput = "application/json"),
        (TranslateInput = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The translation", body = Translation),
        (status = 400, description = "Invalid request: a parameter is missing or unsupported, the body does not parse, \
                                      or over `batch_limit`/`char_limit`; or no model for the pair", body = LtError),
        (status = 403, description = "No API key, or an invalid one", body = LtError),
        (status = 429, description = "Over this key's requests per minute, or too many translations at once",
         body = LtError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("api_key" = []), ()),
)]
pub async fn translate(
    State(app): State<Arc<App>>,
    Extension(guards): Extension<Arc<Guards>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: TranslateInput = match parse_body(&headers, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let key = match authorise(&app, &headers, input.api_key.as_deref()).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let (texts, many) = match input.q {
        Some(Value::String(s)) => (vec![s], false),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => (
            a.into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
            true,
        ),
        _ => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                "Invalid request: missing q parameter",
            )
        }
    };
    if let Err(r) = check_request(&app, &guards, &key, &texts) {
        return r;
    }
    let html = match input.format.as_deref() {
        None | Some("text") => false,
        Some("html") => true,
        Some(f) => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                format!("format `{f}` is not text or html"),
            )
        }
    };
    let Some(target) = input.target.as_deref() else {
        return lt_error(
            StatusCode::BAD_REQUEST,
            "Invalid request: missing target parameter",
        );
    };
    let Ok(target) = Lang::parse(target) else {
        return lt_error(
            StatusCode::BAD_REQUEST,
            format!("{target} is not supported"),
        );
    };
    let alternatives = match &input.alternatives {
        None => 0,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                return lt_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid request: alternatives must be a number",
                )
            }
        },
        Some(_) => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                "Invalid request: alternatives must be a number",
            )
        }
    };
    let mut detected = None;
    let source = match input.source.as_deref() {
        None => {
            return lt_error(
                StatusCode::BAD_REQUEST,
                "Invalid request: missing source parameter",
            )
        }
        // As LibreTranslate: detect among the languages that can be
        // translated into the target here, and say what was detected.
        Some("auto") => match detect_among(&texts.join(" "), &sources_for(&app, target)) {
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
        Some(s) => match Lang::parse(s) {
            Ok(l) => l,
            Err(_) => return lt_error(StatusCode::BAD_REQUEST, format!("{s} is not supported")),
        },
    };
    // LibreTranslate's shape: `translatedText` (a string, or a list for a
    // list `q`), `detectedLanguage` for `auto`, `alternatives` when asked
    // for. The engine decodes one best translation, so alternatives are
    // empty — as LibreTranslate answers when its model has none.
    let respond = |out: Vec<String>| -> Response {
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
        Json(Translation {
            translated_text,
            detected_language,
            alternatives,
        })
        .into_response()
    };
    if source == target {
        return respond(texts);
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
            Err(e) => {
                return lt_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("reading the glossary: {e}"),
                )
            }
        }
    }
    let pool = app.ctx.pool.clone();
    let result =
        tokio::task::spawn_blocking(move || -> Result<Vec<String>, pipeline::PipelineError> {
            let _permit = permit; // the slot is busy until the engine is done
                                  // Text and HTML both go through the pipeline: glossary, protected
                                  // spans and (for HTML) markup transfer apply to every request.
            let reqs: Vec<Request> = texts
                .iter()
                .map(|t| Request {
                    doc: Arc::new(if html {
                        SourceDoc::html(warta_html::sanitize(t))
                    } else {
                        SourceDoc::text(t.clone())
                    }),
                    target,
                })
                .collect();
            pipeline::translate(&pool, source, reqs, &glossaries, &Options::default())
                .into_iter()
                .map(|r| r.map(|d| d.body))
                .collect()
        })
        .await;
    match result {
        Ok(Ok(out)) => respond(out),
        // LibreTranslate answers 400 for a pair it cannot translate.
        Ok(Err(
            e @ (pipeline::PipelineError::MissingModel(_) | pipeline::PipelineError::BadInput(_)),
        )) => lt_error(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(e)) => lt_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => lt_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
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
        suggestions: false,
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

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"q": "How are you today?"}))]
struct DetectInput {
    #[schema(value_type = String, required = true)]
    q: Option<String>,
    /// The API key, as LibreTranslate takes it; `Authorization: Bearer`
    /// works as well.
    api_key: Option<String>,
}

#[utoipa::path(
    post,
    path = "/detect",
    tag = "libretranslate",
    summary = "Detect the language of a text (LibreTranslate-compatible)",
    request_body(content(
        (DetectInput = "application/json"),
        (DetectInput = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The most likely language (an empty list when none is)", body = Vec<Detection>),
        (status = 400, description = "Invalid request: `q` is missing, the body does not parse, or over `char_limit`", body = LtError),
        (status = 403, description = "No API key, or an invalid one", body = LtError),
        (status = 429, description = "Over this key's requests per minute",
         body = LtError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("api_key" = []), ()),
)]
pub async fn detect(
    State(app): State<Arc<App>>,
    Extension(guards): Extension<Arc<Guards>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: DetectInput = match parse_body(&headers, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let key = match authorise(&app, &headers, input.api_key.as_deref()).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let Some(q) = input.q else {
        return lt_error(
            StatusCode::BAD_REQUEST,
            "Invalid request: missing q parameter",
        );
    };
    if let Err(r) = check_request(&app, &guards, &key, std::slice::from_ref(&q)) {
        return r;
    }
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
