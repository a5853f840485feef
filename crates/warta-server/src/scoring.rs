//! A job's scoring phase between the queue and the store: read the version
//! its translation published, let `warta-pipeline` score it
//! ([`warta_pipeline::score_published`]), and record the scores, their
//! flags, the updated summary and the job's end in one transaction fenced
//! by the lease ([`Store::finish_scoring`]).

use tokio::runtime::Handle;
use warta_engine::ModelPool;
use warta_pipeline::{self as pipeline, Check, StoredSentence};
use warta_store::{Job, Lease, NewQaFlag, Origin, Scores, StoreError};

use crate::settle::Failure;
use crate::worker::WorkerContext;

/// Score the version job `job`'s translation published and complete the
/// job. A version that is gone, human or of another revision needs
/// nothing: the job just completes.
pub(crate) fn score(
    ctx: &WorkerContext,
    pool: &ModelPool,
    worker: &str,
    handle: &Handle,
    job: &Job,
) -> Result<(), Failure> {
    let store = &ctx.store;
    let transient = |what: &str, e: StoreError| Failure::Transient(format!("{what}: {e}"));
    let lease = Lease {
        job: job.id,
        worker,
        glossary_version: None,
    };
    let (article, lang, revision) = (job.article_id, job.lang, job.revision);
    let version = handle
        .block_on(store.version(article, lang))
        .map_err(|e| transient("loading the version", e))?
        .filter(|v| v.origin == Origin::Machine && v.revision == revision);
    let Some(version) = version else {
        handle
            .block_on(store.complete_job(job.id, worker))
            .map_err(|e| transient("completing", e))?;
        return Ok(());
    };
    let segments = handle
        .block_on(store.segments(article, lang))
        .map_err(|e| transient("loading segments", e))?;
    let stored_flags = handle
        .block_on(store.qa_flags(article, lang, revision))
        .map_err(|e| transient("loading flags", e))?;
    let tr = pool
        .translator(ctx.config.source, lang)
        .map_err(|e| Failure::ModelBroken(format!("model for scoring: {e}")))?;
    // Flags name segments by their stored index; the pipeline by position.
    let position = |idx: i64| segments.iter().position(|s| s.idx == idx);
    // Flags an editor resolved are not counted against the version.
    let flags: Vec<(Option<usize>, pipeline::Flag)> = stored_flags
        .iter()
        .filter(|f| f.resolved_at.is_none())
        .map(|f| {
            let flag = pipeline::Flag::new(f.check, f.severity, f.detail.clone());
            (f.segment_idx.and_then(position), flag)
        })
        .collect();
    let sentences: Vec<StoredSentence> = segments
        .iter()
        .map(|s| StoredSentence {
            source: s.source_text.clone(),
            target: s.target_text.clone(),
            pivot: s.pivot_text.clone(),
            confidence: s.confidence,
            machine: s.origin == Origin::Machine,
        })
        .collect();
    let scored = pipeline::score_published(
        &tr,
        &sentences,
        &flags,
        version.quality.as_ref(),
        ctx.config.confidence_threshold,
    );
    let scores = Scores {
        article,
        lang,
        revision,
        confidences: scored
            .confidences
            .iter()
            .map(|&(i, c)| (segments[i].idx, c))
            .collect(),
        quality: scored.summary,
        flags: scored
            .flags
            .iter()
            .map(|(i, f)| NewQaFlag {
                segment_idx: Some(segments[*i].idx),
                check: f.check,
                severity: f.severity,
                detail: f.detail.clone(),
            })
            .collect(),
    };
    handle
        .block_on(store.finish_scoring(&scores, lease))
        .map_err(|e| transient("storing scores", e))?;
    if let Ok(mut by_check) = ctx.metrics.flags_by_check.lock() {
        *by_check
            .entry(Check::Confidence.name().to_string())
            .or_default() += scores.flags.len() as u64;
    }
    ctx.settled.send_modify(|n| *n += 1);
    tracing::info!(job_id = job.id.0, article = article.0, %lang, scored = scores.confidences.len(), "scored");
    Ok(())
}
