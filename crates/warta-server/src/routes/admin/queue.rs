//! The review queue at `/admin`: the flagged sentences of machine
//! translations, worst first, each linked to its editor (`segments.rs`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use warta_store::{QaFlag, ReviewItem, StoreError};

use super::segments::edit_url;
use super::{age, confidence, html, AdminError, Editor, Flash};
use crate::startup::App;

/// Queue entries per page.
const PAGE_SIZE: u32 = 25;

struct QueueRow {
    slug: String,
    title: String,
    public_url: String,
    edit_url: String,
    lang: &'static str,
    lang_name: &'static str,
    dir: &'static str,
    idx: i64,
    severity: &'static str,
    checks: String,
    age: String,
    confidence: String,
    source: String,
    pivot: Option<String>,
    target: String,
    flags: Vec<QaFlag>,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    flash: Option<Flash>,
    total: u64,
    rows: Vec<QueueRow>,
    source_lang: &'static str,
    first_number: u64,
    page: u64,
    pages: u64,
    prev_page: Option<u64>,
    next_page: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    page: Option<String>,
    flash: Option<String>,
}

/// Fixed texts for the codes the approve handler redirects with: nothing
/// from the URL is ever shown.
fn flash_for(code: Option<&str>) -> Option<Flash> {
    match code? {
        "published" => Some(Flash {
            kind: "ok",
            text: "Approved and published: the page shows the fix within seconds. The sentence is in the translation memory.",
        }),
        "not-published" => Some(Flash {
            kind: "error",
            text: "Saved and remembered, but queueing the republication failed (see the server log); \
                   the page shows the fix after its next translation.",
        }),
        _ => None,
    }
}

fn severity_name(item: &ReviewItem) -> &'static str {
    item.worst.as_str()
}

pub(super) async fn queue(
    State(app): State<Arc<App>>,
    editor: Editor,
    Query(q): Query<QueueQuery>,
) -> Response {
    let store = &app.ctx.store;
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let result = async {
        let total = store.review_queue_len().await?;
        let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1);
        let page = page.min(pages);
        let items = store
            .review_queue(PAGE_SIZE, (page - 1) * u64::from(PAGE_SIZE))
            .await?;
        Ok::<_, StoreError>((total, pages, page, items))
    }
    .await;
    let (total, pages, page, items) = match result {
        Ok(r) => r,
        Err(e) => return AdminError::from(e).page(&app, Some(&editor.session)),
    };
    let now = warta_store::now_millis();
    let rows = items
        .into_iter()
        .map(|it| {
            let mut checks: Vec<&str> = it.flags.iter().map(|f| f.check.name()).collect();
            checks.dedup();
            QueueRow {
                slug: it.slug.to_string(),
                public_url: app.site.article_url(it.lang, &it.slug),
                edit_url: edit_url(&it.slug, it.lang, it.segment.idx),
                lang: it.lang.code(),
                lang_name: it.lang.english_name(),
                dir: it.lang.dir().as_str(),
                idx: it.segment.idx,
                severity: severity_name(&it),
                checks: checks.join(", "),
                age: age(now, it.flagged_at),
                confidence: confidence(it.segment.confidence),
                title: it.title,
                source: it.segment.source_text,
                pivot: it.segment.pivot_text,
                target: it.segment.target_text,
                flags: it.flags,
            }
        })
        .collect();
    html(
        StatusCode::OK,
        &QueuePage {
            site_name: &app.config().site_name,
            desk_user: Some(&editor.session),
            csrf: &editor.session.csrf_token,
            flash: flash_for(q.flash.as_deref()),
            total,
            rows,
            source_lang: app.config().source.code(),
            first_number: (page - 1) * u64::from(PAGE_SIZE) + 1,
            page,
            pages,
            prev_page: (page > 1).then(|| page - 1),
            next_page: (page < pages).then(|| page + 1),
        },
    )
}
