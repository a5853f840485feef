//! Per-language versions of an article and their segments.
//!
//! The rule this module enforces (DESIGN.md, product rule): a machine run
//! never overwrites a human version; when the source changes, the human
//! version stays published but is marked outdated until an editor redoes it.

use warta_core::Lang;

use crate::error::{Result, StoreError};
use crate::types::*;
use crate::{now_millis, with_db, Store};

const LEASE_HELD: &str =
    "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND lease_expires_at > $3";
// The row lock makes a competing lease of the same job wait for this commit.
const LEASE_HELD_LOCKED: &str =
    "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 \
     AND lease_expires_at > $3 FOR UPDATE";

const GLOSSARY_VERSION: &str = "SELECT version FROM glossary_version WHERE id = 1";
const GLOSSARY_VERSION_SHARED: &str = "SELECT version FROM glossary_version WHERE id = 1 FOR SHARE";

impl Store {
    /// Store `v` as the text of its article in `v.lang`, replacing the
    /// previous version and its segments, unless:
    /// - `v` is a machine version and a human version exists
    ///   ([`PutOutcome::SkippedHuman`]);
    /// - `v` is a machine version of a revision older than the article's
    ///   current one or than the stored version ([`PutOutcome::SkippedStale`]).
    ///
    /// A human version always wins. It is `outdated` exactly when it was
    /// made from an older revision than the current one, so putting a human
    /// version of the current revision clears the flag.
    pub async fn put_version(&self, v: &NewVersion) -> Result<PutOutcome> {
        self.put_version_fenced(v, None).await
    }

    /// [`Store::put_version`] for the result of job `job` leased by `worker`:
    /// the write happens only while that worker still holds an unexpired
    /// lease on the job, checked in the same transaction (the job row is
    /// locked on PostgreSQL; SQLite's write lock covers it). A worker that
    /// stalled past its lease gets [`StoreError::LeaseLost`] and writes
    /// nothing, so it cannot overwrite what the job's new owner — or an
    /// editor — stored meanwhile.
    ///
    /// `glossary_version` is the glossary version the translation was made
    /// with; if the glossary changed since, nothing is written and the
    /// answer is [`StoreError::GlossaryChanged`]: the job must run again.
    pub async fn put_leased_version(
        &self,
        v: &NewVersion,
        job: JobId,
        worker: &str,
        glossary_version: i64,
    ) -> Result<PutOutcome> {
        self.put_version_fenced(v, Some((job, worker, glossary_version)))
            .await
    }

