//! Every article at `/admin/articles`: the state of each language, counts
//! per state, filters (language, state, QA check with an open flag, dates),
//! search by title or slug,
//! and keyset pages newest first (warta-store's desk.rs). Each language
//! links to its whole-article review (`review.rs`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use warta_core::{Lang, Timestamp};
use warta_store::{ArticleFilter, ArticleQuery, DeskStatus};

use super::{html, AdminError, Editor};
use crate::startup::App;

/// Articles per page.
const PAGE_SIZE: u32 = 50;

/// What an editor reads for each status.
pub(super) fn status_label(s: DeskStatus) -> &'static str {
    match s {
        DeskStatus::Queued => "queued",
        DeskStatus::Failed => "failed",
        DeskStatus::Held => "held",
        DeskStatus::Flagged => "flagged",
        DeskStatus::Outdated => "outdated",
        DeskStatus::Human => "by a person",
        DeskStatus::Published => "published",
    }
}

/// A status link with its count.
struct CountLink {
    status: &'static str,
    label: &'static str,
    count: i64,
    href: String,
    current: bool,
}

struct Chip {
    status: &'static str,
    label: String,
}

struct LangCell {
    lang: &'static str,
    review_url: String,
    chips: Vec<Chip>,
}

struct Row {
    slug: String,
    title: String,
    date: String,
    source_url: String,
    cells: Vec<LangCell>,
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ArticlesPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    message: Option<String>,
    total: i64,
    counts: Vec<CountLink>,
    langs: Vec<Choice>,
    statuses: Vec<Choice>,
    checks: Vec<Choice>,
    q: &'a str,
    from: &'a str,
    to: &'a str,
    filtered: bool,
    columns: Vec<&'static str>,
    rows: Vec<Row>,
    newer_url: Option<String>,
    older_url: Option<String>,
}

/// The list's URL with `query`'s filters (not its page) and `extra`.
fn list_url(query: &ArticleQuery, extra: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("lang", &query.lang),
        ("status", &query.status),
        ("check", &query.check),
        ("from", &query.from),
        ("to", &query.to),
        ("q", &query.q),
    ] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            if !extra.iter().any(|(e, _)| e == &k) {
                s.append_pair(k, v);
            }
        }
    }
    for (k, v) in extra {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let qs = s.finish();
    if qs.is_empty() {
        "/admin/articles".to_string()
    } else {
        format!("/admin/articles?{qs}")
    }
}

/// The review page of one language of one article.
pub(super) fn review_url(slug: &warta_core::Slug, lang: Lang) -> String {
    format!("/admin/articles/{}/{}", slug.as_str(), lang.code())
}

pub(super) async fn list(
    State(app): State<Arc<App>>,
    editor: Editor,
    query: Result<Query<ArticleQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = &editor.session;
    // A URL edited by hand into nonsense shows the unfiltered list and says
    // what was wrong, rather than an error page.
    let (query, filter, message) = match query {
        Ok(Query(q)) => match q.parse(&app.config().targets, PAGE_SIZE) {
            Ok(f) => (q, f, None),
            Err(e) => (
                ArticleQuery::default(),
                ArticleFilter {
                    limit: PAGE_SIZE,
                    ..Default::default()
                },
                Some(format!("Filter ignored: {}: {}.", e.field, e.message)),
            ),
        },
        Err(e) => (
            ArticleQuery::default(),
            ArticleFilter {
                limit: PAGE_SIZE,
                ..Default::default()
            },
            Some(format!("Filter ignored: {}.", e.body_text())),
        ),
    };
    let status = if message.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let store = &app.ctx.store;
    let targets = &app.config().targets;
    let loaded = tokio::try_join!(
        store.desk_articles(&filter, targets),
        store.desk_counts(filter.lang)
    );
    let (page, counts) = match loaded {
        Ok(r) => r,
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    let lang_code = filter.lang.map_or("", |l| l.code());
    let counts_links = DeskStatus::ALL
        .into_iter()
        .map(|s| CountLink {
            status: s.as_str(),
            label: status_label(s),
            count: counts.of(s),
            href: list_url(
                &ArticleQuery {
                    lang: Some(lang_code.to_string()),
                    ..Default::default()
                },
                &[("status", s.as_str())],
            ),
            current: filter.status == Some(s),
        })
        .collect();
    let rows = page
        .articles
        .into_iter()
        .map(|a| Row {
            source_url: app.site.article_url(a.source_lang, &a.slug),
            date: Timestamp::from_unix_millis(a.published_at).rfc3339()[..10].to_string(),
            cells: a
                .languages
                .iter()
                .map(|l| LangCell {
                    lang: l.lang.code(),
                    review_url: review_url(&a.slug, l.lang),
                    chips: l
                        .statuses
                        .iter()
                        .map(|&s| Chip {
                            status: s.as_str(),
                            label: if s == DeskStatus::Flagged {
                                format!("{} ({})", status_label(s), l.open_flags)
                            } else {
                                status_label(s).to_string()
                            },
                        })
                        .collect(),
                })
                .collect(),
            slug: a.slug.to_string(),
            title: a.title,
        })
        .collect();
    let newer_url = page
        .newer
        .map(|c| list_url(&query, &[("before", &c.to_string())]));
    let older_url = page
        .older
        .map(|c| list_url(&query, &[("after", &c.to_string())]));
    let mut langs = vec![Choice {
        value: "",
        label: "All languages".into(),
        selected: filter.lang.is_none(),
    }];
    langs.extend(targets.iter().map(|l| Choice {
        value: l.code(),
        label: format!("{} ({})", l.english_name(), l.code()),
        selected: filter.lang == Some(*l),
    }));
    let mut statuses = vec![Choice {
        value: "",
        label: "Any state".into(),
        selected: filter.status.is_none(),
    }];
    statuses.extend(DeskStatus::ALL.into_iter().map(|s| Choice {
        value: s.as_str(),
        label: status_label(s).into(),
        selected: filter.status == Some(s),
    }));
    let mut checks = vec![Choice {
        value: "",
        label: "Any check".into(),
        selected: filter.check.is_none(),
    }];
    checks.extend(warta_store::Check::ALL.into_iter().map(|c| Choice {
        value: c.name(),
        label: c.name().replace('_', " "),
        selected: filter.check == Some(c),
    }));
    let given = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let (q, from, to) = (given(&query.q), given(&query.from), given(&query.to));
    html(
        status,
        &ArticlesPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            message,
            total: counts.articles,
            counts: counts_links,
            langs,
            statuses,
            checks,
            filtered: filter.lang.is_some()
                || filter.status.is_some()
                || filter.check.is_some()
                || filter.search.is_some()
                || filter.published_from.is_some()
                || filter.published_before.is_some(),
            q: &q,
            from: &from,
            to: &to,
            columns: targets.iter().map(|l| l.code()).collect(),
            rows,
            newer_url,
            older_url,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_urls_keep_the_filters_and_encode_them() {
        let q = ArticleQuery {
            lang: Some("pt".into()),
            status: Some(" ".into()),
            q: Some("a&b c".into()),
            after: Some("1.2".into()),
            ..Default::default()
        };
        assert_eq!(list_url(&q, &[]), "/admin/articles?lang=pt&q=a%26b+c");
        assert_eq!(
            list_url(&q, &[("after", "5.6")]),
            "/admin/articles?lang=pt&q=a%26b+c&after=5.6"
        );
        assert_eq!(
            list_url(&q, &[("lang", "ar")]),
            "/admin/articles?q=a%26b+c&lang=ar"
        );
        assert_eq!(list_url(&ArticleQuery::default(), &[]), "/admin/articles");
    }
}
