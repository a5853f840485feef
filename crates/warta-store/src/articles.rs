//! Articles and their source revisions; the front-page listing.

use warta_core::{Lang, Slug};

use crate::error::{Result, StoreError};
use crate::types::*;
use crate::{now_millis, with_db, Dialect, Store};

/// How often a revision is retried after losing a race (two first
/// submissions of one slug at once on PostgreSQL). SQLite never races here:
/// `BEGIN IMMEDIATE` serialises the writers.
const REVISE_TRIES: u32 = 3;

impl Store {
    /// Store a submitted revision of the article named by `new.slug` and
    /// enqueue its translations, in one transaction.
    ///
    /// - A new slug creates the article at revision 1.
    /// - Content equal to the current revision stores nothing (`unchanged`),
    ///   only enqueues jobs for targets that have none for that revision, so
    ///   re-posting is safe and picks up newly configured languages.
    /// - Different content becomes revision N+1: unfinished jobs of older
    ///   revisions become `superseded`, human versions become `outdated`
    ///   (still published, waiting for an editor), and one job per target is
    ///   queued. The job runner must not overwrite human versions
    ///   ([`Store::put_version`] refuses anyway).
    /// - Revising a deleted article restores it as a new revision.
    ///
    /// `targets` may include the source language; it is ignored. A stored
    /// revision is audited (created or revised) as this handle's actor, in
    /// its transaction.
    pub async fn create_or_revise(&self, new: &NewRevision, targets: &[Lang]) -> Result<Revised> {
        let mut targets: Vec<Lang> = targets
            .iter()
            .copied()
            .filter(|l| *l != new.source_lang)
            .collect();
        targets.sort();
        targets.dedup();
        let mut tries = 1;
        loop {
            match self.try_create_or_revise(new, &targets).await {
                Err(e) if e.is_retryable() && tries < REVISE_TRIES => {
                    tracing::debug!(slug = %new.slug, error = %e, "revision raced another; retrying");
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    async fn try_create_or_revise(&self, new: &NewRevision, targets: &[Lang]) -> Result<Revised> {
        let now = now_millis();
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let select = match dialect {
                Dialect::Sqlite => {
                    concat!("SELECT ", article_cols!(), " FROM articles WHERE slug = $1")
                }
                // Serialises revisions of one article across workers.
                Dialect::Postgres => concat!(
                    "SELECT ",
                    article_cols!(),
                    " FROM articles WHERE slug = $1 FOR UPDATE"
                ),
            };
            let existing: Option<ArticleRow> = sqlx::query_as(select)
                .bind(new.slug.as_str())
                .fetch_optional(&mut *tx)
                .await?;

            let (article_id, revision, unchanged) = match existing {
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO articles (slug, current_revision, source_lang, published_at, \
                         created_at, updated_at) VALUES ($1, 1, $2, $3, $4, $4) RETURNING id",
                    )
                    .bind(new.slug.as_str())
                    .bind(new.source_lang.code())
                    .bind(new.published_at)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    (id, 1, false)
                }
                Some(row) => {
                    let article = row.parse()?;
                    let current: RevisionRow = sqlx::query_as(concat!(
                        "SELECT ",
                        revision_cols!(),
                        " FROM revisions WHERE article_id = $1 AND revision = $2"
                    ))
                    .bind(article.id.0)
                    .bind(article.current_revision.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if article.deleted_at.is_none() && current.parse()?.same_content(new) {
                        (article.id.0, article.current_revision.0, true)
                    } else {
                        let next = article.current_revision.0 + 1;
                        sqlx::query(
                            "UPDATE articles SET current_revision = $2, source_lang = $4, \
                             published_at = $5, deleted_at = NULL, updated_at = $3 WHERE id = $1",
                        )
                        .bind(article.id.0)
                        .bind(next)
                        .bind(now)
                        .bind(new.source_lang.code())
                        .bind(new.published_at)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE jobs SET state = 'superseded', lease_owner = NULL, \
                             lease_expires_at = NULL, updated_at = $3 \
                             WHERE article_id = $1 AND revision < $2 \
                             AND state IN ('queued', 'running', 'waiting_for_model')",
                        )
                        .bind(article.id.0)
                        .bind(next)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE versions SET outdated = TRUE, updated_at = $3 \
                             WHERE article_id = $1 AND origin = 'human' AND revision < $2",
                        )
                        .bind(article.id.0)
                        .bind(next)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        (article.id.0, next, false)
                    }
                }
            };

            if !unchanged {
                sqlx::query(
                    "INSERT INTO revisions (article_id, revision, title, summary, body_html, author, \
                     published_at, source_lang, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(article_id)
                .bind(revision)
                .bind(&new.title)
                .bind(&new.summary)
                .bind(&new.body_html)
                .bind(&new.author)
                .bind(new.published_at)
                .bind(new.source_lang.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }

            for lang in targets {
                sqlx::query(
                    "INSERT INTO jobs (article_id, revision, lang, state, attempts, run_after, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'queued', 0, $4, $4, $4) \
                     ON CONFLICT (article_id, revision, lang) DO NOTHING",
                )
                .bind(article_id)
                .bind(revision)
                .bind(lang.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }

            if !unchanged {
                let (action, detail) = if revision == 1 {
                    (crate::audit::AuditAction::ArticleCreate, "created")
                } else {
                    (crate::audit::AuditAction::ArticleRevise, "revised")
                };
                crate::audit::audit_in_tx!(
                    &mut *tx,
                    self,
                    action,
                    new.slug.as_str(),
                    format!("revision {revision} {detail}: {}", crate::audit::quoted(&new.title)),
                    now
                );
            }

            let article: ArticleRow = sqlx::query_as(concat!(
                "SELECT ",
                article_cols!(),
                " FROM articles WHERE id = $1"
            ))
            .bind(article_id)
            .fetch_one(&mut *tx)
            .await?;
            let jobs: Vec<JobRow> = sqlx::query_as(concat!(
                "SELECT ",
                job_cols!(),
                " FROM jobs WHERE article_id = $1 AND revision = $2 ORDER BY lang"
            ))
            .bind(article_id)
            .bind(revision)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;

            if !unchanged {
                self.site_changed();
                self.jobs_changed();
                tracing::info!(slug = %new.slug, revision, jobs = jobs.len(), "stored revision");
            }
            Ok(Revised {
                article: article.parse()?,
                revision: RevisionNo(revision),
                unchanged,
                jobs: parse_jobs(jobs)?,
            })
        })
    }

    /// The article named `slug`, deleted or not (see [`Article::deleted_at`]).
    pub async fn article(&self, slug: &Slug) -> Result<Article> {
        let row: Option<ArticleRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                article_cols!(),
                " FROM articles WHERE slug = $1"
            ))
            .bind(slug.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("article `{slug}`")))?
            .parse()
    }

    pub async fn article_by_id(&self, id: ArticleId) -> Result<Article> {
        let row: Option<ArticleRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                article_cols!(),
                " FROM articles WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("article #{id}")))?
            .parse()
    }

    /// Revision `n` of the article named `slug`.
    pub async fn revision(&self, slug: &Slug, n: RevisionNo) -> Result<Revision> {
        let row: Option<RevisionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT r.article_id, r.revision, r.title, r.summary, r.body_html, r.author, ",
                "r.published_at, r.source_lang, r.created_at ",
                "FROM revisions r JOIN articles a ON a.id = r.article_id ",
                "WHERE a.slug = $1 AND r.revision = $2"
            ))
            .bind(slug.as_str())
            .bind(n.0)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("revision {n} of article `{slug}`")))?
            .parse()
    }

    /// Revision `n` of article `id` (what a job runner reads).
    pub async fn revision_by_id(&self, id: ArticleId, n: RevisionNo) -> Result<Revision> {
        let row: Option<RevisionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                revision_cols!(),
                " FROM revisions WHERE article_id = $1 AND revision = $2"
            ))
            .bind(id.0)
            .bind(n.0)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("revision {n} of article #{id}")))?
            .parse()
    }

    /// The current revision of the article named `slug`.
    pub async fn current_revision(&self, slug: &Slug) -> Result<Revision> {
        let row: Option<RevisionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT r.article_id, r.revision, r.title, r.summary, r.body_html, r.author, ",
                "r.published_at, r.source_lang, r.created_at ",
                "FROM revisions r JOIN articles a ON a.id = r.article_id AND r.revision = a.current_revision ",
                "WHERE a.slug = $1"
            ))
            .bind(slug.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("article `{slug}`")))?
            .parse()
    }

    /// Soft-delete: the article disappears from every language's pages and
    /// feeds, its unfinished jobs are superseded; rows are kept. Deleting a
    /// deleted article is a no-op. Posting a revision brings it back. The
    /// deletion is audited as this handle's actor, in its transaction.
    pub async fn delete_article(&self, slug: &Slug) -> Result<Article> {
        let now = now_millis();
        let row: Option<ArticleRow> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let row: Option<ArticleRow> = sqlx::query_as(concat!(
                "UPDATE articles SET deleted_at = COALESCE(deleted_at, $2), updated_at = $2 ",
                "WHERE slug = $1 RETURNING ",
                article_cols!()
            ))
            .bind(slug.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            // Only a live article's deletion is a deed (deleting it again
            // changes nothing).
            if let Some(a) = row.as_ref().filter(|a| a.deleted_at == Some(now)) {
                crate::audit::audit_in_tx!(
                    &mut *tx,
                    self,
                    crate::audit::AuditAction::ArticleDelete,
                    slug.as_str(),
                    format!("deleted at revision {}", a.current_revision),
                    now
                );
            }
            if let Some(a) = &row {
                sqlx::query(
                    "UPDATE jobs SET state = 'superseded', lease_owner = NULL, lease_expires_at = NULL, \
                     updated_at = $2 WHERE article_id = $1 AND state IN ('queued', 'running', 'waiting_for_model')",
                )
                .bind(a.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            if row.is_some() {
                self.site_changed();
            }
            row
        });
        let article = row
            .ok_or_else(|| StoreError::NotFound(format!("article `{slug}`")))?
            .parse()?;
        tracing::info!(%slug, "deleted article");
        Ok(article)
    }

    /// The newest `limit` articles readable in `lang`, newest first by the
    /// source's publication time: the source text for articles written in
    /// `lang`, otherwise their published version in `lang` (articles without
    /// one are absent). Deleted articles never appear.
    pub async fn list_published(&self, lang: Lang, limit: u32) -> Result<Vec<Published>> {
        let rows: Vec<PublishedRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT a.id AS article_id, a.slug, a.source_lang AS lang, r.revision, \
                        a.current_revision, r.title, r.summary, r.body_html, a.published_at, \
                        a.updated_at, NULL AS origin, FALSE AS outdated \
                 FROM articles a \
                 JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision \
                 WHERE a.deleted_at IS NULL AND a.source_lang = $1 \
                 UNION ALL \
                 SELECT a.id, a.slug, p.lang, p.revision, a.current_revision, p.title, p.summary, \
                        p.body_html, a.published_at, p.updated_at, p.origin, \
                        (p.origin = 'human' AND p.revision < a.current_revision) \
                 FROM articles a \
                 JOIN published_versions p ON p.article_id = a.id AND p.lang = $1 \
                 WHERE a.deleted_at IS NULL AND a.source_lang <> $1 \
                 ORDER BY published_at DESC, article_id DESC \
                 LIMIT $2",
            )
            .bind(lang.code())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(PublishedRow::parse).collect()
    }
}
