//! How a job ends: published, completed, parked for a model, retried,
//! deferred or failed for good — each one store call, by the kind of what
//! happened ([`Failure`]).

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::runtime::Handle;
use warta_store::Job;

use crate::translation::{self, NotPublished, Outcome};
use crate::worker::WorkerContext;

/// Longest wait between retries of a failing job.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Why a job failed, which decides what becomes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The job's input cannot be translated (its HTML is refused, the
    /// store refuses the result): failed at once with the reason, since a
    /// retry would fail the same way.
    BadInput(String),
    /// Might work next time (the database, a panic): retried with backoff
    /// until `max_attempts`.
    Transient(String),
    /// A model is installed but unusable: the job waits with the reason
    /// (no attempt used) until someone fixes the model.
    ModelBroken(String),
}

/// How long a job whose model is broken waits before it is tried again.
const BROKEN_MODEL_WAIT: Duration = Duration::from_secs(300);

/// Record a job's end: publish a translation, or complete, park, retry or
/// fail it. A settling that fails is logged: the lease is the safety net,
/// and the job moves on when it runs out.
pub(crate) fn settle(
    ctx: &WorkerContext,
    name: &str,
    handle: &Handle,
    job: &Job,
    outcome: Outcome,
) {
    let store = &ctx.store;
    let result = match outcome {
        Outcome::Translated(doc, glossary_version) => {
            match translation::publish(ctx, handle, job, name, &doc, glossary_version) {
                Ok(outcome) => {
                    tracing::info!(job_id = job.id.0, article = job.article_id.0, revision = job.revision.0,
                        lang = %job.lang, ?outcome, "published");
                    Ok(())
                }
                Err(NotPublished::LeaseLost(e)) => {
                    tracing::warn!(worker = %name, job_id = %job.id, "result dropped: {e}");
                    Ok(())
                }
                Err(NotPublished::GlossaryChanged(e)) => {
                    tracing::info!(worker = %name, job_id = %job.id, "translating again: {e}");
                    handle
                        .block_on(store.retry_job_now(job.id, name, &e.to_string()))
                        .map(drop)
                }
                Err(NotPublished::Failed(f)) => {
                    return settle(ctx, name, handle, job, Outcome::Failed(f))
                }
            }
        }
        Outcome::NothingToDo => handle.block_on(store.complete_job(job.id, name)).map(drop),
        Outcome::WaitingForModel(pair) => {
            ctx.metrics
                .jobs_waiting_for_model
                .fetch_add(1, Ordering::Relaxed);
            tracing::info!(job_id = job.id.0, article = job.article_id.0, lang = %job.lang, %pair, "waiting for model");
            handle
                .block_on(store.park_job_waiting_for_model(job.id, name, pair))
                .map(drop)
        }
        Outcome::Failed(failure) => {
            ctx.metrics.jobs_failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(job_id = job.id.0, article = job.article_id.0, lang = %job.lang,
                attempt = job.attempts, ?failure, "job failed");
            handle
                .block_on(async {
                    match &failure {
                        Failure::BadInput(why) => store.give_up_job(job.id, name, why).await,
                        Failure::ModelBroken(why) => {
                            store.defer_job(job.id, name, why, BROKEN_MODEL_WAIT).await
                        }
                        Failure::Transient(why) => {
                            let backoff = Duration::from_secs(
                                2u64.saturating_pow(job.attempts.clamp(0, 16) as u32),
                            )
                            .min(MAX_BACKOFF);
                            store.fail_job(job.id, name, why, backoff).await
                        }
                    }
                })
                .map(drop)
        }
    };
    if let Err(e) = result {
        tracing::warn!(worker = %name, job_id = %job.id, "settling job: {e}");
    }
    ctx.settled.send_modify(|n| *n += 1);
}
