//! The public site: pages rendered by `warta-site` from the database, with
//! ETag / Last-Modified so readers and caches revalidate cheaply.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use warta_core::{Lang, Slug};
use warta_site::{
    etag_for, not_modified, render_article, render_feed, render_front_page, render_not_found, render_sitemap,
    ArticlePage, ArticleSummary, Feed, FrontPage, Origin as SiteOrigin, SitemapEntry, Timestamp,
};
use warta_store::{Origin, Published};

use crate::startup::App;

const FRONT_PAGE_ITEMS: u32 = 50;

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_unix_secs(ms.div_euclid(1000))
}

fn lang_of(app: &App, s: &str) -> Option<Lang> {
    Lang::parse(s).ok().filter(|l| app.config().languages().contains(l) && l.code() == s)
}

/// A cacheable response: 304 when the client's copy is current.
fn cached(headers: &HeaderMap, content_type: &'static str, body: String, last_modified: Option<Timestamp>) -> Response {
    let etag = etag_for(body.as_bytes());
    let h = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let mut resp = if not_modified(h(header::IF_NONE_MATCH), h(header::IF_MODIFIED_SINCE), &etag, last_modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let hs = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        hs.insert(header::ETAG, v);
    }
    if let Some(lm) = last_modified {
        if let Ok(v) = HeaderValue::from_str(&lm.http_date()) {
            hs.insert(header::LAST_MODIFIED, v);
        }
    }
    hs.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
    resp
}

fn html_not_found(app: &App, lang: Lang) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        render_not_found(&app.site, lang),
    )
        .into_response()
}

pub async fn not_found(State(app): State<Arc<App>>) -> Response {
    html_not_found(&app, app.config().source)
}

pub async fn root(State(app): State<Arc<App>>) -> Redirect {
    Redirect::to(&format!("/{}/", app.config().source.code()))
}

pub async fn front_redirect(State(app): State<Arc<App>>, Path(lang): Path<String>) -> Response {
    match lang_of(&app, &lang) {
        Some(l) => Redirect::permanent(&format!("/{}/", l.code())).into_response(),
        None => html_not_found(&app, app.config().source),
    }
}

pub async fn stylesheet(headers: HeaderMap) -> Response {
    let mut r = cached(&headers, "text/css; charset=utf-8", warta_site::STYLESHEET.to_string(), None);
    // The URL carries the stylesheet's version, so it may be cached for long.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    r
}

fn summary(app: &App, p: &Published) -> ArticleSummary {
    ArticleSummary {
        title: p.title.clone(),
        summary: p.summary.clone(),
        url: app.site.article_url(p.lang, &p.slug),
        published_at: ts(p.published_at),
        origin: match p.origin {
            None => SiteOrigin::Source,
            Some(Origin::Machine) => SiteOrigin::Machine { model: String::new() },
            Some(Origin::Human) if p.outdated => SiteOrigin::HumanOutdated,
            Some(Origin::Human) => SiteOrigin::Human { reviewed: true },
        },
    }
}

async fn published(app: &App, lang: Lang) -> Result<Vec<Published>, Response> {
    app.ctx.store.list_published(lang, FRONT_PAGE_ITEMS).await.map_err(|e| {
        tracing::error!("list_published: {e}");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}

pub async fn front_page(State(app): State<Arc<App>>, Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let Some(lang) = lang_of(&app, &lang) else { return html_not_found(&app, app.config().source) };
    let items = match published(&app, lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let last = items.iter().map(|p| p.updated_at).max().map(ts);
    let page = FrontPage { site: &app.site, lang, articles: items.iter().map(|p| summary(&app, p)).collect() };
    cached(&headers, "text/html; charset=utf-8", render_front_page(&page), last)
}

pub async fn feed(State(app): State<Arc<App>>, Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let Some(lang) = lang_of(&app, &lang) else { return html_not_found(&app, app.config().source) };
    let items = match published(&app, lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let last = items.iter().map(|p| p.updated_at).max().map(ts);
    let feed = Feed { site: &app.site, lang, items: items.iter().map(|p| summary(&app, p)).collect() };
    cached(&headers, "application/rss+xml; charset=utf-8", render_feed(&feed), last)
}

pub async fn article(
    State(app): State<Arc<App>>,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = lang_of(&app, &lang) else { return html_not_found(&app, app.config().source) };
    let Ok(slug) = Slug::parse(&slug) else { return html_not_found(&app, lang) };
    match article_page(&app, lang, &slug).await {
        Ok(Some((html, last))) => cached(&headers, "text/html; charset=utf-8", html, Some(last)),
        Ok(None) => html_not_found(&app, lang),
        Err(e) => {
            tracing::error!("article page: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn article_page(app: &App, lang: Lang, slug: &Slug) -> Result<Option<(String, Timestamp)>, warta_store::StoreError> {
    let store = &app.ctx.store;
    let article = match store.article(slug).await {
        Ok(a) if a.deleted_at.is_none() => a,
        Ok(_) | Err(warta_store::StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let rev = store.current_revision(slug).await?;
    let versions = store.versions_of(article.id).await?;
    let languages = app.config().languages();
    let published: Vec<Lang> = versions.iter().map(|v| v.lang).filter(|l| languages.contains(l)).collect();
    let source = rev.source_lang;
    let (title, summary, body_html, translated_at, origin, last) = if lang == source {
        (rev.title.clone(), rev.summary.clone(), rev.body_html.clone(), None, SiteOrigin::Source, rev.created_at)
    } else {
        let Some(v) = versions.iter().find(|v| v.lang == lang) else { return Ok(None) };
        let origin = match v.origin {
            Origin::Machine => SiteOrigin::Machine { model: v.model_id.clone().unwrap_or_default() },
            Origin::Human if v.outdated => SiteOrigin::HumanOutdated,
            Origin::Human => SiteOrigin::Human { reviewed: true },
        };
        (v.title.clone(), v.summary.clone(), v.body_html.clone(), Some(ts(v.translated_at)), origin, v.updated_at)
    };
    let page = ArticlePage {
        site: &app.site,
        lang,
        alternates: app.site.article_alternates(slug, source, &published),
        canonical_url: app.site.article_url(lang, slug),
        title,
        summary,
        body_html,
        author: rev.author.clone(),
        published_at: ts(rev.published_at),
        translated_at,
        origin,
    };
    Ok(Some((render_article(&page), ts(last))))
}

pub async fn sitemap(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let source = app.config().source;
    let items = match published(&app, source).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut entries = Vec::new();
    let mut last = None;
    for p in &items {
        let versions = match app.ctx.store.versions_of(p.article_id).await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("sitemap: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let langs: Vec<Lang> = versions.iter().map(|v| v.lang).filter(|l| app.config().languages().contains(l)).collect();
        let lastmod = versions.iter().map(|v| v.updated_at).chain([p.updated_at]).max().unwrap_or(p.updated_at);
        last = last.max(Some(lastmod));
        entries.push(SitemapEntry { alternates: app.site.article_alternates(&p.slug, source, &langs), lastmod: ts(lastmod) });
    }
    cached(&headers, "application/xml; charset=utf-8", render_sitemap(&entries), last.map(ts))
}
