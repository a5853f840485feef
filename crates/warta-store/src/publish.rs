//! Publishing: a translated version and everything that belongs with it,
//! written as one fact.
//!
//! A worker's result is a version with its segments, the QA flags found in
//! it, the new translation-memory entries, the webhook events it causes and
//! the end of the job that made it. [`Store::publish_translation`] writes
//! all of them in one transaction, and only while the worker still holds
//! the job's lease and the glossary is the one the translation was made
//! with (the fence, [`fence_in_tx`]). A worker that lost its lease, or a
//! crash at any point, leaves no part of it behind: there is never a
//! published version without its flags, memory or event.
//!
//! The scoring phase ([`Store::finish_scoring`]) and an editor's approval of
//! a sentence ([`Store::approve_segment`], review.rs) are single
//! transactions in the same way.

use warta_core::Lang;

use crate::error::{Result, StoreError};
use crate::qa::NewQaFlag;
use crate::tm::NewTmEntry;
use crate::types::*;
use crate::types::{version_cols, VersionRow};
use crate::{now_millis, with_db, Store};

pub(crate) const LEASE_HELD: &str =
    "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND lease_expires_at > $3";
// The row lock makes a competing lease of the same job wait for this commit.
pub(crate) const LEASE_HELD_LOCKED: &str =
    "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 \
     AND lease_expires_at > $3 FOR UPDATE";

pub(crate) const GLOSSARY_VERSION: &str = "SELECT version FROM glossary_version WHERE id = 1";
pub(crate) const GLOSSARY_VERSION_SHARED: &str =
    "SELECT version FROM glossary_version WHERE id = 1 FOR SHARE";

/// Check, inside the open transaction `$tx`, that `$worker` still holds an
/// unexpired lease on `$job` and that the glossary is still at
/// `$glossary_version` (when given); returns from the enclosing function with
/// [`StoreError::LeaseLost`] or [`StoreError::GlossaryChanged`] otherwise
/// (the transaction rolls back when dropped). On PostgreSQL the job row is
/// locked and the glossary row share-locked, so a competing lease or a
/// glossary change waits for this commit; SQLite's write lock covers both.
macro_rules! fence_in_tx {
    ($tx:expr, $dialect:expr, $lease:expr, $now:expr) => {{
        let lease: &$crate::publish::Lease<'_> = $lease;
        let (job, worker, glossary_version) = (lease.job, lease.worker, lease.glossary_version);
        if let Some(glossary_version) = glossary_version {
            let sql = match $dialect {
                $crate::Dialect::Sqlite => $crate::publish::GLOSSARY_VERSION,
                $crate::Dialect::Postgres => $crate::publish::GLOSSARY_VERSION_SHARED,
            };
            let current: i64 = sqlx::query_scalar(sql).fetch_one(&mut *$tx).await?;
            if current != glossary_version {
                return Err($crate::StoreError::GlossaryChanged(format!(
                    "job #{job} was translated with glossary version {glossary_version}, now {current}"
                )));
            }
        }
        let sql = match $dialect {
            $crate::Dialect::Sqlite => $crate::publish::LEASE_HELD,
            $crate::Dialect::Postgres => $crate::publish::LEASE_HELD_LOCKED,
        };
        let held: Option<i64> = sqlx::query_scalar(sql)
            .bind(job.0)
            .bind(worker)
            .bind($now)
            .fetch_optional(&mut *$tx)
            .await?;
        if held.is_none() {
            return Err($crate::StoreError::LeaseLost(format!(
                "job #{job} is no longer leased by `{worker}`; its result is dropped"
            )));
        }
    }};
}

/// Whose lease a write is fenced by.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub job: JobId,
    pub worker: &'a str,
    /// The glossary version the work was done with; `None` when the work
    /// does not depend on the glossary (scoring).
    pub glossary_version: Option<i64>,
}

/// One webhook event to queue, for each of `urls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEvent {
    pub urls: Vec<String>,
    pub event: String,
    /// The JSON body receivers get.
    pub payload: String,
}

/// What becomes of a job once its version is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPublish {
    /// `done` (or `superseded` when the article moved on).
    Done,
    /// Back to the queue in its scoring phase ([`JobPhase::Score`]).
    Score,
}

