//! The translation worker: leases jobs from the database, runs the pipeline
//! on a blocking thread, stores the versions, completes the jobs.
//!
//! Jobs live in the database, so a crash loses nothing: a leased job whose
//! worker died is leased again when its short lease expires. While a batch
//! runs, a heartbeat renews the leases; every result is written through the
//! lease (fencing), so a worker that stalled past its lease writes nothing.
//! A job is idempotent — translating the same revision twice writes the same
//! version — so running it twice is harmless.
//!
//! One job never takes others down with it: an error or a panic while
//! translating a batch is narrowed to the job that caused it (the batch is
//! re-run one job at a time), which is failed with its message and retried
//! with backoff until `max_attempts`. A worker thread that dies all the same
//! is replaced by the supervisor ([`Workers`]), and its jobs go back to the
//! queue at once.
//!
//! The workers of a node share one crew of inference threads
//! ([`warta_engine::Crew`], `threads` of them, at the lowered priority of
//! [`crate::priority`]): each worker reads, checks and stores on its own OS
//! thread, at the normal priority, and hands its batch's decoding to the
//! crew, so while one worker stores its results or waits on its batch's
//! last mini-batch, the crew decodes another's. Two workers (the default)
//! keep every core busy through a backlog with no more inference threads
//! than cores. Database calls are driven with `Handle::block_on`, never the
//! other way round.
//!
//! Confidence scoring, a job's second phase, has a worker of its own (one
//! per node, the scorer): translation workers lease only translations, the
//! scorer only scoring phases, and on the crew scoring yields to every
//! translation. A burst of articles is therefore never published later
//! because the previous one is being scored, and a scoring that waits for
//! the crew never keeps a translation worker from the next article.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::Notify;
use warta_core::{Lang, Pair};
use warta_engine::{Crew, ModelPool};

use warta_store::{
    ArticleId, Job, JobPhase, NewQaFlag, NewTmEntry, NewVersion, Origin, RevisionNo, Segment,
    Severity, Store, StoreError, VersionState,
};

use crate::configuration::Config;
use warta_pipeline::{
    self as pipeline, Check, Options, PipelineError, Request, SourceDoc, Term, TmAnswers,
    TranslatedDoc,
};

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
    pub tm_lookups: AtomicU64,
    pub tm_hits: AtomicU64,
    /// Job attempts that panicked (and were failed alone).
    pub jobs_panicked: AtomicU64,
    /// Worker threads of this process that died and were replaced.
    pub workers_restarted: AtomicU64,
    /// Worker threads running now, and how many this node should run.
    pub workers_alive: AtomicUsize,
    pub workers_expected: AtomicUsize,
    /// Source words of the versions published by this process.
    pub words_translated: AtomicU64,
    /// Seconds from a job's creation to its version's publication, per
    /// target language.
    pub latency: std::sync::Mutex<std::collections::BTreeMap<Lang, Histogram>>,
    /// QA flags written, by check.
    pub flags_by_check: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

/// A Prometheus histogram with fixed buckets (seconds).
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    /// Count of observations ≤ each bound of [`Histogram::BOUNDS`].
    pub buckets: [u64; 10],
    pub count: u64,
    pub sum: f64,
}

impl Histogram {
    /// From "within a second" to "five minutes": the range in which a
    /// newsroom feels translation latency.
    pub const BOUNDS: [f64; 10] = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0];

    pub fn observe(&mut self, seconds: f64) {
        for (b, bound) in self.buckets.iter_mut().zip(Self::BOUNDS) {
            if seconds <= bound {
                *b += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
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

/// What a worker thread leases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Translations, which publish versions (`workers` of these).
    Translate,
    /// Scoring phases (one per node): in the crew's spare time, since
    /// scoring on the crew yields to every translation
    /// ([`warta_engine::Translator::confidence`]). On a thread of its own,
    /// so that a scoring waiting for the crew never keeps a translation
    /// worker from the next article.
    Score,
}

/// Start a worker on its own OS thread, translating or scoring with `pool`.
fn spawn(
    ctx: Arc<WorkerContext>,
    pool: Arc<ModelPool>,
    name: String,
    role: Role,
    handle: Handle,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    // Counted from here, not from inside the thread, so `/healthz` never
    // sees a started node with no live worker. (`workers` are the
    // translation workers; the scorer is supervised the same way.)
    let alive = (role == Role::Translate).then(|| Alive::new(ctx.clone()));
    // The worker's own thread keeps the normal priority: it mostly waits on
    // the database and the crew, and a lowered thread waits for a core on
    // every wake-up behind the crew's busy threads (a batch's writes took up
    // to 1.4 s instead of 50–100 ms). The CPU-heavy part, inference, runs on
    // the crew, which is lowered (`Workers::start`).
    std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            let _alive = alive;
            run(ctx, pool, name, role, handle)
        })
}

