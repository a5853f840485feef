//! A translation job's work between the queue and the store: load the
//! revisions a batch of leased jobs names, ask the store for the memory and
//! the glossary, run the pipeline once for the whole batch, and publish
//! each result with [`Store::publish_translation`] — the version, its
//! segments, flags, memory entries, webhook events and the job's end in one
//! transaction fenced by the lease.
//!
//! What this module must never do: translate outside `warta-pipeline`, or
//! write a result in more than one transaction. Leasing, heartbeats, panics
//! and retries are the worker's ([`crate::worker`]).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::runtime::Handle;
use warta_core::{Lang, Pair};
use warta_engine::ModelPool;
use warta_pipeline::{
    self as pipeline, Decision, Options, PipelineError, Request, SourceDoc, TmAnswers,
};
use warta_store::{
    AfterPublish, Job, Lease, NewQaFlag, NewTmEntry, NewVersion, Origin, Publication,
    PublishOutcome, Segment, StoreError, VersionState,
};

use crate::configuration::WebhookEvent;
use crate::settle::Failure;
use crate::worker::WorkerContext;

/// What became of one job's translation.
pub(crate) enum Outcome {
    /// Translated with the glossary at this version: to publish.
    Translated(Box<pipeline::TranslatedDoc>, i64),
    /// A model of the route is not installed.
    WaitingForModel(Pair),
    /// Nothing to do: superseded, deleted, or an editor's text holds it.
    NothingToDo,
    Failed(Failure),
}

impl Outcome {
    fn of(r: Result<pipeline::TranslatedDoc, PipelineError>, glossary_version: i64) -> Outcome {
        match r {
            Ok(doc) => Outcome::Translated(Box::new(doc), glossary_version),
            Err(PipelineError::MissingModel(pair)) => Outcome::WaitingForModel(pair),
            Err(e @ PipelineError::ModelBroken(_)) => {
                Outcome::Failed(Failure::ModelBroken(e.to_string()))
            }
            Err(e @ PipelineError::BadInput(_)) => {
                Outcome::Failed(Failure::BadInput(e.to_string()))
            }
        }
    }
}

/// The requests for `jobs` (one per job, in order; a revision is loaded
/// once however many languages ask for it), or the outcome that settles a
/// job without translating it.
pub(crate) fn load(
    ctx: &WorkerContext,
    handle: &Handle,
    jobs: &[Job],
) -> Vec<Result<Request, Outcome>> {
    let mut docs: HashMap<(i64, i64), Arc<SourceDoc>> = HashMap::new();
    jobs.iter()
        .map(|job| match load_one(ctx, handle, job, &mut docs) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(Outcome::NothingToDo),
            Err(e) => Err(Outcome::Failed(Failure::Transient(format!(
                "loading the article: {e}"
            )))),
        })
        .collect()
}

