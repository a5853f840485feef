//! A LibreTranslate-compatible API (`POST /translate`, `GET /languages`,
//! `POST /detect`), so existing LibreTranslate clients and CMS plugins work
//! against warta unchanged. Requests need an API key (`api_key` field, as
//! LibreTranslate does, or `Authorization: Bearer`). Errors use
//! LibreTranslate's shape: `{"error": "..."}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use warta_core::{Lang, LANGUAGES};

use crate::pipeline::{self, Request, SourceDoc};
use crate::startup::App;

fn lt_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

#[derive(Deserialize)]
struct TranslateInput {
    q: Option<Value>,
    source: Option<String>,
    target: Option<String>,
    format: Option<String>,
    api_key: Option<String>,
}

async fn authorise(app: &App, headers: &HeaderMap, body_key: Option<&str>) -> Result<(), Response> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    let Some(key) = body_key.or(bearer) else {
        return Err(lt_error(StatusCode::FORBIDDEN, "an API key is required (api_key field or Authorization: Bearer)"));
    };
    match crate::routes::auth::verify(app, key.trim()).await {
        Ok(_) => Ok(()),
        Err(_) => Err(lt_error(StatusCode::FORBIDDEN, "invalid API key")),
    }
}

/// Form or JSON, as LibreTranslate accepts both.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
fn parse_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Response> {
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let pairs: serde_json::Map<String, Value> = form_urlencoded(body);
        serde_json::from_value(Value::Object(pairs)).map_err(|e| lt_error(StatusCode::BAD_REQUEST, e.to_string()))
    } else {
        serde_json::from_slice(body).map_err(|e| lt_error(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")))
    }
}

fn form_urlencoded(body: &[u8]) -> serde_json::Map<String, Value> {
    let decode = |s: &str| -> String {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), Value::String(decode(v)))
        })
        .collect()
}

pub async fn translate(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let input: TranslateInput = match parse_body(&headers, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = authorise(&app, &headers, input.api_key.as_deref()).await {
        return r;
    }
    let (texts, many) = match input.q {
        Some(Value::String(s)) => (vec![s], false),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            (a.into_iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect(), true)
        }
        _ => return lt_error(StatusCode::BAD_REQUEST, "Invalid request: missing q parameter"),
    };
    let html = match input.format.as_deref() {
        None | Some("text") => false,
        Some("html") => true,
        Some(f) => return lt_error(StatusCode::BAD_REQUEST, format!("format `{f}` is not text or html")),
    };
    let Some(target) = input.target.as_deref() else {
        return lt_error(StatusCode::BAD_REQUEST, "Invalid request: missing target parameter");
    };
    let Ok(target) = Lang::parse(target) else {
        return lt_error(StatusCode::BAD_REQUEST, format!("{target} is not supported"));
    };
    let source = match input.source.as_deref() {
        None => return lt_error(StatusCode::BAD_REQUEST, "Invalid request: missing source parameter"),
        Some("auto") => match detect_lang(&texts.join(" ")) {
            Some((l, _)) => l,
            None => return lt_error(StatusCode::BAD_REQUEST, "could not detect the source language"),
        },
        Some(s) => match Lang::parse(s) {
            Ok(l) => l,
            Err(_) => return lt_error(StatusCode::BAD_REQUEST, format!("{s} is not supported")),
        },
    };
    if source == target {
        return Json(if many { json!({ "translatedText": texts }) } else { json!({ "translatedText": texts[0] }) })
            .into_response();
    }
    let pool = app.ctx.pool.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<Vec<String>, String> {
        if html {
            let reqs: Vec<Request> = texts
                .iter()
                .map(|t| {
                    Ok(Request {
                        doc: Arc::new(SourceDoc {
                            title: String::new(),
                            summary: String::new(),
                            body_html: warta_html::sanitize(t),
                        }),
                        target,
                    })
                })
                .collect::<Result<_, String>>()?;
            pipeline::translate(&pool, source, reqs)
                .into_iter()
                .map(|r| r.map(|d| d.body_html).map_err(|e| e.to_string()))
                .collect()
        } else {
            let tr = pool.translator(source, target).map_err(|e| e.to_string())?;
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            Ok(tr.translate_texts(&refs, None))
        }
    })
    .await;
    match result {
        Ok(Ok(out)) if many => Json(json!({ "translatedText": out })).into_response(),
        Ok(Ok(out)) => Json(json!({ "translatedText": out.into_iter().next().unwrap_or_default() })).into_response(),
        Ok(Err(e)) => lt_error(StatusCode::BAD_REQUEST, e),
        Err(e) => lt_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub async fn languages(State(app): State<Arc<App>>) -> Response {
    let store = app.ctx.pool.store();
    let mut langs: Vec<Lang> = Vec::new();
    if let Ok(list) = store.list() {
        for m in list.into_iter().flatten() {
            for l in [m.pair().src, m.pair().trg] {
                if !langs.contains(&l) {
                    langs.push(l);
                }
            }
        }
    }
    langs.sort();
    let out: Vec<Value> = langs
        .iter()
        .map(|&l| {
            let targets: Vec<&str> =
                langs.iter().filter(|&&t| t != l && store.route(l, t).is_ok()).map(|t| t.code()).collect();
            json!({ "code": l.code(), "name": l.english_name(), "targets": targets })
        })
        .collect();
    Json(out).into_response()
}

#[derive(Deserialize)]
struct DetectInput {
    q: Option<String>,
    api_key: Option<String>,
}

pub async fn detect(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let input: DetectInput = match parse_body(&headers, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = authorise(&app, &headers, input.api_key.as_deref()).await {
        return r;
    }
    let Some(q) = input.q else { return lt_error(StatusCode::BAD_REQUEST, "Invalid request: missing q parameter") };
    match detect_lang(&q) {
        Some((l, c)) => Json(json!([{ "language": l.code(), "confidence": (c * 100.0).round() }])).into_response(),
        None => Json(json!([])).into_response(),
    }
}

/// whatlang (trigram statistics) detection, mapped to warta's languages.
pub fn detect_lang(text: &str) -> Option<(Lang, f64)> {
    let info = whatlang::detect(text)?;
    let code3 = info.lang().code();
    let code = iso639_3_to_1(code3)?;
    LANGUAGES.iter().find(|l| l.code == code)?;
    Some((Lang::parse(code).ok()?, info.confidence()))
}

fn iso639_3_to_1(c: &str) -> Option<&'static str> {
    Some(match c {
        "ara" | "arb" => "ar", "bul" => "bg", "cat" => "ca", "ces" => "cs", "dan" => "da", "deu" => "de",
        "ell" => "el", "eng" => "en", "spa" => "es", "est" => "et", "pes" | "fas" => "fa", "fin" => "fi",
        "fra" => "fr", "heb" => "he", "hin" => "hi", "hrv" => "hr", "hun" => "hu", "ind" => "id",
        "ita" => "it", "jpn" => "ja", "kor" => "ko", "lit" => "lt", "lav" => "lv", "zlm" | "msa" => "ms",
        "nld" => "nl", "pol" => "pl", "por" => "pt", "ron" => "ro", "rus" => "ru", "slk" => "sk",
        "slv" => "sl", "sqi" => "sq", "swe" => "sv", "tha" => "th", "tur" => "tr", "ukr" => "uk",
        "vie" => "vi", "cmn" | "zho" => "zh",
        _ => return None,
    })
}