/// One supervised thread: the name it started under (its replacements are
/// `{base}.{generation}`), its current name, its role and its handle.
struct Slot {
    base: String,
    name: String,
    role: Role,
    thread: std::thread::JoinHandle<()>,
}

/// This process's worker threads and the supervisor that keeps them running.
pub struct Workers {
    supervisor: Option<std::thread::JoinHandle<()>>,
}

/// How often the supervisor looks for dead workers.
const SUPERVISE_EVERY: Duration = Duration::from_millis(500);

impl Workers {
    /// Start `n` translation workers named `{prefix}-w{i}` and a scorer
    /// `{prefix}-s0`, sharing one crew of `threads` inference threads at
    /// the lowered priority, and a supervisor thread that replaces any of
    /// them that dies (under a new name, `…-w{i}.{generation}`, so a
    /// replacement never inherits its predecessor's leases), until
    /// `ctx.shutdown` is set.
    pub fn start(
        ctx: Arc<WorkerContext>,
        n: usize,
        prefix: String,
        handle: Handle,
    ) -> std::io::Result<Workers> {
        ctx.metrics.workers_expected.store(n, Ordering::Relaxed);
        if n == 0 {
            return Ok(Workers { supervisor: None });
        }
        let nice = ctx.config.worker_nice;
        let crew = Crew::new(ctx.config.threads, "warta-infer", move || {
            if let Err(e) = crate::priority::lower_current_thread(nice) {
                tracing::warn!("could not lower an inference thread's priority: {e}");
            }
        })?;
        let pool = Arc::new(ctx.pool.on_crew(Arc::new(crew)));
        let mut slots = Vec::with_capacity(n + 1);
        let roles = (0..n)
            .map(|i| (format!("{prefix}-w{i}"), Role::Translate))
            .chain([(format!("{prefix}-s0"), Role::Score)]);
        for (name, role) in roles {
            let thread = spawn(
                ctx.clone(),
                pool.clone(),
                name.clone(),
                role,
                handle.clone(),
            )?;
            slots.push(Slot {
                base: name.clone(),
                name,
                role,
                thread,
            });
        }
        let supervisor = std::thread::Builder::new()
            .name("warta-supervisor".into())
            .spawn(move || supervise(ctx, pool, slots, handle))?;
        Ok(Workers {
            supervisor: Some(supervisor),
        })
    }

    /// Wait for every worker to finish its current batch and stop (after
    /// `ctx.shutdown` was set).
    pub fn join(mut self) {
        if let Some(s) = self.supervisor.take() {
            let _ = s.join();
        }
    }
}

fn supervise(ctx: Arc<WorkerContext>, pool: Arc<ModelPool>, mut slots: Vec<Slot>, handle: Handle) {
    let mut generation = 0u64;
    while !ctx.shutdown.load(Ordering::Relaxed) {
        std::thread::sleep(SUPERVISE_EVERY);
        for slot in slots.iter_mut() {
            if !slot.thread.is_finished() || ctx.shutdown.load(Ordering::Relaxed) {
                continue;
            }
            generation += 1;
            let name = format!("{}.{generation}", slot.base);
            let why = match spawn(
                ctx.clone(),
                pool.clone(),
                name.clone(),
                slot.role,
                handle.clone(),
            ) {
                Ok(new) => std::mem::replace(&mut slot.thread, new)
                    .join()
                    .err()
                    .map(|p| panic_message(&*p)),
                Err(e) => {
                    // Try again on the next round; keep the dead handle.
                    tracing::error!(worker = %slot.name, "could not start a replacement worker: {e}");
                    continue;
                }
            };
            let dead_name = std::mem::replace(&mut slot.name, name.clone());
            let why = why.unwrap_or_else(|| "stopped unexpectedly".into());
            ctx.metrics
                .workers_restarted
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(worker = %dead_name, replacement = %name, "worker died ({why}); replaced");
            let error = format!("worker {dead_name} died: {why}");
            match handle.block_on(ctx.store.release_leases(&dead_name, &error)) {
                Ok(n) if n > 0 => tracing::warn!(worker = %dead_name, jobs = n, "jobs of the dead worker queued again"),
                Ok(_) => {}
                Err(e) => tracing::error!("releasing the jobs of {dead_name}: {e} (they move on when their lease runs out)"),
            }
        }
    }
    for slot in slots {
        let _ = slot.thread.join();
    }
}

