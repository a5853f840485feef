//! Dismissing a false QA flag from the desk: `POST /admin/flags/{id}/dismiss`
//! with a reason, one store transaction (`Store::dismiss_flag`), then back
//! to the whole-article review the flag was dismissed from.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_store::{FlagDismissal, MAX_DISMISSAL_CHARS};

use super::articles::review_url;
use super::{checked_post, form_or_empty, one_line, store_as, AdminError, Editor, LineRefused};
use crate::startup::App;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DismissForm {
    csrf: String,
    reason: String,
}

/// The editor's reason, as one line of plain text.
fn parse_reason(raw: &str) -> Result<String, &'static str> {
    one_line(raw, MAX_DISMISSAL_CHARS).map_err(|e| match e {
        LineRefused::Empty => "Say why the flag is wrong: the reason must not be empty.",
        LineRefused::Control => "The reason contains control characters; retype it as plain text.",
        LineRefused::TooLong => "The reason is too long.",
    })
}

pub(super) async fn dismiss(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<DismissForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(refused) = checked_post(&app, session, &headers, &form.csrf) {
        return refused;
    }
    let done = async {
        let id = id
            .parse::<i64>()
            .map_err(|_| AdminError::new(StatusCode::NOT_FOUND, "No such flag."))?;
        let reason = parse_reason(&form.reason)
            .map_err(|why| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, why))?;
        let store = &store_as(&app, session);
        let flag = store
            .dismiss_flag(&FlagDismissal {
                flag: id,
                editor: &session.username,
                reason: &reason,
            })
            .await?;
        let article = store.article_by_id(flag.article_id).await?;
        let anchor = flag
            .segment_idx
            .map_or_else(|| "flags".to_string(), |i| format!("s{i}"));
        Ok::<_, AdminError>(format!(
            "{}?flash=dismissed#{anchor}",
            review_url(&article.slug, flag.lang)
        ))
    }
    .await;
    match done {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => e.page(&app, Some(session)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_line_of_plain_text() {
        assert_eq!(
            parse_reason("  the number\r\nis a year ").unwrap(),
            "the number is a year"
        );
        assert!(parse_reason(" \t ").is_err());
        assert!(parse_reason("bell\u{7}").is_err());
        assert!(parse_reason(&"x".repeat(MAX_DISMISSAL_CHARS + 1)).is_err());
    }
}
