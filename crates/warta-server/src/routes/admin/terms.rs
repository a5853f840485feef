//! Term suggestions at `/admin/terms`: names that recur in the originals of
//! the newest articles (`warta_store::TERM_WINDOW`) and have no glossary
//! entry, each with the spellings the model gave it across the articles —
//! two spellings of one name are the newsroom's known failure, the same
//! city written two ways — and a form that adds it to the glossary in one
//! action (posted to the glossary's own add, `glossary.rs`, which re-queues
//! the articles that mention it and comes back here saying how many).
//!
//! What is a name, and how its translation is found, is warta-qa's
//! consistency check's (`name_renderings`); what the glossary lacks is
//! decided by the one term matcher (`Store::term_suggestions`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use warta_core::Lang;
use warta_store::{TermSuggestion, MAX_TERM_CHARS, TERM_WINDOW};

use super::{html, AdminError, Editor};
use crate::startup::App;

struct Spelling {
    text: String,
    articles: usize,
}

struct Row {
    source: String,
    lang: &'static str,
    lang_name: &'static str,
    articles: usize,
    variants: bool,
    spellings: Vec<Spelling>,
    unmatched: usize,
    example_url: String,
    /// What the form proposes: the most used spelling, or the name itself.
    proposal: String,
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/terms.html")]
struct TermsPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    notice: Option<String>,
    window: i64,
    langs: Vec<Choice>,
    rows: Vec<Row>,
    max_term: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TermsQuery {
    lang: Option<String>,
    flash: Option<String>,
    requeued: Option<String>,
}

fn row(s: TermSuggestion) -> Row {
    let proposal = s
        .renderings
        .first()
        .map_or_else(|| s.source.clone(), |r| r.text.clone());
    let slug = warta_core::Slug::parse(&s.example_slug).ok();
    Row {
        example_url: slug.map_or_else(String::new, |slug| {
            super::articles::review_url(&slug, s.lang)
        }),
        lang: s.lang.code(),
        lang_name: s.lang.english_name(),
        articles: s.articles,
        variants: s.has_variants(),
        unmatched: s.unmatched,
        spellings: s
            .renderings
            .into_iter()
            .map(|r| Spelling {
                text: r.text,
                articles: r.articles,
            })
            .collect(),
        source: s.source,
        proposal,
    }
}

pub(super) async fn list(
    State(app): State<Arc<App>>,
    editor: Editor,
    query: Result<Query<TermsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = &editor.session;
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let targets = &app.config().targets;
    let lang = query
        .lang
        .as_deref()
        .and_then(|l| Lang::parse(l).ok())
        .filter(|l| targets.contains(l));
    let mut rows = Vec::new();
    for &l in targets.iter().filter(|l| lang.is_none_or(|x| x == **l)) {
        match app.ctx.store.term_suggestions(l).await {
            Ok(found) => rows.extend(found.into_iter().map(row)),
            Err(e) => return AdminError::from(e).page(&app, Some(session)),
        }
    }
    let mut langs = vec![Choice {
        value: "",
        label: "All languages".into(),
        selected: lang.is_none(),
    }];
    langs.extend(targets.iter().map(|l| Choice {
        value: l.code(),
        label: format!("{} ({})", l.english_name(), l.code()),
        selected: lang == Some(*l),
    }));
    let notice = (query.flash.as_deref() == Some("added")).then(|| {
        let n = query
            .requeued
            .as_deref()
            .and_then(|n| n.parse::<u64>().ok());
        super::glossary::requeued_notice("Added to the glossary", n.unwrap_or(0))
    });
    html(
        StatusCode::OK,
        &TermsPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            notice,
            window: TERM_WINDOW,
            langs,
            rows,
            max_term: MAX_TERM_CHARS,
        },
    )
}