/// The text of a panic payload (`panic!("…")` gives `&str` or `String`).
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".into()
    }
}

/// Counts a worker thread as alive from creation until it ends, however it
/// ends (the drop runs while a panic unwinds).
struct Alive(Arc<WorkerContext>);

impl Alive {
    fn new(ctx: Arc<WorkerContext>) -> Self {
        ctx.metrics.workers_alive.fetch_add(1, Ordering::Relaxed);
        Alive(ctx)
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.metrics.workers_alive.fetch_sub(1, Ordering::Relaxed);
    }
}

fn run(ctx: Arc<WorkerContext>, pool: Arc<ModelPool>, name: String, role: Role, handle: Handle) {
    let mut last_model_check = Instant::now() - Duration::from_secs(60);
    let lease = ctx.config.lease;
    // The scorer takes one version at a time: a scoring may wait long for
    // the crew, and the others stay free for another node's scorer.
    let (phase, batch) = match role {
        Role::Translate => (JobPhase::Translate, ctx.config.lease_batch),
        Role::Score => (JobPhase::Score, 1),
    };
    while !ctx.shutdown.load(Ordering::Relaxed) {
        if role == Role::Translate && last_model_check.elapsed() > Duration::from_secs(2) {
            wake_jobs_with_models(&ctx, &handle);
            last_model_check = Instant::now();
        }
        let leased = ctx.store.lease_jobs_in_phase(&name, batch, lease, phase);
        let jobs = match handle.block_on(leased) {
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
        let _beat = Heartbeat::start(&ctx, &name, &handle);
        match role {
            Role::Translate => process(&ctx, &pool, &name, &handle, jobs),
            Role::Score => {
                for job in jobs {
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        score_job(&ctx, &pool, &name, &handle, &job)
                    }));
                    let failure = match outcome {
                        Ok(Ok(())) => None,
                        Ok(Err(e)) => Some(e),
                        Err(p) => Some(format!("scoring panicked: {}", panic_message(&*p))),
                    };
                    if let Some(e) = failure {
                        settle(&ctx, &name, &handle, &job, Outcome::Failed(e), false);
                    }
                }
            }
        }
    }
}