/// A translation and everything that belongs with it.
#[derive(Debug, Clone)]
pub struct Publication {
    pub version: NewVersion,
    /// Every flag of the version (replacing the revision's earlier run).
    pub flags: Vec<NewQaFlag>,
    /// New translation-memory entries (kept even when the version is not
    /// written: the sentences were translated all the same).
    pub memory: Vec<NewTmEntry>,
    /// Queued when the version is written and published.
    pub events: Vec<NewWebhookEvent>,
    /// Queued instead when it is written but held (by the policy, or by an
    /// editor's hold the store finds in the same transaction).
    pub held_events: Vec<NewWebhookEvent>,
    pub then: AfterPublish,
    /// Why the version is held, when `version.state` is held (the
    /// publishing policy's reason).
    pub hold_reason: Option<String>,
}

/// What [`Store::publish_translation`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishOutcome {
    pub version: PutOutcome,
    /// The state the version was written in (when written).
    pub state: VersionState,
    /// The job's state after the write.
    pub job: JobState,
}

/// Confidence computed for a published machine version (the scoring phase).
#[derive(Debug, Clone)]
pub struct Scores {
    pub article: ArticleId,
    pub lang: Lang,
    pub revision: RevisionNo,
    /// (segment index, mean token log-probability).
    pub confidences: Vec<(i64, f64)>,
    /// The version's summary with the scores and their flags counted.
    pub quality: QualitySummary,
    /// Flags the scores raised (added to those already stored).
    pub flags: Vec<NewQaFlag>,
}

/// Queue webhook events inside the open transaction `$tx`.
macro_rules! queue_events_in_tx {
    ($tx:expr, $events:expr, $now:expr) => {{
        for e in $events {
            let e: &$crate::publish::NewWebhookEvent = e;
            for url in &e.urls {
                sqlx::query($crate::webhooks::QUEUE_DELIVERY)
                    .bind(url)
                    .bind(&e.event)
                    .bind(&e.payload)
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}
pub(crate) use queue_events_in_tx;

/// End job `$job` of `$worker` with one of the finishing statements of
/// jobs.rs inside `$tx`; evaluates to the state it ended in (`None`: not
/// held, which the fence has already ruled out).
macro_rules! finish_job_in_tx {
    ($tx:expr, $sql:expr, $job:expr, $worker:expr, $now:expr) => {{
        let state: Option<String> = sqlx::query_scalar($sql)
            .bind($job.0)
            .bind($worker)
            .bind($now)
            .bind($crate::jobs::SCORE_PRIORITY)
            .fetch_optional(&mut *$tx)
            .await?;
        state
    }};
}

impl Store {
    /// Write `p` as the result of the job `lease` names, in one
    /// transaction: the version and its segments (by the rules of
    /// [`Store::put_version`]), its flags, the memory entries, its webhook
    /// events and the job's completion. Nothing is written unless the
    /// worker holds the lease and the glossary is unchanged at commit
    /// ([`StoreError::LeaseLost`], [`StoreError::GlossaryChanged`]).
    pub async fn publish_translation(
        &self,
        p: &Publication,
        lease: Lease<'_>,
    ) -> Result<PublishOutcome> {
        let row = crate::versions::VersionWrite::new(&p.version, p.hold_reason.as_deref())?;
        crate::tm::check_memory(&p.memory)?;
        let v = &p.version;
        let finish = match p.then {
            AfterPublish::Done => crate::jobs::COMPLETE,
            AfterPublish::Score => crate::jobs::COMPLETE_THEN_SCORE,
        };
        let now = now_millis();
        let (outcome, state, written_state) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            fence_in_tx!(&mut *tx, dialect, &lease, now);
            // An editor's hold on the article's language holds every
            // machine version, whatever the policy said.
            let hand: Option<(String, String)> = sqlx::query_as(
                "SELECT held_by, reason FROM translation_holds WHERE article_id = $1 AND lang = $2",
            )
            .bind(v.article_id.0)
            .bind(v.lang.code())
            .fetch_optional(&mut *tx)
            .await?;
            let row = match hand {
                Some((by, why)) if v.origin == Origin::Machine => {
                    row.held(format!("held by {by}: {why}"))
                }
                _ => row,
            };
            let outcome = crate::versions::write_version_in_tx!(&mut *tx, &row, now);
            if outcome == PutOutcome::Written {
                crate::qa::replace_flags_in_tx!(
                    &mut *tx,
                    v.article_id,
                    v.lang,
                    v.revision,
                    &p.flags,
                    now
                );
                let events = match row.state {
                    VersionState::Published => &p.events,
                    VersionState::Held => &p.held_events,
                };
                queue_events_in_tx!(&mut *tx, events, now);
            }
            crate::tm::insert_memory_in_tx!(&mut *tx, &p.memory, now);
            let state = finish_job_in_tx!(&mut *tx, finish, lease.job, lease.worker, now);
            tx.commit().await?;
            (outcome, state, row.state)
        });
        if outcome == PutOutcome::Written {
            self.site_changed();
        }
        if p.then == AfterPublish::Score {
            self.jobs_changed();
        }
        let job = match state {
            Some(s) => JobState::from_db(&s)?,
            None => return Err(StoreError::Corrupt(format!("job #{} vanished", lease.job))),
        };
        tracing::debug!(article = %v.article_id, lang = %v.lang, revision = %v.revision,
            ?outcome, %job, "published translation");
        Ok(PublishOutcome {
            version: outcome,
            state: written_state,
            job,
        })
    }

    /// Record the scoring phase of the job `lease` names and complete it, in
    /// one transaction fenced like [`Store::publish_translation`]: each
    /// segment's confidence, the version's summary and the flags the scores
    /// raised. The version is touched only if it is still the machine
    /// version of `s.revision` (a human edit or a newer revision meanwhile
    /// makes the scores moot; the job completes all the same). Returns
    /// whether the version was updated.
    pub async fn finish_scoring(&self, s: &Scores, lease: Lease<'_>) -> Result<bool> {
        let quality = serde_json::to_string(&s.quality)
            .map_err(|e| StoreError::Invalid(format!("quality summary: {e}")))?;
        let now = now_millis();
        let updated = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            fence_in_tx!(&mut *tx, dialect, &lease, now);
            let updated = sqlx::query(
                "UPDATE versions SET quality_json = $4 \
                 WHERE article_id = $1 AND lang = $2 AND revision = $3 AND origin = 'machine'",
            )
            .bind(s.article.0)
            .bind(s.lang.code())
            .bind(s.revision.0)
            .bind(&quality)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if updated {
                for (idx, c) in &s.confidences {
                    sqlx::query(
                        "UPDATE segments SET confidence = $4 \
                         WHERE article_id = $1 AND lang = $2 AND idx = $3",
                    )
                    .bind(s.article.0)
                    .bind(s.lang.code())
                    .bind(*idx)
                    .bind(*c)
                    .execute(&mut *tx)
                    .await?;
                }
                for f in &s.flags {
                    sqlx::query(
                        "INSERT INTO qa_flags (article_id, lang, revision, segment_idx, check_name, \
                         severity, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(s.article.0)
                    .bind(s.lang.code())
                    .bind(s.revision.0)
                    .bind(f.segment_idx)
                    .bind(f.check.name())
                    .bind(f.severity.as_str())
                    .bind(&f.detail)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            finish_job_in_tx!(
                &mut *tx,
                crate::jobs::COMPLETE,
                lease.job,
                lease.worker,
                now
            );
            tx.commit().await?;
            updated
        });
        Ok(updated)
    }
}

/// An editor's approval of a whole language version
/// ([`Store::approve_version`]).
#[derive(Debug, Clone)]
pub struct VersionApproval<'a> {
    pub article: ArticleId,
    pub lang: Lang,
    pub editor: &'a str,
    /// The `approved` events to queue.
    pub events: &'a [NewWebhookEvent],
}

/// An editor's hold on the translations of one article into one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationHold {
    pub held_by: String,
    pub reason: String,
    pub created_at: i64,
}

/// How many versions wait for an editor, and since when the oldest does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeldSummary {
    pub count: i64,
    /// `held_at` of the oldest held version.
    pub oldest_held_at: Option<i64>,
}

