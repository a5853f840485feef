//! The translation worker: leases jobs from the database, runs the pipeline
//! on a blocking thread, stores the versions, completes the jobs.
//!
//! Jobs live in the database, so a crash loses nothing: a leased job whose
//! worker died is leased again when its lease expires. A job is idempotent —
//! translating the same revision twice writes the same version — so running
//! it twice is harmless. Inference runs on this dedicated OS thread; database
//! calls are driven with `Handle::block_on`, never the other way round.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::Notify;
use warta_core::{Lang, Pair};
use warta_engine::ModelPool;
use warta_store::{Job, NewVersion, Origin, Segment, Store, VersionState};

use crate::configuration::Config;
use crate::pipeline::{self, PipelineError, Request, SourceDoc};

/// How long a leased job belongs to its worker before another may take it.
const LEASE: Duration = Duration::from_secs(600);
/// Longest wait between retries of a failing job.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    pub jobs_done: AtomicU64,
    pub jobs_failed: AtomicU64,
    pub jobs_waiting_for_model: AtomicU64,
    pub segments_translated: AtomicU64,
    pub sentences_translated: AtomicU64,
    pub translate_micros: AtomicU64,
}

/// Shared between the HTTP side and the workers.
pub struct WorkerContext {
    pub store: Store,
    pub pool: Arc<ModelPool>,
    pub config: Config,
    /// Poked when new jobs are queued, so an idle worker starts at once.
    pub wake: Notify,
    pub metrics: Metrics,
    pub shutdown: AtomicBool,
}

/// Start a worker on its own OS thread.
pub fn spawn(ctx: Arc<WorkerContext>, name: String, handle: Handle) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || run(ctx, name, handle))
        .expect("spawn worker thread")
}