/// Renews the leases of the jobs a worker holds while it works on them, every
/// third of the lease, so a long batch is never leased twice while a dead
/// worker's jobs still move on within one lease. Stops when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(ctx: &Arc<WorkerContext>, name: &str, handle: &Handle) -> Heartbeat {
        let ctx = ctx.clone();
        let name = name.to_string();
        let every = ctx.config.lease / 3;
        Heartbeat(handle.spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = ctx.store.renew_leases(&name, ctx.config.lease).await {
                    tracing::warn!(worker = %name, "renewing leases: {e}");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Jobs parked for a model become runnable once the model is installed (by
/// `warta models import/pull`, from any process).
fn wake_jobs_with_models(ctx: &WorkerContext, handle: &Handle) {
    for &trg in &ctx.config.targets {
        if ctx.pool.store().route(ctx.config.source, trg).is_err() {
            continue;
        }
        let mut pairs = vec![Pair {
            src: ctx.config.source,
            trg,
        }];
        if ctx.config.source != Lang::english() && trg != Lang::english() {
            pairs.push(Pair {
                src: ctx.config.source,
                trg: Lang::english(),
            });
            pairs.push(Pair {
                src: Lang::english(),
                trg,
            });
        }
        for p in pairs {
            match handle.block_on(ctx.store.wake_waiting_jobs(p)) {
                Ok(n) if n > 0 => {
                    tracing::info!(pair = %p, jobs = n, "model installed: jobs resumed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("waking jobs for {p}: {e}"),
            }
        }
    }
}

/// The scoring phase of a job: compute the model's confidence for the
/// machine sentences of the version its translation phase published, flag
/// those below the threshold, update the quality summary, and complete the
/// job. A version that is gone, human or of another revision needs nothing.
fn score_job(
    ctx: &WorkerContext,
    pool: &ModelPool,
    name: &str,
    handle: &Handle,
    job: &Job,
) -> Result<(), String> {
    let store = &ctx.store;
    let (article, lang, revision) = (job.article_id, job.lang, job.revision);
    let version = handle
        .block_on(store.version(article, lang))
        .map_err(|e| format!("loading the version: {e}"))?;
    let Some(version) = version.filter(|v| v.origin == Origin::Machine && v.revision == revision)
    else {
        handle
            .block_on(store.complete_job(job.id, name))
            .map_err(|e| e.to_string())?;
        return Ok(());
    };
    let segments = handle
        .block_on(store.segments(article, lang))
        .map_err(|e| format!("loading segments: {e}"))?;
    let tr = pool
        .translator(ctx.config.source, lang)
        .map_err(|e| format!("model for scoring: {e}"))?;
    let mut doc = TranslatedDoc {
        title: version.title.clone(),
        summary: version.summary.clone(),
        body: String::new(),
        model_id: version.model_id.clone().unwrap_or_default(),
        segments: segments
            .iter()
            .map(|s| pipeline::SegmentOut {
                unit: 0,
                source: s.source_text.clone(),
                target: s.target_text.clone(),
                pivot: s.pivot_text.clone(),
                confidence: s.confidence,
                origin: s.origin,
                flags: Vec::new(),
                from_memory: false,
                // The published machine text is what is scored.
                raw: (s.origin == Origin::Machine && s.confidence.is_none())
                    .then(|| s.target_text.clone()),
                scored: false,
            })
            .collect(),
        engine_sentences: 0,
        memory_hits: 0,
        doc_flags: Vec::new(),
        enforced: 0,
        refused: 0,
        respelled: 0,
    };
    pipeline::score(&tr, &mut doc, ctx.config.confidence_threshold, usize::MAX);
    let scores: Vec<(i64, f64)> = segments
        .iter()
        .zip(&doc.segments)
        .filter(|(old, new)| old.confidence.is_none() && new.confidence.is_some())
        .filter_map(|(old, new)| new.confidence.map(|c| (old.idx, c)))
        .collect();
    let new_flags: Vec<NewQaFlag> = segments
        .iter()
        .zip(&doc.segments)
        .flat_map(|(old, new)| {
            new.flags
                .iter()
                .filter(|f| f.check == Check::Confidence)
                .map(move |f| NewQaFlag {
                    segment_idx: Some(old.idx),
                    check: f.check,
                    severity: f.severity,
                    detail: f.detail.clone(),
                })
        })
        .collect();
    // The summary stored at publication, with the confidences and their flags.
    let mut quality: pipeline::QualitySummary = version
        .quality
        .clone()
        .and_then(|q| serde_json::from_value(q).ok())
        .unwrap_or_else(|| doc.summary());
    let old_flags = handle
        .block_on(store.qa_flags(article, lang, revision))
        .map_err(|e| format!("loading flags: {e}"))?;
    let mut flagged: std::collections::HashSet<i64> =
        old_flags.iter().filter_map(|f| f.segment_idx).collect();
    for f in &new_flags {
        flagged.extend(f.segment_idx);
        match f.severity {
            pipeline::Severity::Error => quality.flags.error += 1,
            pipeline::Severity::Warning => quality.flags.warning += 1,
            pipeline::Severity::Info => quality.flags.info += 1,
        }
        *quality.by_check.entry(f.check).or_default() += 1;
    }
    quality.flagged_segments = flagged.len();
    let confs: Vec<f64> = doc.segments.iter().filter_map(|s| s.confidence).collect();
    quality.confidence_mean =
        (!confs.is_empty()).then(|| confs.iter().sum::<f64>() / confs.len() as f64);
    quality.confidence_min = confs.iter().copied().reduce(f64::min);
    let quality = serde_json::to_value(&quality).map_err(|e| e.to_string())?;
    handle
        .block_on(store.record_scores(article, lang, revision, &scores, &quality, &new_flags))
        .map_err(|e| format!("storing scores: {e}"))?;
    handle
        .block_on(store.complete_job(job.id, name))
        .map_err(|e| e.to_string())?;
    if let Ok(mut by_check) = ctx.metrics.flags_by_check.lock() {
        *by_check
            .entry(Check::Confidence.name().to_string())
            .or_default() += new_flags.len() as u64;
    }
    tracing::info!(job_id = job.id.0, article = article.0, %lang, scored = scores.len(), "scored");
    Ok(())
}

/// What became of one job's translation.
enum Outcome {
    Translated(TranslatedDoc, i64),
    WaitingForModel(Pair),
    Failed(String),
}

/// Translate a batch of leased jobs and settle each one: written and
/// completed, parked for a model, or failed alone with its reason. Never
/// fails as a whole: whatever goes wrong is attributed to the job it
/// happened to, and the other jobs of the batch carry on.
fn process(ctx: &WorkerContext, pool: &ModelPool, name: &str, handle: &Handle, jobs: Vec<Job>) {
    let store = &ctx.store;
    let t_load = Instant::now();
    // Load each revision once; drop jobs that no longer need doing.
    let mut docs: HashMap<(i64, i64), Arc<SourceDoc>> = HashMap::new();
    let mut runnable: Vec<Job> = Vec::new();
    let mut requests: Vec<Request> = Vec::new();
    for job in jobs {
        match load_request(ctx, handle, &job, &mut docs) {
            Ok(Some(request)) => {
                requests.push(request);
                runnable.push(job);
            }
            Ok(None) => settle(
                ctx,
                name,
                handle,
                &job,
                Outcome::Failed(String::new()),
                true,
            ),
            Err(e) => settle(
                ctx,
                name,
                handle,
                &job,
                Outcome::Failed(format!("loading the article: {e}")),
                false,
            ),
        }
    }
    if runnable.is_empty() {
        return;
    }

    let started = Instant::now();
    let load_ms = (started - t_load).as_millis();
    let outcomes = translate_isolated(ctx, pool, handle, requests);
    ctx.metrics
        .translate_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    let t_write = Instant::now();
    let translate_ms = (t_write - started).as_millis();
    let jobs = runnable.len();

    for (job, outcome) in runnable.into_iter().zip(outcomes) {
        let Outcome::Translated(doc, glossary_version) = outcome else {
            settle(ctx, name, handle, &job, outcome, false);
            continue;
        };
        match write_version(ctx, handle, &job, name, &doc, glossary_version) {
            Ok(()) => {
                // With confidence on, the job goes on to its scoring phase.
                let completed = if ctx.config.confidence {
                    handle.block_on(store.complete_job_then_score(job.id, name))
                } else {
                    handle.block_on(store.complete_job(job.id, name))
                };
                if let Err(e) = completed {
                    // The version is stored; a job whose lease lapsed meanwhile
                    // is redone by its next owner and writes the same text.
                    tracing::warn!(job_id = %job.id, "completing a published job: {e}");
                }
                let m = &ctx.metrics;
                m.jobs_done.fetch_add(1, Ordering::Relaxed);
                let waited = (warta_store::now_millis() - job.created_at).max(0) as f64 / 1000.0;
                if let Ok(mut l) = m.latency.lock() {
                    l.entry(job.lang).or_default().observe(waited);
                }
                tracing::info!(job_id = job.id.0, article = job.article_id.0, revision = job.revision.0, lang = %job.lang, "published");
            }
            Err(WriteError::LeaseLost(e)) => {
                tracing::warn!(worker = %name, job_id = %job.id, "result dropped: {e}");
            }
            Err(WriteError::GlossaryChanged(e)) => {
                tracing::info!(worker = %name, job_id = %job.id, "translating again: {e}");
                if let Err(e) = handle.block_on(store.retry_job_now(job.id, name, &e.to_string())) {
                    tracing::warn!(job_id = %job.id, "re-queuing after a glossary change: {e}");
                }
            }
            Err(WriteError::Other(e)) => settle(
                ctx,
                name,
                handle,
                &job,
                Outcome::Failed(format!("storing the version: {e:#}")),
                false,
            ),
        }
    }
    tracing::debug!(worker = %name, jobs, load_ms, translate_ms, write_ms = t_write.elapsed().as_millis(), "batch done");
}

/// The request for a job, or `None` when there is nothing to do: the
/// revision was superseded or unpublished, or an editor's text holds the
/// language (never replaced by the machine).
fn load_request(
    ctx: &WorkerContext,
    handle: &Handle,
    job: &Job,
    docs: &mut HashMap<(i64, i64), Arc<SourceDoc>>,
) -> Result<Option<Request>, StoreError> {
    let store = &ctx.store;
    let article = handle.block_on(store.article_by_id(job.article_id))?;
    if article.deleted_at.is_some() || article.current_revision != job.revision {
        return Ok(None);
    }
    if let Some(v) = handle.block_on(store.version(job.article_id, job.lang))? {
        if v.origin == Origin::Human {
            return Ok(None);
        }
    }
    let key = (job.article_id.0, job.revision.0);
    let doc = match docs.get(&key) {
        Some(d) => d.clone(),
        None => {
            let rev = handle.block_on(store.revision_by_id(job.article_id, job.revision))?;
            let d = Arc::new(SourceDoc::article(rev.title, rev.summary, rev.body_html));
            docs.insert(key, d.clone());
            d
        }
    };
    Ok(Some(Request {
        doc,
        target: job.lang,
    }))
}

/// Record a job's end that is not a published version. `nothing_to_do`
/// completes it (superseded, or held by an editor's text).
fn settle(
    ctx: &WorkerContext,
    name: &str,
    handle: &Handle,
    job: &Job,
    outcome: Outcome,
    nothing_to_do: bool,
) {
    let store = &ctx.store;
    let result = match outcome {
        _ if nothing_to_do => handle.block_on(store.complete_job(job.id, name)).map(drop),
        Outcome::WaitingForModel(pair) => {
            ctx.metrics
                .jobs_waiting_for_model
                .fetch_add(1, Ordering::Relaxed);
            tracing::info!(job_id = job.id.0, article = job.article_id.0, lang = %job.lang, %pair, "waiting for model");
            handle
                .block_on(store.park_job_waiting_for_model(job.id, name, pair))
                .map(drop)
        }
        Outcome::Failed(e) => {
            let backoff =
                Duration::from_secs(2u64.saturating_pow(job.attempts.clamp(0, 16) as u32))
                    .min(MAX_BACKOFF);
            ctx.metrics.jobs_failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(job_id = job.id.0, article = job.article_id.0, lang = %job.lang, attempt = job.attempts, "job failed: {e}");
            handle
                .block_on(store.fail_job(job.id, name, &e, backoff))
                .map(drop)
        }
        Outcome::Translated(..) => unreachable!("translated jobs are written, not settled"),
    };
    if let Err(e) = result {
        // The lease is the safety net: the job moves on when it runs out.
        tracing::warn!(worker = %name, job_id = %job.id, "settling job: {e}");
    }
}

/// Translate a batch so that one job cannot fail the others: the batch runs
/// together (batching is where the speed is); if anything in it panics or
/// the batch as a whole fails, the jobs are run again one by one, and only
/// the one that fails alone is failed.
fn translate_isolated(
    ctx: &WorkerContext,
    pool: &ModelPool,
    handle: &Handle,
    requests: Vec<Request>,
) -> Vec<Outcome> {
    isolate(
        requests,
        |batch| {
            let results = run_pipeline(ctx, pool, handle, batch).map_err(|e| format!("{e:#}"))?;
            Ok(results
                .into_iter()
                .map(|r| match r {
                    Ok((doc, gv)) => Outcome::Translated(doc, gv),
                    Err(PipelineError::MissingModel(pair)) => Outcome::WaitingForModel(pair),
                    Err(e) => Outcome::Failed(e.to_string()),
                })
                .collect())
        },
        |fault| {
            if fault.panicked {
                ctx.metrics.jobs_panicked.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Failed(fault.reason)
        },
    )
}

/// Why an item run by [`isolate`] failed on its own.
pub(crate) struct Fault {
    pub reason: String,
    pub panicked: bool,
}

/// Run `f` over `items` as one batch (`f` returns one result per item, in
/// order, or an error for the whole batch). If the batch panics or fails,
/// each item is run alone, so that only an item that also fails alone gets
/// `fault(…)` and every other item its own result. The batch is the fast
/// path; the one-by-one rerun only happens after a failure.
pub(crate) fn isolate<T: Clone, R>(
    items: Vec<T>,
    f: impl Fn(Vec<T>) -> Result<Vec<R>, String>,
    fault: impl Fn(Fault) -> R,
) -> Vec<R> {
    let run = |batch: Vec<T>| -> Result<Vec<R>, Fault> {
        let n = batch.len();
        match catch_unwind(AssertUnwindSafe(|| f(batch))) {
            Ok(Ok(r)) if r.len() == n => Ok(r),
            Ok(Ok(r)) => Err(Fault {
                reason: format!("internal: {} results for {n} jobs", r.len()),
                panicked: false,
            }),
            Ok(Err(reason)) => Err(Fault {
                reason,
                panicked: false,
            }),
            Err(p) => Err(Fault {
                reason: format!("panicked: {}", panic_message(&*p)),
                panicked: true,
            }),
        }
    };
    if items.len() > 1 {
        match run(items.clone()) {
            Ok(r) => return r,
            Err(f) => tracing::warn!(
                jobs = items.len(),
                "batch failed ({}); running its jobs one by one",
                f.reason
            ),
        }
    }
    items
        .into_iter()
        .map(|item| match run(vec![item]) {
            Ok(mut r) => r.pop().unwrap_or_else(|| {
                fault(Fault {
                    reason: "internal: no result".into(),
                    panicked: false,
                })
            }),
            Err(f) => fault(f),
        })
        .collect()
}

type PipelineResult = Result<(TranslatedDoc, i64), PipelineError>;

/// Prepare, consult the memory and glossaries, translate. Inference runs on
/// this (blocking) thread; database reads go through `handle`.
fn run_pipeline(
    ctx: &WorkerContext,
    pool: &ModelPool,
    handle: &Handle,
    requests: Vec<Request>,
) -> anyhow::Result<Vec<PipelineResult>> {
    let store = &ctx.store;
    let targets: Vec<Lang> = requests.iter().map(|r| r.target).collect();
    let prepared = pipeline::prepare(pool, ctx.config.source, requests);
    let glossary_version = handle.block_on(store.glossary_version())?;
    let mut glossaries: HashMap<Lang, Vec<Term>> = HashMap::new();
    for &t in &targets {
        if let std::collections::hash_map::Entry::Vacant(e) = glossaries.entry(t) {
            let snap = handle.block_on(store.glossary_snapshot(t))?;
            e.insert(
                snap.entries
                    .into_iter()
                    .map(|g| Term {
                        source_term: g.source_term,
                        target_term: g.target_term,
                        case_sensitive: g.case_sensitive,
                    })
                    .collect(),
            );
        }
    }
    let mut memory: TmAnswers = vec![HashMap::new(); prepared.len()];
    for q in prepared.tm_queries() {
        let hashes: Vec<String> = q
            .sources
            .iter()
            .map(|s| warta_store::tm_source_hash(s))
            .collect();
        let hits =
            handle.block_on(store.tm_lookup(q.pair, &hashes, &q.model_id, glossary_version))?;
        let by_hash: HashMap<&String, &String> = hashes.iter().zip(&q.sources).collect();
        for (h, hit) in hits {
            if let Some(src) = by_hash.get(&h) {
                memory[q.request].insert((*src).clone(), (hit.target_text, hit.origin));
            }
        }
        ctx.metrics
            .tm_lookups
            .fetch_add(q.sources.len() as u64, Ordering::Relaxed);
        ctx.metrics
            .tm_hits
            .fetch_add(memory[q.request].len() as u64, Ordering::Relaxed);
    }
    let opts = Options {
        // Confidence is the job's second phase (`score_job`), queued behind
        // every translation: publishing does not wait for it.
        confidence: false,
        confidence_threshold: ctx.config.confidence_threshold,
    };
    let results = pipeline::execute(prepared, &memory, &glossaries, &opts);
    Ok(results
        .into_iter()
        .map(|r| r.map(|d| (d, glossary_version)))
        .collect())
}

/// Why a translated version was not stored.
enum WriteError {
    /// The job is no longer this worker's: its result must not be written.
    LeaseLost(StoreError),
    /// The glossary changed while the job ran: translate it again.
    GlossaryChanged(StoreError),
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for WriteError {
    fn from(e: E) -> Self {
        let e: anyhow::Error = e.into();
        match e.downcast::<StoreError>() {
            Ok(se @ StoreError::LeaseLost(_)) => WriteError::LeaseLost(se),
            Ok(se @ StoreError::GlossaryChanged(_)) => WriteError::GlossaryChanged(se),
            Ok(se) => WriteError::Other(se.into()),
            Err(e) => WriteError::Other(e),
        }
    }
}

/// Write the result of `job` (leased by `worker`) through the lease: the
/// version with its segments and QA flags, its new translation-memory
/// entries, and its webhook events.
fn write_version(
    ctx: &WorkerContext,
    handle: &Handle,
    job: &Job,
    worker: &str,
    doc: &TranslatedDoc,
    glossary_version: i64,
) -> Result<(), WriteError> {
    let store = &ctx.store;
    let (article, lang, revision) = (job.article_id, job.lang, job.revision);
    let flags = doc_flags(doc);
    // Sentences an editor approved keep the editor's name on the version.
    let reviewed_by = if doc.segments.iter().any(|s| s.origin == Origin::Human) {
        handle
            .block_on(store.version(article, lang))?
            .and_then(|v| v.reviewed_by)
    } else {
        None
    };
    let v = NewVersion {
        article_id: article,
        lang,
        revision,
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        body_html: doc.body.clone(),
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some(doc.model_id.clone()),
        quality: Some(quality_summary(doc)),
        reviewed_by,
        segments: doc
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| Segment {
                idx: i as i64,
                source_text: s.source.clone(),
                target_text: s.target.clone(),
                pivot_text: s.pivot.clone(),
                confidence: s.confidence,
                origin: s.origin,
            })
            .collect(),
    };
    let outcome =
        handle.block_on(store.put_leased_version(&v, job.id, worker, glossary_version))?;
    if outcome == warta_store::PutOutcome::Written {
        handle.block_on(store.replace_qa_flags(article, lang, revision, &flags))?;
        if !ctx.config.webhooks.is_empty() {
            announce(ctx, handle, article, lang, revision, &flags)?;
        }
    }
    let pair = Pair {
        src: ctx.config.source,
        trg: lang,
    };
    let entries: Vec<NewTmEntry> = doc
        .new_memory()
        .into_iter()
        .map(|(source_norm, target_text)| NewTmEntry {
            pair,
            source_norm,
            target_text,
            origin: Origin::Machine,
            model_id: Some(doc.model_id.clone()),
            glossary_version,
        })
        .collect();
    if !entries.is_empty() {
        handle.block_on(store.tm_insert_many(&entries))?;
    }
    ctx.metrics
        .segments_translated
        .fetch_add(doc.segments.len() as u64, Ordering::Relaxed);
    let words: usize = doc
        .segments
        .iter()
        .map(|s| s.source.split_whitespace().count())
        .sum();
    ctx.metrics
        .words_translated
        .fetch_add(words as u64, Ordering::Relaxed);
    if let Ok(mut by_check) = ctx.metrics.flags_by_check.lock() {
        for f in &flags {
            *by_check.entry(f.check.name().to_string()).or_default() += 1;
        }
    }
    ctx.metrics
        .sentences_translated
        .fetch_add(doc.engine_sentences as u64, Ordering::Relaxed);
    Ok(())
}

/// Queue the webhook events of a version just stored: `published`, and
/// `flagged` when it carries error-level flags.
fn announce(
    ctx: &WorkerContext,
    handle: &Handle,
    article: ArticleId,
    lang: Lang,
    revision: RevisionNo,
    flags: &[NewQaFlag],
) -> Result<(), StoreError> {
    use crate::configuration::WebhookEvent;
    let a = handle.block_on(ctx.store.article_by_id(article))?;
    let count = |sev: Severity| flags.iter().filter(|f| f.severity == sev).count();
    let errors = count(Severity::Error);
    let mut event = crate::webhooks::Event {
        event: WebhookEvent::Published,
        slug: a.slug.as_str(),
        lang,
        revision: revision.0,
        url: format!(
            "{}/{}/{}",
            ctx.config.base_url.trim_end_matches('/'),
            lang.code(),
            a.slug.as_str()
        ),
        flags: Some(serde_json::json!({
            "error": errors, "warning": count(Severity::Warning), "info": count(Severity::Info)
        })),
        reviewed_by: None,
        at: crate::routes::api::rfc3339(warta_store::now_millis()),
    };
    handle.block_on(crate::webhooks::notify(ctx, &event));
    if errors > 0 {
        event.event = WebhookEvent::Flagged;
        handle.block_on(crate::webhooks::notify(ctx, &event));
    }
    Ok(())
}

/// Every flag of a document, numbered by segment, as the store takes them.
fn doc_flags(doc: &TranslatedDoc) -> Vec<NewQaFlag> {
    doc.flags()
        .into_iter()
        .map(|(i, f)| NewQaFlag {
            segment_idx: i.map(|i| i as i64),
            check: f.check,
            severity: f.severity,
            detail: f.detail.clone(),
        })
        .collect()
}

/// The per-version quality summary the API returns ([`pipeline::QualitySummary`]).
pub fn quality_summary(doc: &TranslatedDoc) -> serde_json::Value {
    serde_json::to_value(doc.summary()).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch function that really panics when its batch holds the poison
    /// item, as the glossary matcher once did on Turkish `İ`.
    fn translate(batch: Vec<&'static str>) -> Result<Vec<String>, String> {
        batch
            .into_iter()
            .map(|s| match s {
                "poison" => panic!("byte index 3 is not a char boundary"),
                "broken" => Err("model failed to run".to_string()),
                s => Ok(s.to_uppercase()),
            })
            .collect()
    }

    fn fault(f: Fault) -> String {
        format!(
            "FAILED({}{})",
            if f.panicked { "panic: " } else { "" },
            f.reason
        )
    }

    #[test]
    fn a_panicking_job_fails_alone_and_its_batch_mates_are_translated() {
        let out = isolate(vec!["a", "poison", "b"], translate, fault);
        assert_eq!(out[0], "A");
        assert!(
            out[1].starts_with("FAILED(panic: panicked: byte index 3"),
            "{}",
            out[1]
        );
        assert_eq!(out[2], "B");
    }

    #[test]
    fn an_error_of_the_batch_is_narrowed_to_the_job_that_causes_it() {
        let out = isolate(vec!["broken", "c"], translate, fault);
        assert_eq!(
            out,
            vec!["FAILED(model failed to run)".to_string(), "C".to_string()]
        );
    }

    #[test]
    fn a_healthy_batch_runs_once_as_a_batch() {
        let calls = std::cell::Cell::new(0);
        let out = isolate(
            vec!["x", "y"],
            |b| {
                calls.set(calls.get() + 1);
                translate(b)
            },
            fault,
        );
        assert_eq!(out, vec!["X", "Y"]);
        assert_eq!(calls.get(), 1, "no one-by-one rerun without a failure");
    }
}
