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
//! This module keeps only the machinery around a job: leasing, the
//! heartbeat, supervision and isolation. What a job does is elsewhere:
//! [`crate::translation`] (load, pipeline, publish in one transaction) and
//! [`crate::scoring`] (the confidence phase).
//!
//! One job never takes others down with it: an error or a panic while
//! translating a batch is narrowed to the job that caused it (the batch is
//! re-run one job at a time, [`crate::isolate`]). A failure is typed
//! ([`Failure`], [`crate::settle`]): bad input
//! fails at once, a transient error is retried with backoff until
//! `max_attempts`, a broken model makes the job wait with its reason. A
//! worker thread that dies all the same is replaced by the supervisor
//! ([`Workers`]), and its jobs go back to the queue at once.
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

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::Notify;
use warta_engine::{Crew, ModelPool};
use warta_models::Route;
use warta_store::{Job, JobPhase, Store};

use crate::configuration::Config;
use crate::isolate::{isolate, panic_message};
pub use crate::metrics::{Histogram, Metrics};
use crate::settle::{settle, Failure};
use crate::translation::{self, Outcome};

/// Shared between the HTTP side and the workers.
pub struct WorkerContext {
    pub store: Store,
    pub pool: Arc<ModelPool>,
    pub config: Config,
    /// Poked at shutdown, so an idle worker stops at once (new jobs signal
    /// through [`Store::jobs_queued`]).
    pub wake: Notify,
    /// Counts the jobs (and scoring phases) this node's workers settled:
    /// what anything that waits for a translation can await.
    pub settled: tokio::sync::watch::Sender<u64>,
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
            // New work of this process signals at once; another node's is
            // seen on the next poll.
            handle.block_on(async {
                let wait = async {
                    tokio::select! {
                        _ = ctx.store.jobs_queued().notified() => {}
                        _ = ctx.wake.notified() => {}
                    }
                };
                let _ = tokio::time::timeout(Duration::from_millis(500), wait).await;
            });
            continue;
        }
        let _beat = Heartbeat::start(&ctx, &name, &handle);
        match role {
            Role::Translate => process(&ctx, &pool, &name, &handle, jobs),
            Role::Score => {
                for job in jobs {
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        crate::scoring::score(&ctx, &pool, &name, &handle, &job)
                    }));
                    let failure = match outcome {
                        Ok(Ok(())) => continue,
                        Ok(Err(f)) => f,
                        Err(p) => {
                            Failure::Transient(format!("scoring panicked: {}", panic_message(&*p)))
                        }
                    };
                    settle(&ctx, &name, &handle, &job, Outcome::Failed(failure));
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
    let models = ctx.pool.store();
    for &trg in &ctx.config.targets {
        let Ok(route) = models.route(ctx.config.source, trg) else {
            continue;
        };
        // A job parks on the first pair its route lacked, which may be a
        // leg, or the direct pair the route no longer needs.
        let direct = Route::plan(ctx.config.source, trg, |_| true).legs();
        let mut pairs = route.legs();
        for p in direct {
            if !pairs.contains(&p) {
                pairs.push(p);
            }
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

/// Translate a batch of leased jobs and settle each one: published,
/// parked for a model, or failed alone with its reason. Never fails as a
/// whole: whatever goes wrong is attributed to the job it happened to, and
/// the other jobs of the batch carry on.
fn process(ctx: &WorkerContext, pool: &ModelPool, name: &str, handle: &Handle, jobs: Vec<Job>) {
    let t_load = Instant::now();
    let mut runnable: Vec<Job> = Vec::new();
    let mut requests = Vec::new();
    for (job, loaded) in jobs.iter().zip(translation::load(ctx, handle, &jobs)) {
        match loaded {
            Ok(request) => {
                requests.push(request);
                runnable.push(job.clone());
            }
            Err(outcome) => settle(ctx, name, handle, job, outcome),
        }
    }
    if runnable.is_empty() {
        return;
    }
    let started = Instant::now();
    let outcomes = isolate(
        requests,
        |batch| translation::translate(ctx, pool, handle, batch).map_err(|e| e.to_string()),
        |fault| {
            if fault.panicked {
                ctx.metrics.jobs_panicked.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Failed(Failure::Transient(fault.reason))
        },
    );
    ctx.metrics
        .translate_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    let t_write = Instant::now();
    for (job, outcome) in runnable.iter().zip(outcomes) {
        settle(ctx, name, handle, job, outcome);
    }
    tracing::debug!(worker = %name, jobs = runnable.len(),
        load_ms = (started - t_load).as_millis(),
        translate_ms = (t_write - started).as_millis(),
        write_ms = t_write.elapsed().as_millis(), "batch done");
}
