//! The audit log at `/admin/audit`: who did what, to which object, when,
//! newest first, a page at a time (a link to the older ones), filtered by
//! who (a username or API key name) and by action. Every person at the desk
//! may read it; the store writes it (`Store::audit_log`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use warta_core::Timestamp;
use warta_store::{AuditAction, AuditFilter};

use super::{html, AdminError, Editor};
use crate::routes::team::AuditQuery;
use crate::startup::App;

/// Records on one page.
const PAGE: u32 = 50;

struct Row {
    when: String,
    when_iso: String,
    actor: String,
    actor_kind: &'static str,
    action: &'static str,
    object: String,
    detail: String,
}

struct Choice {
    value: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    rows: Vec<Row>,
    actor: &'a str,
    actions: Vec<Choice>,
    older: Option<String>,
    filtered: bool,
}

pub(super) async fn page(
    State(app): State<Arc<App>>,
    editor: Editor,
    Query(q): Query<AuditQuery>,
) -> Response {
    let session = &editor.session;
    let actor = q
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.chars().take(200).collect::<String>());
    // An unknown action or cursor is no filter: the page never fails on
    // a hand-edited URL.
    let action = q.action.as_deref().and_then(AuditAction::parse);
    let before = q.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let filter = AuditFilter {
        actor: actor.clone(),
        action,
        before,
        limit: PAGE,
    };
    let page = match app.ctx.store.audit_log(&filter).await {
        Ok(p) => p,
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    let older = page.next_before.map(|b| {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        if let Some(a) = &actor {
            url.append_pair("actor", a);
        }
        if let Some(a) = action {
            url.append_pair("action", a.as_str());
        }
        url.append_pair("before", &b.to_string());
        format!("/admin/audit?{}", url.finish())
    });
    let rows = page
        .entries
        .into_iter()
        .map(|e| {
            let at = Timestamp::from_unix_millis(e.at);
            Row {
                when: at.rfc3339().replace('T', " ").chars().take(19).collect(),
                when_iso: at.rfc3339(),
                actor: e.actor,
                actor_kind: match e.actor_kind {
                    warta_store::ActorKind::User => "user",
                    warta_store::ActorKind::ApiKey => "API key",
                    warta_store::ActorKind::System => "system",
                },
                action: e.action.as_str(),
                object: e.object,
                detail: e.detail,
            }
        })
        .collect();
    html(
        StatusCode::OK,
        &AuditPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            rows,
            actor: actor.as_deref().unwrap_or_default(),
            actions: AuditAction::ALL
                .into_iter()
                .map(|a| Choice {
                    value: a.as_str(),
                    selected: Some(a) == action,
                })
                .collect(),
            older,
            filtered: filter.actor.is_some() || filter.action.is_some() || before.is_some(),
        },
    )
}