fn run(ctx: Arc<WorkerContext>, name: String, handle: Handle) {
    let mut last_model_check = Instant::now() - Duration::from_secs(60);
    while !ctx.shutdown.load(Ordering::Relaxed) {
        if last_model_check.elapsed() > Duration::from_secs(2) {
            wake_jobs_with_models(&ctx, &handle);
            last_model_check = Instant::now();
        }
        let jobs = match handle.block_on(ctx.store.lease_jobs(&name, ctx.config.lease_batch, LEASE)) {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::error!(worker = %name, "leasing jobs: {e}");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        if jobs.is_empty() {
            handle.block_on(async {
                let _ = tokio::time::timeout(Duration::from_millis(500), ctx.wake.notified()).await;
            });
            continue;
        }
        if let Err(e) = process(&ctx, &name, &handle, jobs) {
            tracing::error!(worker = %name, "processing jobs: {e}");
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// Jobs parked for a model become runnable once the model is installed (by
/// `warta models import/pull`, from any process).
fn wake_jobs_with_models(ctx: &WorkerContext, handle: &Handle) {
    for &trg in &ctx.config.targets {
        if ctx.pool.store().route(ctx.config.source, trg).is_err() {
            continue;
        }
        let mut pairs = vec![Pair { src: ctx.config.source, trg }];
        if ctx.config.source != Lang::english() && trg != Lang::english() {
            pairs.push(Pair { src: ctx.config.source, trg: Lang::english() });
            pairs.push(Pair { src: Lang::english(), trg });
        }
        for p in pairs {
            match handle.block_on(ctx.store.wake_waiting_jobs(p)) {
                Ok(n) if n > 0 => tracing::info!(pair = %p, jobs = n, "model installed: jobs resumed"),
                Ok(_) => {}
                Err(e) => tracing::warn!("waking jobs for {p}: {e}"),
            }
        }
    }
}

fn process(ctx: &WorkerContext, name: &str, handle: &Handle, jobs: Vec<Job>) -> anyhow::Result<()> {
    let store = &ctx.store;
    // Load each revision once; drop jobs that no longer need doing.
    let mut docs: HashMap<(i64, i64), Arc<SourceDoc>> = HashMap::new();
    let mut runnable: Vec<(Job, Arc<SourceDoc>)> = Vec::new();
    for job in jobs {
        let article = handle.block_on(store.article_by_id(job.article_id))?;
        if article.deleted_at.is_some() || article.current_revision != job.revision {
            // Superseded or unpublished: nothing to write.
            handle.block_on(store.complete_job(job.id, name))?;
            continue;
        }
        if let Some(v) = handle.block_on(store.version(job.article_id, job.lang))? {
            if v.origin == Origin::Human {
                // An editor's text is never replaced by the machine.
                handle.block_on(store.complete_job(job.id, name))?;
                continue;
            }
        }
        let key = (job.article_id.0, job.revision.0);
        let doc = match docs.get(&key) {
            Some(d) => d.clone(),
            None => {
                let rev = handle.block_on(store.revision_by_id(job.article_id, job.revision))?;
                let d = Arc::new(SourceDoc { title: rev.title, summary: rev.summary, body_html: rev.body_html });
                docs.insert(key, d.clone());
                d
            }
        };
        runnable.push((job, doc));
    }
    if runnable.is_empty() {
        return Ok(());
    }

    let requests: Vec<Request> =
        runnable.iter().map(|(j, d)| Request { doc: d.clone(), target: j.lang }).collect();
    let started = Instant::now();
    let results = pipeline::translate(&ctx.pool, ctx.config.source, &requests);
    ctx.metrics.translate_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);

    for ((job, _), result) in runnable.into_iter().zip(results) {
        match result {
            Ok(doc) => {
                let v = NewVersion {
                    article_id: job.article_id,
                    lang: job.lang,
                    revision: job.revision,
                    title: doc.title,
                    summary: doc.summary,
                    body_html: doc.body_html,
                    origin: Origin::Machine,
                    state: VersionState::Published,
                    model_id: Some(doc.model_id),
                    quality: None,
                    reviewed_by: None,
                    segments: doc
                        .segments
                        .iter()
                        .enumerate()
                        .map(|(i, (s, t))| Segment { idx: i as i64, source_text: s.clone(), target_text: t.clone(), pivot_text: None, confidence: None, origin: Origin::Machine })
                        .collect(),
                };
                handle.block_on(store.put_version(&v))?;
                handle.block_on(store.complete_job(job.id, name))?;
                ctx.metrics.jobs_done.fetch_add(1, Ordering::Relaxed);
                ctx.metrics.segments_translated.fetch_add(doc.segments.len() as u64, Ordering::Relaxed);
                ctx.metrics.sentences_translated.fetch_add(doc.sentences as u64, Ordering::Relaxed);
                tracing::info!(article = job.article_id.0, revision = job.revision.0, lang = %job.lang, "published");
            }
            Err(PipelineError::MissingModel(pair)) => {
                handle.block_on(store.park_job_waiting_for_model(job.id, name, pair))?;
                ctx.metrics.jobs_waiting_for_model.fetch_add(1, Ordering::Relaxed);
                tracing::info!(article = job.article_id.0, lang = %job.lang, %pair, "waiting for model");
            }
            Err(e) => {
                let backoff = Duration::from_secs(2u64.saturating_pow(job.attempts.clamp(0, 16) as u32)).min(MAX_BACKOFF);
                handle.block_on(store.fail_job(job.id, name, &e.to_string(), backoff))?;
                ctx.metrics.jobs_failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(article = job.article_id.0, lang = %job.lang, "job failed: {e}");
            }
        }
    }
    Ok(())
}

/// Re-run the pipeline for one article and language now, on a blocking
/// thread, and store the result: what an editor's approval calls so the fix
/// is on the public page at once. Human translation-memory entries win, so
/// the approved segment text is used verbatim.
pub async fn republish(ctx: &Arc<WorkerContext>, article: warta_store::ArticleId, lang: Lang) -> anyhow::Result<()> {
    let a = ctx.store.article_by_id(article).await?;
    let rev = ctx.store.revision_by_id(article, a.current_revision).await?;
    let doc = Arc::new(SourceDoc { title: rev.title, summary: rev.summary, body_html: rev.body_html });
    let ctx2 = ctx.clone();
    let result = tokio::task::spawn_blocking(move || {
        pipeline::translate(&ctx2.pool, ctx2.config.source, &[Request { doc, target: lang }]).pop().expect("one result")
    })
    .await?;
    let doc = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    let v = NewVersion {
        article_id: article,
        lang,
        revision: a.current_revision,
        title: doc.title,
        summary: doc.summary,
        body_html: doc.body_html,
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some(doc.model_id),
        quality: None,
        reviewed_by: None,
        segments: doc
            .segments
            .iter()
            .enumerate()
            .map(|(i, (s, t))| Segment { idx: i as i64, source_text: s.clone(), target_text: t.clone(), pivot_text: None, confidence: None, origin: Origin::Machine })
            .collect(),
    };
    ctx.store.put_version(&v).await?;
    Ok(())
}
