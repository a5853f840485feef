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
use std::collections::HashSet;

use warta_store::{ArticleId, Job, NewQaFlag, NewTmEntry, NewVersion, Origin, RevisionNo, Segment, Severity, Store, VersionState};

use crate::configuration::Config;
use crate::pipeline::{self, Options, PipelineError, Request, SourceDoc, TmAnswers, TranslatedDoc};
use crate::quality::Term;

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
    pub tm_lookups: AtomicU64,
    pub tm_hits: AtomicU64,
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

/// A published version whose model confidence is still to be computed.
struct ScoreTask {
    article: ArticleId,
    lang: Lang,
    revision: RevisionNo,
    doc: TranslatedDoc,
}

/// How long the job queue must have been empty before scoring starts: a
/// newsroom posting stories back to back keeps the worker translating.
const QUIET_BEFORE_SCORING: Duration = Duration::from_millis(250);

/// Above this many unscored versions, a worker scores right away instead of
/// waiting to be idle.
const MAX_PENDING_SCORES: usize = 64;

fn run(ctx: Arc<WorkerContext>, name: String, handle: Handle) {
    let mut last_model_check = Instant::now() - Duration::from_secs(60);
    let mut pending: std::collections::VecDeque<ScoreTask> = Default::default();
    let mut last_work = Instant::now();
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
        let quiet = last_work.elapsed() > QUIET_BEFORE_SCORING;
        if (jobs.is_empty() && quiet) || pending.len() > MAX_PENDING_SCORES {
            // Translation comes first; confidence is computed in small steps
            // once the queue has been quiet for a moment (or when far behind).
            if let Some(task) = pending.front_mut() {
                match score_step(&ctx, &handle, task) {
                    Ok(false) => {}
                    Ok(true) => drop(pending.pop_front()),
                    Err(e) => {
                        tracing::warn!(worker = %name, "scoring: {e}");
                        pending.pop_front();
                    }
                }
            }
        }
        if jobs.is_empty() {
            let wait = if pending.is_empty() { Duration::from_millis(500) } else { Duration::from_millis(20) };
            if !quiet || pending.is_empty() {
                handle.block_on(async {
                    let _ = tokio::time::timeout(wait, ctx.wake.notified()).await;
                });
            }
            continue;
        }
        last_work = Instant::now();
        match process(&ctx, &name, &handle, jobs) {
            Ok(tasks) => pending.extend(tasks),
            Err(e) => {
                tracing::error!(worker = %name, "processing jobs: {e}");
                std::thread::sleep(Duration::from_secs(1));
            }
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

/// Sentences scored between two looks at the job queue: small enough that a
/// newly posted article waits only a few tens of milliseconds.
const SCORE_CHUNK: usize = 2;

/// Score the next few sentences of a published version; once all are
/// scored, store the version again with confidences and flags. Returns
/// whether the task is finished.
fn score_step(ctx: &WorkerContext, handle: &Handle, task: &mut ScoreTask) -> anyhow::Result<bool> {
    let tr = ctx.pool.translator(ctx.config.source, task.lang)?;
    let chunk = SCORE_CHUNK * tr.threads().max(1);
    if !pipeline::score(&tr, &mut task.doc, ctx.config.confidence_threshold, chunk) {
        return Ok(false);
    }
    let doc = &task.doc;
    let scores: Vec<(i64, f64)> =
        doc.segments.iter().enumerate().filter_map(|(i, s)| s.confidence.map(|c| (i as i64, c))).collect();
    let new_flags: Vec<NewQaFlag> = doc
        .segments
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.flags.iter().filter(|f| f.check == "confidence").map(move |f| NewQaFlag {
                segment_idx: Some(i as i64),
                check: f.check.clone(),
                severity: f.severity,
                detail: f.detail.clone(),
            })
        })
        .collect();
    let all_flags = doc_flags(doc);
    let quality = quality_summary(doc, &all_flags);
    handle.block_on(ctx.store.record_scores(task.article, task.lang, task.revision, &scores, &quality, &new_flags))?;
    Ok(true)
}