fn load_one(
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

/// Translate `requests` as one batch: the memory and glossaries from the
/// store, then the pipeline. One outcome per request, in order; an error
/// of the store fails the batch (the worker narrows it to the job).
pub(crate) fn translate(
    ctx: &WorkerContext,
    pool: &ModelPool,
    handle: &Handle,
    requests: Vec<Request>,
) -> Result<Vec<Outcome>, StoreError> {
    let store = &ctx.store;
    let mut targets: Vec<Lang> = requests.iter().map(|r| r.target).collect();
    targets.dedup();
    let prepared = pipeline::prepare(pool, ctx.config.source, requests);
    let glossary_version = handle.block_on(store.glossary_version())?;
    let mut glossaries = HashMap::new();
    for t in targets {
        if let std::collections::hash_map::Entry::Vacant(e) = glossaries.entry(t) {
            e.insert(handle.block_on(store.glossary_snapshot(t))?.terms());
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
        let m = &ctx.metrics;
        m.tm_lookups
            .fetch_add(q.sources.len() as u64, Ordering::Relaxed);
        m.tm_hits
            .fetch_add(memory[q.request].len() as u64, Ordering::Relaxed);
    }
    let opts = Options {
        // Confidence is the job's second phase (`crate::scoring`), queued
        // behind every translation: publishing does not wait for it.
        confidence: false,
        confidence_threshold: ctx.config.confidence_threshold,
        // Adequacy is checked before publishing: the policy holds on it.
        adequacy: ctx.config.adequacy,
    };
    Ok(pipeline::execute(prepared, &memory, &glossaries, &opts)
        .into_iter()
        .map(|r| Outcome::of(r, glossary_version))
        .collect())
}

/// Why a translated job was not published.
pub(crate) enum NotPublished {
    /// The job is no longer this worker's: its result is dropped.
    LeaseLost(StoreError),
    /// The glossary changed while the job ran: translate it again.
    GlossaryChanged(StoreError),
    Failed(Failure),
}

/// Publish the translation of `job` (leased by `worker`) in one
/// transaction. Returns what the store did with the version (written
/// published or held, or skipped).
pub(crate) fn publish(
    ctx: &WorkerContext,
    handle: &Handle,
    job: &Job,
    worker: &str,
    doc: &pipeline::TranslatedDoc,
    glossary_version: i64,
) -> Result<PublishOutcome, NotPublished> {
    let store = &ctx.store;
    let fail = |e: StoreError| match e {
        e @ StoreError::LeaseLost(_) => NotPublished::LeaseLost(e),
        e @ StoreError::GlossaryChanged(_) => NotPublished::GlossaryChanged(e),
        e @ StoreError::Invalid(_) => {
            NotPublished::Failed(Failure::BadInput(format!("storing the version: {e}")))
        }
        e => NotPublished::Failed(Failure::Transient(format!("storing the version: {e}"))),
    };
    let (article, lang, revision) = (job.article_id, job.lang, job.revision);
    // Sentences an editor approved keep the editor's name on the version,
    // and the events name the article by its slug.
    let reviewed_by = if doc.segments.iter().any(|s| s.origin == Origin::Human) {
        handle
            .block_on(store.version(article, lang))
            .map_err(fail)?
            .and_then(|v| v.reviewed_by)
    } else {
        None
    };
    let slug = handle
        .block_on(store.article_by_id(article))
        .map_err(fail)?
        .slug;
    let flags: Vec<NewQaFlag> = doc
        .flags()
        .into_iter()
        .map(|(i, f)| NewQaFlag {
            segment_idx: i.map(|i| i as i64),
            check: f.check,
            severity: f.severity,
            detail: f.detail.clone(),
        })
        .collect();
    let summary = doc.summary();
    // The language's publishing policy decides before anything is stored.
    let (state, hold_reason) = match ctx.config.publishing.policy(lang).decide(&summary) {
        Decision::Publish => (VersionState::Published, None),
        Decision::Hold(why) => (VersionState::Held, Some(why)),
    };
    let held_events = crate::webhooks::events(
        &ctx.config,
        WebhookEvent::Held,
        &slug,
        lang,
        revision,
        Some(summary.flags),
        None,
    );
    let mut events = crate::webhooks::events(
        &ctx.config,
        WebhookEvent::Published,
        &slug,
        lang,
        revision,
        Some(summary.flags),
        None,
    );
    if summary.flags.error > 0 {
        events.extend(crate::webhooks::events(
            &ctx.config,
            WebhookEvent::Flagged,
            &slug,
            lang,
            revision,
            Some(summary.flags),
            None,
        ));
    }
    let pair = Pair {
        src: ctx.config.source,
        trg: lang,
    };
    let publication = Publication {
        version: NewVersion {
            article_id: article,
            lang,
            revision,
            title: doc.title.clone(),
            summary: doc.summary.clone(),
            body_html: doc.body.clone(),
            origin: Origin::Machine,
            state,
            model_id: Some(doc.model_id.clone()),
            quality: Some(summary),
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
        },
        flags,
        memory: doc
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
            .collect(),
        events,
        held_events,
        hold_reason,
        // With confidence on, the job goes on to its scoring phase.
        then: if ctx.config.confidence {
            AfterPublish::Score
        } else {
            AfterPublish::Done
        },
    };
    let lease = Lease {
        job: job.id,
        worker,
        glossary_version: Some(glossary_version),
    };
    let outcome = handle
        .block_on(store.publish_translation(&publication, lease))
        .map_err(fail)?;
    count(ctx, job, doc, &publication.flags);
    Ok(outcome)
}

/// `/metrics` counters of a published job.
fn count(ctx: &WorkerContext, job: &Job, doc: &pipeline::TranslatedDoc, flags: &[NewQaFlag]) {
    let m = &ctx.metrics;
    m.jobs_done.fetch_add(1, Ordering::Relaxed);
    m.segments_translated
        .fetch_add(doc.segments.len() as u64, Ordering::Relaxed);
    m.sentences_translated
        .fetch_add(doc.engine_sentences as u64, Ordering::Relaxed);
    let words: usize = doc
        .segments
        .iter()
        .map(|s| s.source.split_whitespace().count())
        .sum();
    m.words_translated
        .fetch_add(words as u64, Ordering::Relaxed);
    if let Ok(mut by_check) = m.flags_by_check.lock() {
        for f in flags {
            *by_check.entry(f.check.name().to_string()).or_default() += 1;
        }
    }
    let waited = (warta_store::now_millis() - job.created_at).max(0) as f64 / 1000.0;
    if let Ok(mut l) = m.latency.lock() {
        l.entry(job.lang).or_default().observe(waited);
    }
}
