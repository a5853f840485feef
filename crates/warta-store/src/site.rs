//! What the public site reads in bulk, and how a page cache knows it is
//! current.
//!
//! The **site generation** is a counter in the database that changes in the
//! same transaction as anything a public page shows: triggers on `articles`,
//! `revisions` and `versions` bump it (migration `0007_site_generation`), so
//! every write path — the worker's publish, an editor's version, a delete, a
//! new revision, another process on the same database — moves it without
//! calling anything. A page rendered after reading generation `g` is at
//! least as new as `g`; a cache keyed on `(page, g)` therefore never serves
//! a page older than its key.
//!
//! Reading it is one tiny query, but a page cache on a busy node should not
//! pay even that per request. [`Store::local_site_changes`] is the cheap
//! half: an in-process counter that the store's own publishing calls
//! advance right after they commit, so this node re-reads the generation on
//! the next request after its own publish, and other nodes' changes are seen
//! when a short time-to-live of the last read runs out (the caller's choice).

use std::sync::atomic::Ordering;

use warta_core::Lang;

use crate::error::Result;
use crate::types::{parse_lang, parse_slug, ArticleId, Origin, RevisionNo};
use crate::{with_db, Store};

/// One readable language version of a live article, as the sitemap lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteEntry {
    pub article_id: ArticleId,
    pub slug: warta_core::Slug,
    /// The article's source language (its x-default).
    pub source_lang: Lang,
    /// The language of this version (`source_lang` for the original).
    pub lang: Lang,
    /// When this version last changed (epoch ms).
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct SiteEntryRow {
    article_id: i64,
    slug: String,
    source_lang: String,
    lang: String,
    updated_at: i64,
}

impl Store {
    /// The site generation as committed now (see the module docs).
    pub async fn site_generation(&self) -> Result<i64> {
        let g: i64 = with_db!(self, |pool, _d| {
            sqlx::query_scalar("SELECT generation FROM site_generation WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        Ok(g)
    }

    /// How many changes to published content this process has committed
    /// through this store (any clone): a cue to re-read
    /// [`Store::site_generation`], not a substitute for it.
    pub fn local_site_changes(&self) -> u64 {
        self.site_changes.load(Ordering::Acquire)
    }

    /// Called by the store after committing a change a page shows.
    pub(crate) fn site_changed(&self) {
        self.site_changes.fetch_add(1, Ordering::Release);
    }

    /// Every readable (article, language) of every live article, in one
    /// query: the source original of each, and each published version in
    /// another language. Ordered by article id, then language code, so an
    /// article's versions are adjacent and the order is stable as articles
    /// are added (sitemap files keep their contents).
    pub async fn site_entries(&self) -> Result<Vec<SiteEntry>> {
        let rows: Vec<SiteEntryRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT a.id AS article_id, a.slug, a.source_lang, a.source_lang AS lang, a.updated_at \
                 FROM articles a WHERE a.deleted_at IS NULL \
                 UNION ALL \
                 SELECT a.id, a.slug, a.source_lang, p.lang, p.updated_at \
                 FROM articles a JOIN published_versions p ON p.article_id = a.id \
                 WHERE a.deleted_at IS NULL AND p.lang <> a.source_lang \
                 ORDER BY article_id, lang",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(SiteEntry {
                    article_id: ArticleId(r.article_id),
                    slug: parse_slug(&r.slug)?,
                    source_lang: parse_lang(&r.source_lang)?,
                    lang: parse_lang(&r.lang)?,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }
}

/// A language version as readers see it: the last published text, and
/// whether a newer translation waits for an editor.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadableVersion {
    pub lang: Lang,
    /// The source revision the shown text was made from.
    pub revision: RevisionNo,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub origin: Origin,
    pub model_id: Option<String>,
    /// The editor who approved or wrote it.
    pub reviewed_by: Option<String>,
    pub translated_at: i64,
    /// When the language was first published.
    pub first_published_at: i64,
    /// When a published text of the same source revision was replaced.
    pub corrected_at: Option<i64>,
    pub updated_at: i64,
    /// The source changed since this text was made (readers are told).
    pub outdated: bool,
    /// A newer translation of this language is held for an editor.
    pub under_review: bool,
}

#[derive(sqlx::FromRow)]
struct ReadableRow {
    lang: String,
    revision: i64,
    title: String,
    summary: String,
    body_html: String,
    origin: String,
    model_id: Option<String>,
    reviewed_by: Option<String>,
    translated_at: i64,
    first_published_at: i64,
    corrected_at: Option<i64>,
    updated_at: i64,
    outdated: bool,
    under_review: bool,
}

impl Store {
    /// What readers see of article `id` in each language it is published
    /// in (never a held version), by language code.
    pub async fn readable_versions(&self, id: ArticleId) -> Result<Vec<ReadableVersion>> {
        let rows: Vec<ReadableRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT p.lang, p.revision, p.title, p.summary, p.body_html, p.origin, p.model_id, \
                        p.reviewed_by, p.translated_at, p.first_published_at, p.corrected_at, \
                        p.updated_at, (p.revision < a.current_revision) AS outdated, \
                        (v.state = 'held' AND v.revision > p.revision) AS under_review \
                 FROM published_versions p JOIN articles a ON a.id = p.article_id \
                 JOIN versions v ON v.article_id = p.article_id AND v.lang = p.lang \
                 WHERE p.article_id = $1 AND a.deleted_at IS NULL ORDER BY p.lang",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ReadableVersion {
                    lang: parse_lang(&r.lang)?,
                    revision: RevisionNo(r.revision),
                    title: r.title,
                    summary: r.summary,
                    body_html: r.body_html,
                    origin: crate::types::origin_from_db(&r.origin)?,
                    model_id: r.model_id,
                    reviewed_by: r.reviewed_by,
                    translated_at: r.translated_at,
                    first_published_at: r.first_published_at,
                    corrected_at: r.corrected_at,
                    updated_at: r.updated_at,
                    outdated: r.outdated,
                    under_review: r.under_review,
                })
            })
            .collect()
    }
}