fn process(ctx: &WorkerContext, name: &str, handle: &Handle, jobs: Vec<Job>) -> anyhow::Result<Vec<ScoreTask>> {
    let store = &ctx.store;
    // Load each revision once; drop jobs that no longer need doing.
    let mut docs: HashMap<(i64, i64), Arc<SourceDoc>> = HashMap::new();
    let mut runnable: Vec<Job> = Vec::new();
    let mut requests: Vec<Request> = Vec::new();
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
        requests.push(Request { doc, target: job.lang });
        runnable.push(job);
    }
    if runnable.is_empty() {
        return Ok(Vec::new());
    }

    let started = Instant::now();
    let results = run_pipeline(ctx, handle, requests, false)?;
    ctx.metrics.translate_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);

    let mut tasks = Vec::new();
    for (job, result) in runnable.into_iter().zip(results) {
        match result {
            Ok((doc, glossary_version)) => {
                write_version(ctx, handle, job.article_id, job.lang, job.revision, &doc, glossary_version)?;
                handle.block_on(store.complete_job(job.id, name))?;
                if ctx.config.confidence {
                    tasks.push(ScoreTask { article: job.article_id, lang: job.lang, revision: job.revision, doc });
                }
                ctx.metrics.jobs_done.fetch_add(1, Ordering::Relaxed);
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
    Ok(tasks)
}

type PipelineResult = Result<(TranslatedDoc, i64), PipelineError>;

/// Prepare, consult the memory and glossaries, translate. Inference runs on
/// this (blocking) thread; database reads go through `handle`.
fn run_pipeline(
    ctx: &WorkerContext,
    handle: &Handle,
    requests: Vec<Request>,
    confidence_inline: bool,
) -> anyhow::Result<Vec<PipelineResult>> {
    let store = &ctx.store;
    let targets: Vec<Lang> = requests.iter().map(|r| r.target).collect();
    let prepared = pipeline::prepare(&ctx.pool, ctx.config.source, requests);
    let glossary_version = handle.block_on(store.glossary_version())?;
    let mut glossaries: HashMap<Lang, Vec<Term>> = HashMap::new();
    for &t in &targets {
        if let std::collections::hash_map::Entry::Vacant(e) = glossaries.entry(t) {
            let snap = handle.block_on(store.glossary_snapshot(t))?;
            e.insert(
                snap.entries
                    .into_iter()
                    .map(|g| Term { source: g.source_term, target: g.target_term, case_sensitive: g.case_sensitive })
                    .collect(),
            );
        }
    }
    let mut memory: TmAnswers = vec![HashMap::new(); prepared.len()];
    for q in prepared.tm_queries() {
        let hashes: Vec<String> = q.sources.iter().map(|s| warta_store::tm_source_hash(s)).collect();
        let hits = handle.block_on(store.tm_lookup(q.pair, &hashes, &q.model_id, glossary_version))?;
        let by_hash: HashMap<&String, &String> = hashes.iter().zip(&q.sources).collect();
        for (h, hit) in hits {
            if let Some(src) = by_hash.get(&h) {
                memory[q.request].insert((*src).clone(), (hit.target_text, hit.origin));
            }
        }
        ctx.metrics.tm_lookups.fetch_add(q.sources.len() as u64, Ordering::Relaxed);
        ctx.metrics.tm_hits.fetch_add(memory[q.request].len() as u64, Ordering::Relaxed);
    }
    let opts = Options {
        confidence: confidence_inline && ctx.config.confidence,
        confidence_threshold: ctx.config.confidence_threshold,
    };
    let results = pipeline::execute(prepared, &memory, &glossaries, &opts);
    Ok(results.into_iter().map(|r| r.map(|d| (d, glossary_version))).collect())
}

/// Write a translated document: version with segments and QA flags, and
/// its new translation-memory entries.
fn write_version(
    ctx: &WorkerContext,
    handle: &Handle,
    article: ArticleId,
    lang: Lang,
    revision: RevisionNo,
    doc: &TranslatedDoc,
    glossary_version: i64,
) -> anyhow::Result<()> {
    let store = &ctx.store;
    let flags = doc_flags(doc);
    // Sentences an editor approved keep the editor's name on the version.
    let reviewed_by = if doc.segments.iter().any(|s| s.origin == Origin::Human) {
        handle.block_on(store.version(article, lang))?.and_then(|v| v.reviewed_by)
    } else {
        None
    };
    let v = NewVersion {
        article_id: article,
        lang,
        revision,
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        body_html: doc.body_html.clone(),
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some(doc.model_id.clone()),
        quality: Some(quality_summary(doc, &flags)),
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
    let outcome = handle.block_on(store.put_version(&v))?;
    if outcome == warta_store::PutOutcome::Written {
        handle.block_on(store.replace_qa_flags(article, lang, revision, &flags))?;
    }
    let pair = Pair { src: ctx.config.source, trg: lang };
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
    ctx.metrics.segments_translated.fetch_add(doc.segments.len() as u64, Ordering::Relaxed);
    ctx.metrics.sentences_translated.fetch_add(doc.engine_sentences as u64, Ordering::Relaxed);
    Ok(())
}

/// Every flag of a document, numbered by segment.
fn doc_flags(doc: &TranslatedDoc) -> Vec<NewQaFlag> {
    let mut flags: Vec<NewQaFlag> = doc
        .doc_flags
        .iter()
        .map(|f| NewQaFlag { segment_idx: None, check: f.check.clone(), severity: f.severity, detail: f.detail.clone() })
        .collect();
    for (i, s) in doc.segments.iter().enumerate() {
        for f in &s.flags {
            flags.push(NewQaFlag { segment_idx: Some(i as i64), check: f.check.clone(), severity: f.severity, detail: f.detail.clone() });
        }
    }
    flags
}

/// The per-version quality summary the API returns.
pub fn quality_summary(doc: &TranslatedDoc, flags: &[NewQaFlag]) -> serde_json::Value {
    let count = |sev: Severity| flags.iter().filter(|f| f.severity == sev).count();
    let mut by_check: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in flags {
        *by_check.entry(f.check.as_str()).or_default() += 1;
    }
    let confs: Vec<f64> = doc.segments.iter().filter_map(|s| s.confidence).collect();
    let flagged: HashSet<i64> = flags.iter().filter_map(|f| f.segment_idx).collect();
    serde_json::json!({
        "segments": doc.segments.len(),
        "flagged_segments": flagged.len(),
        "flags": { "error": count(Severity::Error), "warning": count(Severity::Warning), "info": count(Severity::Info) },
        "by_check": by_check,
        "confidence_mean": if confs.is_empty() { None } else { Some(confs.iter().sum::<f64>() / confs.len() as f64) },
        "confidence_min": confs.iter().copied().fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.min(c)))),
        "engine_sentences": doc.engine_sentences,
        "memory_hits": doc.memory_hits,
    })
}

/// Re-run the pipeline for one article and language now, on a blocking
/// thread, and store the result: what an editor's approval calls so the fix
/// is on the public page at once. Human translation-memory entries win, so
/// the approved segment text is used verbatim.
pub async fn republish(ctx: &Arc<WorkerContext>, article: ArticleId, lang: Lang) -> anyhow::Result<()> {
    let a = ctx.store.article_by_id(article).await?;
    let rev = ctx.store.revision_by_id(article, a.current_revision).await?;
    let doc = Arc::new(SourceDoc { title: rev.title, summary: rev.summary, body_html: rev.body_html });
    let ctx2 = ctx.clone();
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut results = run_pipeline(&ctx2, &handle, vec![Request { doc, target: lang }], true)?;
        let (doc, gv) = results.pop().expect("one result").map_err(|e| anyhow::anyhow!("{e}"))?;
        write_version(&ctx2, &handle, article, lang, a.current_revision, &doc, gv)
    })
    .await??;
    Ok(())
}
