//! The public site: pages rendered by `warta-site` from the database, kept
//! by the page cache ([`crate::page_cache`]) until the site generation
//! moves, with ETag / Last-Modified so readers and caches revalidate cheaply.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use warta_core::{Lang, Slug};
use warta_site::{
    render_article, render_feed, render_front_page, render_not_found, render_sitemaps, ArticlePage,
    ArticleSummary, Feed, FrontPage, Origin as SiteOrigin, SitemapEntry, SitemapLimits, Timestamp,
};
use warta_store::{Origin, Published, SiteEntry};

use crate::page_cache::Page;
use crate::startup::App;

const FRONT_PAGE_ITEMS: u32 = 50;

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_unix_secs(ms.div_euclid(1000))
}

fn lang_of(app: &App, s: &str) -> Option<Lang> {
    Lang::parse(s)
        .ok()
        .filter(|l| app.config().languages().contains(l) && l.code() == s)
}

fn server_error(what: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!("{what}: {e}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Serve the page at `path` from the page cache, rendering it with
/// `render(generation)` when the cache has no copy for the current site
/// generation. `render` answers `Err(response)` for what must not be kept
/// (not found, database errors).
async fn serve<F, Fut>(app: &App, path: &str, headers: &HeaderMap, render: F) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: Future<Output = Result<Page, Response>>,
{
    let pages = &app.pages;
    if !pages.enabled() {
        return match render(0).await {
            Ok(page) => page.respond(headers),
            Err(r) => r,
        };
    }
    let generation = match pages.generation(&app.ctx.store).await {
        Ok(g) => g,
        Err(e) => return server_error("site generation", e),
    };
    match pages
        .get_or_render(generation, path, render(generation))
        .await
    {
        Ok(page) => page.respond(headers),
        Err(r) => r,
    }
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
    static PAGE: OnceLock<Page> = OnceLock::new();
    let page = PAGE.get_or_init(|| Page {
        // The URL carries the stylesheet's version, so it may be cached for long.
        cache_control: "public, max-age=31536000, immutable",
        ..Page::new("text/css; charset=utf-8", warta_site::STYLESHEET, None)
    });
    page.respond(&headers)
}

fn summary(app: &App, p: &Published) -> ArticleSummary {
    ArticleSummary {
        title: p.title.clone(),
        summary: p.summary.clone(),
        url: app.site.article_url(p.lang, &p.slug),
        published_at: ts(p.published_at),
        origin: match p.origin {
            None => SiteOrigin::Source,
            Some(Origin::Machine) => SiteOrigin::Machine {
                model: String::new(),
            },
            Some(Origin::Human) if p.outdated => SiteOrigin::HumanOutdated,
            Some(Origin::Human) => SiteOrigin::Human { reviewed: true },
        },
    }
}

async fn published(app: &App, lang: Lang) -> Result<Vec<Published>, Response> {
    app.ctx
        .store
        .list_published(lang, FRONT_PAGE_ITEMS)
        .await
        .map_err(|e| server_error("list_published", e))
}

pub async fn front_page(
    State(app): State<Arc<App>>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = lang_of(&app, &lang) else {
        return html_not_found(&app, app.config().source);
    };
    let path = format!("/{}/", lang.code());
    serve(&app, &path, &headers, |_| async {
        let items = published(&app, lang).await?;
        let last = items.iter().map(|p| p.updated_at).max().map(ts);
        let page = FrontPage {
            site: &app.site,
            lang,
            articles: items.iter().map(|p| summary(&app, p)).collect(),
        };
        Ok(Page::new(
            "text/html; charset=utf-8",
            render_front_page(&page),
            last,
        ))
    })
    .await
}

pub async fn feed(
    State(app): State<Arc<App>>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = lang_of(&app, &lang) else {
        return html_not_found(&app, app.config().source);
    };
    let path = format!("/{}/feed.xml", lang.code());
    serve(&app, &path, &headers, |_| async {
        let items = published(&app, lang).await?;
        let last = items.iter().map(|p| p.updated_at).max().map(ts);
        let feed = Feed {
            site: &app.site,
            lang,
            items: items.iter().map(|p| summary(&app, p)).collect(),
        };
        Ok(Page::new(
            "application/rss+xml; charset=utf-8",
            render_feed(&feed),
            last,
        ))
    })
    .await
}

pub async fn article(
    State(app): State<Arc<App>>,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = lang_of(&app, &lang) else {
        return html_not_found(&app, app.config().source);
    };
    let Ok(slug) = Slug::parse(&slug) else {
        return html_not_found(&app, lang);
    };
    let path = format!("/{}/{}", lang.code(), slug.as_str());
    serve(&app, &path, &headers, |_| async {
        match article_page(&app, lang, &slug).await {
            Ok(Some((html, last))) => Ok(Page::new("text/html; charset=utf-8", html, Some(last))),
            Ok(None) => Err(html_not_found(&app, lang)),
            Err(e) => Err(server_error("article page", e)),
        }
    })
    .await
}

async fn article_page(
    app: &App,
    lang: Lang,
    slug: &Slug,
) -> Result<Option<(String, Timestamp)>, warta_store::StoreError> {
    let store = &app.ctx.store;
    let article = match store.article(slug).await {
        Ok(a) if a.deleted_at.is_none() => a,
        Ok(_) | Err(warta_store::StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let rev = store.current_revision(slug).await?;
    // Readers get what was last published in each language: a held
    // version waits for an editor, and appears nowhere public (page, link,
    // front page, feed, sitemap) until approved.
    let versions = store.readable_versions(article.id).await?;
    let languages = app.config().languages();
    let published: Vec<Lang> = versions
        .iter()
        .map(|v| v.lang)
        .filter(|l| languages.contains(l))
        .collect();
    let source = rev.source_lang;
    let (title, summary, body_html, translated_at, corrected_at, origin, last) = if lang == source {
        (
            rev.title.clone(),
            rev.summary.clone(),
            rev.body_html.clone(),
            None,
            None,
            SiteOrigin::Source,
            rev.created_at,
        )
    } else {
        let Some(v) = versions.iter().find(|v| v.lang == lang) else {
            return Ok(None);
        };
        let model = v.model_id.clone().unwrap_or_default();
        let origin = match v.origin {
            // The original was revised and its new translation is held.
            Origin::Machine if v.under_review => SiteOrigin::MachineUnderReview { model },
            // An editor approved it or corrected a sentence of it.
            Origin::Machine if v.reviewed_by.is_some() => SiteOrigin::MachineReviewed { model },
            Origin::Machine => SiteOrigin::Machine { model },
            Origin::Human if v.outdated => SiteOrigin::HumanOutdated,
            Origin::Human => SiteOrigin::Human { reviewed: true },
        };
        (
            v.title.clone(),
            v.summary.clone(),
            v.body_html.clone(),
            Some(ts(v.translated_at)),
            v.corrected_at.map(ts),
            origin,
            v.updated_at,
        )
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
        corrected_at,
        origin,
    };
    Ok(Some((render_article(&page), ts(last))))
}

/// How many `/sitemap-{n}.xml` files the sitemap of a site generation has,
/// learnt whenever it is rendered: a request for a file beyond them is then
/// a 404 at the cost of a lock, not a render of the whole sitemap (which a
/// client asking for `/sitemap-999.xml` in a loop would otherwise get).
#[derive(Debug, Default)]
pub struct SitemapParts(Mutex<Option<(i64, usize)>>);

impl SitemapParts {
    fn get(&self, generation: i64) -> Option<usize> {
        let known = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        known.filter(|(g, _)| *g == generation).map(|(_, n)| n)
    }

    fn set(&self, generation: i64, parts: usize) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Never go back to an older generation's count.
        if known.is_none_or(|(g, _)| g <= generation) {
            *known = Some((generation, parts));
        }
    }
}

/// `/sitemap.xml`: every published article in every language, with
/// hreflang alternates; past the protocol's limits, an index of
/// `/sitemap-{n}.xml` files.
pub async fn sitemap(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    serve(&app, "/sitemap.xml", &headers, |generation| {
        sitemap_file(&app, generation, 0)
    })
    .await
}

/// `/sitemap-{n}.xml`: file `n` (from 1) of a split sitemap.
pub async fn sitemap_part(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let n = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n >= 1);
    let Some(n) = n.filter(|n| file == format!("{n}.xml")) else {
        return html_not_found(&app, app.config().source);
    };
    let generation = match app.pages.generation(&app.ctx.store).await {
        Ok(g) => g,
        Err(e) => return server_error("site generation", e),
    };
    if app.sitemap_parts.get(generation).is_none() {
        // Not rendered at this generation yet: render it once, as
        // `/sitemap.xml` (concurrent requests wait for that one render),
        // which learns the count and caches every file.
        let _ = serve(&app, "/sitemap.xml", &HeaderMap::new(), |generation| {
            sitemap_file(&app, generation, 0)
        })
        .await;
    }
    if app
        .sitemap_parts
        .get(generation)
        .is_some_and(|parts| n > parts)
    {
        return html_not_found(&app, app.config().source);
    }
    serve(&app, &format!("/sitemap-{n}.xml"), &headers, |generation| {
        sitemap_file(&app, generation, n)
    })
    .await
}

/// Render the whole sitemap (one query), keep every file of it in the page
/// cache, learn how many files it has, and answer file `n` (0:
/// `/sitemap.xml`).
async fn sitemap_file(app: &App, generation: i64, n: usize) -> Result<Page, Response> {
    // Without a page cache `serve` renders without reading the generation;
    // the count of files is still kept per generation (read before the
    // rows, so the rows are at least as new).
    let generation = if app.pages.enabled() {
        generation
    } else {
        app.pages
            .generation(&app.ctx.store)
            .await
            .map_err(|e| server_error("site generation", e))?
    };
    let rows = app
        .ctx
        .store
        .site_entries()
        .await
        .map_err(|e| server_error("sitemap", e))?;
    let entries = sitemap_entries(app, &rows);
    let maps = render_sitemaps(&app.site, &entries, SitemapLimits::PROTOCOL);
    app.sitemap_parts.set(generation, maps.parts.len());
    let last = entries.iter().map(|e| e.lastmod).max();
    const XML: &str = "application/xml; charset=utf-8";
    let mut wanted = None;
    for (i, part) in maps.parts.into_iter().enumerate() {
        // Each file's own date is in the index.
        let page = Page::new(XML, part, None);
        if i + 1 == n {
            wanted = Some(page);
        } else if app.pages.enabled() {
            app.pages.insert(
                generation,
                &format!("/sitemap-{}.xml", i + 1),
                Arc::new(page),
            );
        }
    }
    let root = Page::new(XML, maps.root, last);
    if n == 0 {
        return Ok(root);
    }
    if app.pages.enabled() {
        app.pages.insert(generation, "/sitemap.xml", Arc::new(root));
    }
    wanted.ok_or_else(|| html_not_found(app, app.config().source))
}

/// One sitemap entry per article whose source language the site publishes,
/// listing its versions in the site's languages. `rows` come ordered by
/// article, so an article's versions are adjacent.
fn sitemap_entries(app: &App, rows: &[SiteEntry]) -> Vec<SitemapEntry> {
    let languages: HashSet<Lang> = app.config().languages().into_iter().collect();
    rows.chunk_by(|a, b| a.article_id == b.article_id)
        .filter(|versions| languages.contains(&versions[0].source_lang))
        .map(|versions| {
            let first = &versions[0];
            let langs: Vec<Lang> = versions
                .iter()
                .map(|v| v.lang)
                .filter(|l| languages.contains(l))
                .collect();
            let lastmod = versions
                .iter()
                .map(|v| v.updated_at)
                .max()
                .unwrap_or(first.updated_at);
            SitemapEntry {
                alternates: app
                    .site
                    .article_alternates(&first.slug, first.source_lang, &langs),
                lastmod: ts(lastmod),
            }
        })
        .collect()
}
