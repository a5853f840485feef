//! The translation job queue, in the database so a restart loses nothing.
//!
//! A job is leased, not taken: [`Store::lease_jobs`] marks it `running` with
//! an owner and an expiry. The owner finishes it with [`Store::complete_job`],
//! [`Store::fail_job`] or [`Store::park_job_waiting_for_model`]; if the owner
//! dies, the lease runs out and the next leaser picks the job up again. Every
//! transition names the worker and only applies while that worker holds the
//! lease, so a worker that lost its lease cannot clobber its successor.
//!
//! Leasing is one statement per backend, after zero-to-production's
//! `issue_delivery_worker`: PostgreSQL picks rows `FOR UPDATE SKIP LOCKED` so
//! concurrent workers take different jobs without waiting on each other;
//! SQLite runs the same `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`
//! inside `BEGIN IMMEDIATE`, which makes leasers take turns.

use std::time::Duration;

use warta_core::Pair;

use crate::error::{Result, StoreError};
use crate::types::*;
use crate::{duration_millis, now_millis, with_db, Dialect, Store};

// The candidates as a UNION ALL of the two partial indexes (`jobs_queued`,
// `jobs_leased`), merged in id order: SQLite's planner turns the equivalent
// OR into a scan of the whole table, history included.
const LEASE_SQLITE: &str = concat!(
    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, ",
    "attempts = attempts + 1, updated_at = $3 ",
    "WHERE id IN (SELECT id FROM (",
    "SELECT id, priority FROM jobs WHERE state = 'queued' AND run_after <= $3 AND attempts < $5 ",
    "AND ($6 IS NULL OR phase = $6) ",
    "UNION ALL ",
    "SELECT id, priority FROM jobs WHERE state = 'running' AND lease_expires_at <= $3 AND attempts < $5 ",
    "AND ($6 IS NULL OR phase = $6)",
    ") ORDER BY priority DESC, id LIMIT $4) ",
    "RETURNING ",
    job_cols!()
);

const LEASE_POSTGRES: &str = concat!(
    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, ",
    "attempts = attempts + 1, updated_at = $3 ",
    "WHERE id IN (SELECT id FROM jobs ",
    "WHERE ((state = 'queued' AND run_after <= $3) OR (state = 'running' AND lease_expires_at <= $3)) ",
    "AND attempts < $5 AND ($6::text IS NULL OR phase = $6) ",
    "ORDER BY priority DESC, id LIMIT $4 FOR UPDATE SKIP LOCKED) ",
    "RETURNING ",
    job_cols!()
);

/// Priority of a job's scoring phase: below every translation (0, or an
/// approval's higher priority).
pub(crate) const SCORE_PRIORITY: i64 = -1;

// A finished translation: `done`, or `superseded` when the article moved on.
// `$4` is unused here (the statements share their parameters).
pub(crate) const COMPLETE: &str =
    "UPDATE jobs SET state = CASE WHEN revision = (SELECT current_revision FROM articles \
       WHERE articles.id = jobs.article_id AND articles.deleted_at IS NULL) \
       THEN 'done' ELSE 'superseded' END, \
     lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = $3 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND $4 = $4 RETURNING state";

// The statements that end a lease without finishing the job
// ([`Store::release_leased`]); every one names `$1`…`$6` (`$n = $n` where a
// value is not needed: PostgreSQL wants every bound parameter used).
// Failed: queued again after a backoff, or failed on the last attempt.
const FAIL: &str =
    "UPDATE jobs SET state = CASE WHEN attempts >= $5 THEN 'failed' ELSE 'queued' END, \
     run_after = $4, last_error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = $6 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING state";
// Given up: failed at once (its input cannot be translated).
const GIVE_UP: &str = "UPDATE jobs SET state = 'failed', last_error = $3, lease_owner = NULL, \
     lease_expires_at = NULL, updated_at = $6 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND $4 = $4 AND $5 = $5 RETURNING state";
// Deferred: queued again later, the attempt not counted.
const DEFER: &str = "UPDATE jobs SET state = 'queued', run_after = $4, last_error = $3, \
     attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
     lease_owner = NULL, lease_expires_at = NULL, updated_at = $6 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND $5 = $5 RETURNING state";
