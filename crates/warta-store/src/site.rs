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
use crate::types::{parse_lang, parse_slug, ArticleId};
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
                 SELECT a.id, a.slug, a.source_lang, v.lang, v.updated_at \
                 FROM articles a JOIN versions v ON v.article_id = a.id \
                 WHERE a.deleted_at IS NULL AND v.state = 'published' AND v.lang <> a.source_lang \
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
