//! Suggestions from outside at `/admin/suggestions`: the better
//! translations readers and tools sent through LibreTranslate's `POST
//! /suggest`, oldest first, each accepted or rejected by an editor.
//! Accepting one does what an editor's sentence fix does, in one store
//! transaction (`Store::accept_suggestion`): it becomes the translation
//! memory's entry for its source and pair, and the published translations
//! with that sentence are queued again, through the workers like every
//! translation; the page says how many.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_store::SuggestionState;

use super::login::CsrfForm;
use super::{age, checked_post, form_or_empty, html, store_as, AdminError, Editor};
use crate::startup::App;

/// Suggestions on one page.
const PAGE: u32 = 50;

struct Row {
    id: i64,
    source_lang: &'static str,
    target_lang: &'static str,
    dir: &'static str,
    source: String,
    suggested: String,
    submitted_by: String,
    age: String,
}

#[derive(Template)]
#[template(path = "admin/suggestions.html")]
struct SuggestionsPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    notice: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
    flash: Option<String>,
    requeued: Option<String>,
}

/// The notice of a fixed code (and a count): nothing else from the URL is
/// shown.
fn notice(q: &ListQuery) -> Option<String> {
    let requeued = q.requeued.as_deref().and_then(|n| n.parse::<u64>().ok());
    match q.flash.as_deref()? {
        "accepted" => Some(format!(
            "Accepted: it is in the translation memory, and {} translation(s) with that sentence are queued again.",
            requeued.unwrap_or(0)
        )),
        "rejected" => Some("Rejected.".to_string()),
        _ => None,
    }
}

pub(super) async fn page(
    State(app): State<Arc<App>>,
    editor: Editor,
    Query(q): Query<ListQuery>,
) -> Response {
    let session = &editor.session;
    let after = q
        .after
        .as_deref()
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(0);
    let open = match app
        .ctx
        .store
        .suggestions(SuggestionState::Open, after, PAGE)
        .await
    {
        Ok(s) => s,
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    let now = warta_store::now_millis();
    let next = (open.len() == PAGE as usize)
        .then(|| {
            open.last()
                .map(|s| format!("/admin/suggestions?after={}", s.id))
        })
        .flatten();
    let rows = open
        .into_iter()
        .map(|s| Row {
            id: s.id,
            source_lang: s.source_lang.code(),
            target_lang: s.target_lang.code(),
            dir: s.target_lang.dir().as_str(),
            source: s.source_text,
            suggested: s.suggested_text,
            submitted_by: s.submitted_by,
            age: age(now, Some(s.created_at)),
        })
        .collect();
    html(
        StatusCode::OK,
        &SuggestionsPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            notice: notice(&q),
            rows,
            next,
        },
    )
}

fn parse_id(id: &str) -> Result<i64, AdminError> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AdminError::new(StatusCode::NOT_FOUND, "No such suggestion."))
}

/// `POST /admin/suggestions/{id}/{verdict}`, `accept` or `reject`.
pub(super) async fn decide(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path((id, verdict)): Path<(String, String)>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let accept = match verdict.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return AdminError::new(StatusCode::NOT_FOUND, "No such page.")
                .page(&app, Some(&editor.session))
        }
    };
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(r) = checked_post(&app, session, &headers, &form.csrf) {
        return r;
    }
    let store = store_as(&app, session);
    let done = async {
        let id = parse_id(&id)?;
        if accept {
            let (_, requeued) = store.accept_suggestion(id).await?;
            Ok::<_, AdminError>(format!("flash=accepted&requeued={requeued}"))
        } else {
            store.reject_suggestion(id).await?;
            Ok("flash=rejected".to_string())
        }
    }
    .await;
    match done {
        Ok(q) => Redirect::to(&format!("/admin/suggestions?{q}")).into_response(),
        Err(e) => e.page(&app, Some(session)),
    }
}