impl Store {
    /// An editor approves the `a.lang` version of `a.article` as a whole,
    /// in one transaction: a held version is published (readers see it from
    /// now on), a published one is marked reviewed; the editor is recorded
    /// as its reviewer, the `approved` events are queued and the audit log
    /// records it.
    ///
    /// [`StoreError::NotFound`] when the article (live) or the version does
    /// not exist; [`StoreError::Conflict`] when the version was made from an
    /// older revision than the current one (its translation is on the way).
    pub async fn approve_version(&self, a: &VersionApproval<'_>) -> Result<Version> {
        let now = now_millis();
        let row: VersionRow = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let current: Option<(i64, Option<i64>)> = sqlx::query_as(
                "SELECT v.revision, a.current_revision FROM versions v \
                 JOIN articles a ON a.id = v.article_id AND a.deleted_at IS NULL \
                 WHERE v.article_id = $1 AND v.lang = $2",
            )
            .bind(a.article.0)
            .bind(a.lang.code())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((revision, current)) = current else {
                return Err(StoreError::NotFound(format!(
                    "the {} version of article #{}",
                    a.lang, a.article
                )));
            };
            if current.is_some_and(|c| c > revision) {
                return Err(StoreError::Conflict(format!(
                    "the {} version of article #{} was made from revision {revision}; \
                     the current revision is being translated",
                    a.lang, a.article
                )));
            }
            sqlx::query(
                "UPDATE versions SET state = 'published', hold_reason = NULL, held_at = NULL, \
                 reviewed_by = $3, updated_at = $4 WHERE article_id = $1 AND lang = $2",
            )
            .bind(a.article.0)
            .bind(a.lang.code())
            .bind(a.editor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(crate::versions::PUBLISH_COPY)
                .bind(a.article.0)
                .bind(a.lang.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            queue_events_in_tx!(&mut *tx, a.events, now);
            let row: VersionRow = sqlx::query_as(concat!(
                "SELECT ",
                version_cols!(),
                " FROM versions WHERE article_id = $1 AND lang = $2"
            ))
            .bind(a.article.0)
            .bind(a.lang.code())
            .fetch_one(&mut *tx)
            .await?;
            let object = crate::audit::article_object_in_tx!(&mut *tx, a.article, a.lang);
            crate::audit::audit_in_tx!(
                &mut *tx,
                self,
                crate::audit::AuditAction::VersionApprove,
                object,
                format!("revision {revision} approved as {}", a.editor),
                now
            );
            tx.commit().await?;
            row
        });
        self.site_changed();
        tracing::info!(article = %a.article, lang = %a.lang, editor = a.editor, "version approved");
        row.parse()
    }