// Parked until the pair `$3` is installed, the attempt not counted.
const PARK: &str = "UPDATE jobs SET state = 'waiting_for_model', waiting_pair = $3, \
     attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
     last_error = 'no model installed for ' || $3, lease_owner = NULL, lease_expires_at = NULL, \
     updated_at = $6 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND $4 = $4 AND $5 = $5 RETURNING state";

// A finished translation whose scoring phase is queued next.
pub(crate) const COMPLETE_THEN_SCORE: &str =
    "UPDATE jobs SET state = CASE WHEN revision = (SELECT current_revision FROM articles \
       WHERE articles.id = jobs.article_id AND articles.deleted_at IS NULL) \
       THEN 'queued' ELSE 'superseded' END, \
     phase = 'score', priority = $4, attempts = 0, run_after = $3, \
     lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = $3 \
     WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING state";

/// Queue the current revision's job of (`$article`, `$lang`) at
/// `$priority` inside `$tx`, whatever its state (see [`Store::requeue_now`]);
/// evaluates to its id, `None` when the article is gone.
macro_rules! requeue_now_in_tx {
    ($tx:expr, $article:expr, $lang:expr, $priority:expr, $now:expr) => {{
        // The job as it is, queued again; else (an article revised past
        // its jobs) a new one. Both take the same binds.
        let mut id: Option<i64> = None;
        for sql in [
            "UPDATE jobs SET state = 'queued', phase = 'translate', attempts = 0, run_after = $3, lease_owner = NULL, \
             lease_expires_at = NULL, last_error = NULL, waiting_pair = NULL, priority = $4, updated_at = $3 \
             WHERE article_id = $1 AND lang = $2 AND revision = \
             (SELECT current_revision FROM articles WHERE id = $1 AND deleted_at IS NULL) RETURNING id",
            "INSERT INTO jobs (article_id, revision, lang, state, attempts, run_after, priority, created_at, updated_at) \
             SELECT id, current_revision, $2, 'queued', 0, $3, $4, $3, $3 FROM articles \
             WHERE id = $1 AND deleted_at IS NULL RETURNING id",
        ] {
            id = sqlx::query_scalar(sql)
                .bind($article.0)
                .bind($lang.code())
                .bind($now)
                .bind($priority)
                .fetch_optional(&mut *$tx)
                .await?;
            if id.is_some() {
                break;
            }
        }
        id
    }};
}
pub(crate) use requeue_now_in_tx;

/// Queue `$1` lang's jobs of the other live articles (not `$4`) whose
/// machine version has a segment with source `$2` (`$3` now); see
/// [`Store::requeue_sharing_segment`].
pub(crate) const REQUEUE_SHARING_SEGMENT: &str =
    "UPDATE jobs SET state = 'queued', phase = 'translate', attempts = 0, run_after = $3, last_error = NULL, \
     waiting_pair = NULL, updated_at = $3 \
     WHERE lang = $1 AND state IN ('done', 'failed', 'waiting_for_model') \
     AND article_id IN (SELECT s.article_id FROM segments s \
       JOIN articles a ON a.id = s.article_id AND a.deleted_at IS NULL \
       JOIN versions v ON v.article_id = s.article_id AND v.lang = s.lang AND v.origin = 'machine' \
       WHERE s.lang = $1 AND s.source_text = $2 AND s.article_id <> $4) \
     AND revision = (SELECT current_revision FROM articles WHERE articles.id = jobs.article_id)";

impl Store {
    /// Lease up to `n` jobs for `worker` for `lease`, oldest first: queued
    /// jobs whose backoff has passed, and running jobs whose lease expired
    /// (their worker crashed or hung). Each lease counts as an attempt; an
    /// expired job that has used its last attempt becomes `failed` instead.
    pub async fn lease_jobs(&self, worker: &str, n: usize, lease: Duration) -> Result<Vec<Job>> {
        self.lease(worker, n, lease, None, now_millis()).await
    }

    /// [`Store::lease_jobs`] as at `now` (unix epoch milliseconds): a test
    /// of lease expiry passes a later instant rather than waiting for it.
    pub async fn lease_jobs_at(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        now: i64,
    ) -> Result<Vec<Job>> {
        self.lease(worker, n, lease, None, now).await
    }

    /// [`Store::lease_jobs`], of one phase only: a node's translation
    /// workers take translations and its scorer takes scoring phases, so a
    /// scoring that waits for the inference crew never keeps a worker from
    /// the next translation.
    pub async fn lease_jobs_in_phase(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        phase: JobPhase,
    ) -> Result<Vec<Job>> {
        self.lease(worker, n, lease, Some(phase), now_millis())
            .await
    }