    async fn put_version_fenced(
        &self,
        v: &NewVersion,
        lease: Option<(JobId, &str, i64)>,
    ) -> Result<PutOutcome> {
        if v.origin == Origin::Machine && v.model_id.as_deref().is_none_or(str::is_empty) {
            return Err(StoreError::Invalid(
                "a machine version needs the model id that produced it".into(),
            ));
        }
        let quality_json = v
            .quality
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("quality summary: {e}")))?;
        let now = now_millis();
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            if let Some((job, worker, glossary_version)) = lease {
                // The glossary row is read under a share lock on PostgreSQL:
                // a glossary change (which bumps it first) waits for this
                // write, or this write waits for it and sees the new version.
                let sql = match dialect {
                    crate::Dialect::Sqlite => GLOSSARY_VERSION,
                    crate::Dialect::Postgres => GLOSSARY_VERSION_SHARED,
                };
                let current: i64 = sqlx::query_scalar(sql).fetch_one(&mut *tx).await?;
                if current != glossary_version {
                    return Err(StoreError::GlossaryChanged(format!(
                        "job #{job} was translated with glossary version {glossary_version}, now {current}"
                    )));
                }
                let sql = match dialect {
                    crate::Dialect::Sqlite => LEASE_HELD,
                    crate::Dialect::Postgres => LEASE_HELD_LOCKED,
                };
                let held: Option<i64> = sqlx::query_scalar(sql)
                    .bind(job.0)
                    .bind(worker)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                if held.is_none() {
                    return Err(StoreError::LeaseLost(format!(
                        "job #{job} is no longer leased by `{worker}`; its result is dropped"
                    )));
                }
            }
            let article: Option<ArticleRow> = sqlx::query_as(concat!(
                "SELECT ",
                article_cols!(),
                " FROM articles WHERE id = $1"
            ))
            .bind(v.article_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            let article = article
                .ok_or_else(|| StoreError::NotFound(format!("article #{}", v.article_id)))?;
            let source_lang: Option<String> = sqlx::query_scalar(
                "SELECT source_lang FROM revisions WHERE article_id = $1 AND revision = $2",
            )
            .bind(v.article_id.0)
            .bind(v.revision.0)
            .fetch_optional(&mut *tx)
            .await?;
            let source_lang = source_lang.ok_or_else(|| {
                StoreError::Invalid(format!(
                    "article #{} has no revision {}",
                    v.article_id, v.revision
                ))
            })?;
            if source_lang == v.lang.code() {
                return Err(StoreError::Invalid(format!(
                    "revision {} of article #{} is written in {}; it has no translation into it",
                    v.revision, v.article_id, v.lang
                )));
            }
            if v.origin == Origin::Machine && v.revision.0 < article.current_revision {
                return Ok(PutOutcome::SkippedStale);
            }
            let outdated = v.origin == Origin::Human && v.revision.0 < article.current_revision;

            // The WHERE on the conflict branch is the rule itself, checked
            // atomically with the write: a concurrent human put cannot be
            // overwritten between a check and the upsert.
            let written = sqlx::query(
                "INSERT INTO versions (article_id, lang, revision, title, summary, body_html, origin, state, \
                 model_id, quality_json, outdated, translated_at, reviewed_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12) \
                 ON CONFLICT (article_id, lang) DO UPDATE SET \
                   revision = excluded.revision, title = excluded.title, summary = excluded.summary, \
                   body_html = excluded.body_html, origin = excluded.origin, state = excluded.state, \
                   model_id = excluded.model_id, quality_json = excluded.quality_json, \
                   outdated = excluded.outdated, translated_at = excluded.translated_at, \
                   reviewed_by = excluded.reviewed_by, updated_at = excluded.updated_at \
                 WHERE excluded.origin = 'human' \
                    OR (versions.origin = 'machine' AND versions.revision <= excluded.revision)",
            )
            .bind(v.article_id.0)
            .bind(v.lang.code())
            .bind(v.revision.0)
            .bind(&v.title)
            .bind(&v.summary)
            .bind(&v.body_html)
            .bind(v.origin.as_str())
            .bind(v.state.as_str())
            .bind(&v.model_id)
            .bind(&quality_json)
            .bind(outdated)
            .bind(now)
            .bind(&v.reviewed_by)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;

            if !written {
                let origin: String = sqlx::query_scalar(
                    "SELECT origin FROM versions WHERE article_id = $1 AND lang = $2",
                )
                .bind(v.article_id.0)
                .bind(v.lang.code())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(if origin == Origin::Human.as_str() {
                    PutOutcome::SkippedHuman
                } else {
                    PutOutcome::SkippedStale
                });
            }

            sqlx::query("DELETE FROM segments WHERE article_id = $1 AND lang = $2")
                .bind(v.article_id.0)
                .bind(v.lang.code())
                .execute(&mut *tx)
                .await?;
            for s in &v.segments {
                sqlx::query(
                    "INSERT INTO segments (article_id, lang, idx, source_text, target_text, \
                     pivot_text, confidence, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(v.article_id.0)
                .bind(v.lang.code())
                .bind(s.idx)
                .bind(&s.source_text)
                .bind(&s.target_text)
                .bind(&s.pivot_text)
                .bind(s.confidence)
                .bind(s.origin.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    crate::error::conflict_on_unique(e, || {
                        format!("segment index {} given twice", s.idx)
                    })
                })?;
            }
            tx.commit().await?;
            self.site_changed();
            tracing::debug!(article = %v.article_id, lang = %v.lang, revision = %v.revision,
                origin = %v.origin, "stored version");
            Ok(PutOutcome::Written)
        })
    }

    /// The version of article `id` in `lang`, if any.
    pub async fn version(&self, id: ArticleId, lang: Lang) -> Result<Option<Version>> {
        let row: Option<VersionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                version_cols!(),
                " FROM versions WHERE article_id = $1 AND lang = $2"
            ))
            .bind(id.0)
            .bind(lang.code())
            .fetch_optional(pool)
            .await?
        });
        row.map(VersionRow::parse).transpose()
    }

    /// Every version of article `id`, by language code.
    pub async fn versions_of(&self, id: ArticleId) -> Result<Vec<Version>> {
        let rows: Vec<VersionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                version_cols!(),
                " FROM versions WHERE article_id = $1 ORDER BY lang"
            ))
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(VersionRow::parse).collect()
    }

    /// The segments stored with the version of article `id` in `lang`, in order.
    pub async fn segments(&self, id: ArticleId, lang: Lang) -> Result<Vec<Segment>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, Option<String>, Option<f64>, String)> = with_db!(
            self,
            |pool, _d| {
                sqlx::query_as(
                "SELECT idx, source_text, target_text, pivot_text, confidence, origin FROM segments \
                 WHERE article_id = $1 AND lang = $2 ORDER BY idx",
            )
            .bind(id.0)
            .bind(lang.code())
            .fetch_all(pool)
            .await?
            }
        );
        rows.into_iter()
            .map(
                |(idx, source_text, target_text, pivot_text, confidence, origin)| {
                    Ok(Segment {
                        idx,
                        source_text,
                        target_text,
                        pivot_text,
                        confidence,
                        origin: crate::types::origin_from_db(&origin)?,
                    })
                },
            )
            .collect()
    }
}