    /// Hold every machine translation of `article` into `lang` for an
    /// editor until [`Store::release_hold`]: from the next one on, each is
    /// stored `held` (what readers see stays as it is). Holding again
    /// replaces the reason.
    pub async fn hold_translation(
        &self,
        article: ArticleId,
        lang: Lang,
        held_by: &str,
        reason: &str,
    ) -> Result<TranslationHold> {
        let now = now_millis();
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let live: Option<i64> =
                sqlx::query_scalar("SELECT id FROM articles WHERE id = $1 AND deleted_at IS NULL")
                    .bind(article.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if live.is_none() {
                return Err(StoreError::NotFound(format!("article #{article}")));
            }
            sqlx::query(
                "INSERT INTO translation_holds (article_id, lang, held_by, reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id, lang) DO UPDATE SET \
                 held_by = excluded.held_by, reason = excluded.reason, created_at = excluded.created_at",
            )
            .bind(article.0)
            .bind(lang.code())
            .bind(held_by)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let object = crate::audit::article_object_in_tx!(&mut *tx, article, lang);
            crate::audit::audit_in_tx!(
                &mut *tx,
                self,
                crate::audit::AuditAction::Hold,
                object,
                format!("held as {held_by}: {}", crate::audit::quoted(reason)),
                now
            );
            tx.commit().await?;
        });
        Ok(TranslationHold {
            held_by: held_by.to_string(),
            reason: reason.to_string(),
            created_at: now,
        })
    }

    /// End an editor's hold; returns whether there was one. Versions
    /// already held stay held until approved.
    /// A release that ends a hold is audited with it.
    pub async fn release_hold(&self, article: ArticleId, lang: Lang) -> Result<bool> {
        let now = now_millis();
        let n = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let n =
                sqlx::query("DELETE FROM translation_holds WHERE article_id = $1 AND lang = $2")
                    .bind(article.0)
                    .bind(lang.code())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if n > 0 {
                let object = crate::audit::article_object_in_tx!(&mut *tx, article, lang);
                crate::audit::audit_in_tx!(
                    &mut *tx,
                    self,
                    crate::audit::AuditAction::Release,
                    object,
                    "hold released",
                    now
                );
            }
            tx.commit().await?;
            n
        });
        Ok(n > 0)
    }

    /// The editor's hold on (`article`, `lang`), if any.
    pub async fn translation_hold(
        &self,
        article: ArticleId,
        lang: Lang,
    ) -> Result<Option<TranslationHold>> {
        let row: Option<(String, String, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT held_by, reason, created_at FROM translation_holds \
                 WHERE article_id = $1 AND lang = $2",
            )
            .bind(article.0)
            .bind(lang.code())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(held_by, reason, created_at)| TranslationHold {
            held_by,
            reason,
            created_at,
        }))
    }

    /// Versions of live articles waiting for an editor (`/metrics`).
    pub async fn held_summary(&self) -> Result<HeldSummary> {
        let (count, oldest): (i64, Option<i64>) = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(v.held_at) FROM versions v \
                 JOIN articles a ON a.id = v.article_id AND a.deleted_at IS NULL \
                 WHERE v.state = 'held'",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(HeldSummary {
            count,
            oldest_held_at: oldest,
        })
    }
}