    async fn lease(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        phase: Option<JobPhase>,
        now: i64,
    ) -> Result<Vec<Job>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let expires = now.saturating_add(duration_millis(lease));
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let rows: Vec<JobRow> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let gave_up = sqlx::query(
                "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, \
                 last_error = 'lease expired on the last attempt: the worker crashed or hung', updated_at = $1 \
                 WHERE state = 'running' AND lease_expires_at <= $1 AND attempts >= $2",
            )
            .bind(now)
            .bind(self.max_attempts)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if gave_up > 0 {
                tracing::warn!(
                    jobs = gave_up,
                    "jobs failed: lease expired on their last attempt"
                );
            }
            let sql = match dialect {
                Dialect::Sqlite => LEASE_SQLITE,
                Dialect::Postgres => LEASE_POSTGRES,
            };
            let rows: Vec<JobRow> = sqlx::query_as(sql)
                .bind(worker)
                .bind(expires)
                .bind(now)
                .bind(limit)
                .bind(self.max_attempts)
                .bind(phase.map(JobPhase::as_str))
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            rows
        });
        // RETURNING order is unspecified on both databases.
        let mut jobs = parse_jobs(rows)?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// `worker` finished job `id`: `done`, or `superseded` if the article has
    /// a newer revision or was deleted meanwhile (the result must not be
    /// announced as current). Completing a job that was superseded while it
    /// ran is not an error. Returns the job's final state.
    pub async fn complete_job(&self, id: JobId, worker: &str) -> Result<JobState> {
        self.finish_translation(id, worker, COMPLETE).await
    }

    /// Like [`Store::complete_job`], but the job goes back to the queue in
    /// its `score` phase (see [`JobPhase`]), behind every translation, to
    /// compute the model's confidence for the version just published. In one
    /// statement, so a crash can lose no scoring: the queued job is the
    /// record of it.
    pub async fn complete_job_then_score(&self, id: JobId, worker: &str) -> Result<JobState> {
        self.finish_translation(id, worker, COMPLETE_THEN_SCORE)
            .await
    }

    /// Run one of the finishing statements (`$1` job, `$2` worker, `$3`
    /// now, `$4` the scoring priority) on a job `worker` holds.
    async fn finish_translation(
        &self,
        id: JobId,
        worker: &str,
        sql: &'static str,
    ) -> Result<JobState> {
        let now = now_millis();
        let state: Option<String> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let state = sqlx::query_scalar(sql)
                .bind(id.0)
                .bind(worker)
                .bind(now)
                .bind(SCORE_PRIORITY)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            state
        });
        match state {
            Some(s) => JobState::from_db(&s),
            None => self.not_leased(id, worker).await,
        }
    }

    /// `worker` failed job `id` with `error`. The job is queued again after
    /// `backoff`, or `failed` for good if it used its last attempt.
    pub async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        backoff: Duration,
    ) -> Result<JobState> {
        let run_after = now_millis().saturating_add(duration_millis(backoff));
        let state = self
            .release_leased(id, worker, FAIL, error, run_after)
            .await?;
        if state == JobState::Failed {
            tracing::warn!(job = %id, error, "job failed on its last attempt");
        }
        Ok(state)
    }

    /// `worker` gives job `id` up for good: its input cannot be translated
    /// (`error` says why), so retrying would fail the same way. The job is
    /// `failed` at once, whatever attempts it has left.
    pub async fn give_up_job(&self, id: JobId, worker: &str, error: &str) -> Result<JobState> {
        self.release_leased(id, worker, GIVE_UP, error, now_millis())
            .await
    }

    /// `worker` cannot run job `id` now for a reason that is not the job's
    /// (`error`: a model that is installed but unusable): the job waits
    /// `delay` in the queue with its reason, and the attempt is not counted.
    pub async fn defer_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        delay: Duration,
    ) -> Result<JobState> {
        let run_after = now_millis().saturating_add(duration_millis(delay));
        self.release_leased(id, worker, DEFER, error, run_after)
            .await
    }

    /// `worker` cannot run job `id` because no model for `pair` is installed.
    /// The job waits (without using up an attempt) until
    /// [`Store::wake_waiting_jobs`] is called for that pair.
    pub async fn park_job_waiting_for_model(
        &self,
        id: JobId,
        worker: &str,
        pair: Pair,
    ) -> Result<JobState> {
        self.release_leased(id, worker, PARK, &pair.to_string(), now_millis())
            .await
    }

    /// Run one of the statements that end `worker`'s lease on job `id`
    /// (`FAIL`, `GIVE_UP`, `DEFER`, `PARK`: each reads `$1` the job, `$2`
    /// the worker, `$3` its text, `$4` when to run next, `$5` the attempts
    /// allowed, `$6` now) and say the job's state after it.
    async fn release_leased(
        &self,
        id: JobId,
        worker: &str,
        sql: &'static str,
        text: &str,
        run_after: i64,
    ) -> Result<JobState> {
        let now = now_millis();
        let state: Option<String> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let state = sqlx::query_scalar(sql)
                .bind(id.0)
                .bind(worker)
                .bind(text)
                .bind(run_after)
                .bind(self.max_attempts)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            state
        });
        match state {
            Some(s) => JobState::from_db(&s),
            None => self.not_leased(id, worker).await,
        }
    }

    /// A model for `pair` became available: queue every job waiting for it.
    /// Returns how many were woken.
    pub async fn wake_waiting_jobs(&self, pair: Pair) -> Result<u64> {
        let now = now_millis();
        let n = with_db!(self, |pool, _d| {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', waiting_pair = NULL, last_error = NULL, \
                 run_after = $2, updated_at = $2 \
                 WHERE state = 'waiting_for_model' AND waiting_pair = $1",
            )
            .bind(pair.to_string())
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n > 0 {
            self.jobs_changed();
        }
        if n > 0 {
            tracing::info!(%pair, jobs = n, "woke jobs waiting for a model");
        }
        Ok(n)
    }

    /// Heartbeat: extend every lease `worker` still holds by `lease` from
    /// now. A job whose lease another worker has taken over is not touched
    /// (its owner changed), so renewal can never steal a job back. Returns
    /// the ids still held.
    pub async fn renew_leases(&self, worker: &str, lease: Duration) -> Result<Vec<JobId>> {
        self.renew_leases_at(worker, lease, now_millis()).await
    }

    /// [`Store::renew_leases`] as at `now` (unix epoch milliseconds).
    pub async fn renew_leases_at(
        &self,
        worker: &str,
        lease: Duration,
        now: i64,
    ) -> Result<Vec<JobId>> {
        let expires = now.saturating_add(duration_millis(lease));
        let ids: Vec<i64> = with_db!(self, |pool, _d| {
            sqlx::query_scalar(
                "UPDATE jobs SET lease_expires_at = $2, updated_at = $3 \
                 WHERE state = 'running' AND lease_owner = $1 RETURNING id",
            )
            .bind(worker)
            .bind(expires)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(ids.into_iter().map(JobId).collect())
    }

    /// Put a job this worker holds back in the queue to run at once, without
    /// using up an attempt: its result could not be written for a reason
    /// that is not the job's fault (the glossary changed under it). `false`
    /// when the lease was no longer held.
    pub async fn retry_job_now(&self, id: JobId, worker: &str, why: &str) -> Result<bool> {
        let now = now_millis();
        let n = with_db!(self, |pool, _d| {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
                 run_after = $3, last_error = $4, lease_owner = NULL, lease_expires_at = NULL, updated_at = $3 \
                 WHERE id = $1 AND state = 'running' AND lease_owner = $2",
            )
            .bind(id.0)
            .bind(worker)
            .bind(now)
            .bind(why)
            .execute(pool)
            .await?
            .rows_affected()
        });
        self.jobs_changed();
        Ok(n == 1)
    }

    /// `worker` is gone (its thread died and was replaced): give its jobs
    /// back to the queue at once rather than after the lease runs out. The
    /// attempt it used stays counted, so a job that kills workers still ends
    /// up `failed` after `max_attempts`.
    pub async fn release_leases(&self, worker: &str, error: &str) -> Result<u64> {
        let now = now_millis();
        let n = with_db!(self, |pool, _d| {
            sqlx::query(
                "UPDATE jobs SET state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END, \
                 run_after = $2, last_error = $4, lease_owner = NULL, lease_expires_at = NULL, updated_at = $2 \
                 WHERE state = 'running' AND lease_owner = $1",
            )
            .bind(worker)
            .bind(now)
            .bind(self.max_attempts)
            .bind(error)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n > 0 {
            self.jobs_changed();
        }
        Ok(n)
    }

    /// How long the job that has waited longest for a worker has been
    /// runnable: queued jobs past their backoff, and leased jobs whose lease
    /// ran out (their worker is gone). `None` when nothing waits.
    pub async fn queue_age(&self) -> Result<Option<Duration>> {
        self.queue_age_at(now_millis()).await
    }

    /// [`Store::queue_age`] as at `now` (unix epoch milliseconds).
    pub async fn queue_age_at(&self, now: i64) -> Result<Option<Duration>> {
        let since: Option<i64> = with_db!(self, |pool, _d| {
            sqlx::query_scalar(
                "SELECT MIN(t) FROM (\
                 SELECT MIN(run_after) AS t FROM jobs WHERE state = 'queued' AND run_after <= $1 AND phase = 'translate' \
                 UNION ALL \
                 SELECT MIN(lease_expires_at) AS t FROM jobs WHERE state = 'running' AND lease_expires_at <= $1\
                 ) AS waiting",
            )
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(since.map(|t| Duration::from_millis(u64::try_from(now.saturating_sub(t)).unwrap_or(0))))
    }

    /// Translate `article` into `lang` again now, ahead of the backlog:
    /// what an editor's approval asks for. The current revision's job is
    /// queued again whatever its state — a job a worker holds is taken from
    /// it, so that worker's result (made before the approval) is refused by
    /// the lease check and cannot overwrite the editor's fix. Returns the job.
    pub async fn requeue_now(
        &self,
        article: ArticleId,
        lang: warta_core::Lang,
        priority: i64,
    ) -> Result<JobId> {
        let now = now_millis();
        let id: Option<i64> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let id = requeue_now_in_tx!(&mut *tx, article, lang, priority, now);
            tx.commit().await?;
            id
        });
        self.jobs_changed();
        id.map(JobId)
            .ok_or_else(|| StoreError::NotFound(format!("article #{article}")))
    }

    /// Queue a translation into `lang` of every other live article whose
    /// stored segments include `source_text`, so an editor's fix (now in the
    /// translation memory) reaches the articles already published with the
    /// old text. Jobs a worker holds are left to it; human versions are not
    /// touched. Returns how many jobs were queued.
    pub async fn requeue_sharing_segment(
        &self,
        lang: warta_core::Lang,
        source_text: &str,
        except: ArticleId,
    ) -> Result<u64> {
        let now = now_millis();
        let n = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let n = sqlx::query(REQUEUE_SHARING_SEGMENT)
                .bind(lang.code())
                .bind(source_text)
                .bind(now)
                .bind(except.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            n
        });
        if n > 0 {
            self.jobs_changed();
        }
        Ok(n)
    }

    /// One job.
    pub async fn job(&self, id: JobId) -> Result<Job> {
        let row: Option<JobRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!("SELECT ", job_cols!(), " FROM jobs WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("job #{id}")))?
            .parse()
    }

    /// The jobs of one revision of an article, by language.
    pub async fn job_states(&self, article: ArticleId, revision: RevisionNo) -> Result<Vec<Job>> {
        let rows: Vec<JobRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                job_cols!(),
                " FROM jobs WHERE article_id = $1 AND revision = $2 ORDER BY lang"
            ))
            .bind(article.0)
            .bind(revision.0)
            .fetch_all(pool)
            .await?
        });
        parse_jobs(rows)
    }

    /// How many jobs are in each state (for metrics and health pages).
    pub async fn job_counts(&self) -> Result<Vec<(JobState, i64)>> {
        let rows: Vec<(String, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(s, n)| Ok((JobState::from_db(&s)?, n)))
            .collect()
    }

    /// Why a lease-holder transition did not apply. A job superseded while it
    /// ran is the normal end of an outdated job, not an error.
    async fn not_leased(&self, id: JobId, worker: &str) -> Result<JobState> {
        let job = self.job(id).await?;
        if job.state == JobState::Superseded {
            return Ok(JobState::Superseded);
        }
        Err(StoreError::Conflict(format!(
            "job #{id} is not leased by `{worker}` (state {}, lease owner {})",
            job.state,
            job.lease_owner.as_deref().unwrap_or("none")
        )))
    }
}
