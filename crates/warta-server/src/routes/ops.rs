//! Operations: liveness and Prometheus metrics.
//!
//! Both may face the internet, so neither tells a stranger more than it
//! must: `/healthz` names what is wrong in an operator's words and gives the
//! request id for the detail, which goes to the log only; `/metrics` (a
//! query over the jobs table per scrape) can take a bearer token
//! (`metrics_token`) or live on an address of its own (`metrics_listen`).

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::startup::App;

/// This node's health: `ok`, or `unhealthy` with the reasons.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    /// Why the node is unhealthy, one sentence each (empty when healthy).
    pub problems: Vec<String>,
    pub workers: WorkerCount,
    /// How long the oldest runnable job has waited; null when none waits.
    pub queue_age_seconds: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Unhealthy,
}

/// Translation worker threads of this process.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerCount {
    pub alive: u64,
    pub expected: u64,
}

/// Healthy means this node can do its job: the database answers, the
/// translation workers it should run are alive, and no runnable job has
/// waited longer than `max_queue_age` (the queue as a whole is stuck — no
/// worker anywhere is taking jobs). Otherwise 503 with the reasons, so a
/// load balancer or orchestrator takes the node out or restarts it.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "ops",
    summary = "Liveness of this node: database, workers, queue age",
    responses(
        (status = 200, description = "Healthy", body = Health),
        (status = 503, description = "Unhealthy; `problems` says why", body = Health),
    ),
)]
pub async fn healthz(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let mut problems = Vec::new();
    let queue_age = match app.ctx.store.queue_age_at(app.clock.now_millis()).await {
        Ok(age) => age,
        Err(e) => {
            // The driver's words stay in the log (this request's span
            // carries the id), the id goes to the caller.
            let id = headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::error!("healthz: database: {e}");
            problems.push(format!(
                "the database does not answer (request id {id}; the server log has the detail)"
            ));
            None
        }
    };
    let m = &app.ctx.metrics;
    let expected = m.workers_expected.load(Ordering::Relaxed);
    let alive = m.workers_alive.load(Ordering::Relaxed);
    if expected > 0 && alive == 0 {
        problems.push(format!(
            "no translation worker alive (this node should run {expected})"
        ));
    }
    let limit = app.config().max_queue_age;
    if let Some(age) = queue_age.filter(|a| *a > limit) {
        problems.push(format!(
            "the oldest runnable job has waited {}s (limit {}s): no worker is taking jobs",
            age.as_secs(),
            limit.as_secs()
        ));
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Health {
        status: if problems.is_empty() {
            HealthStatus::Ok
        } else {
            HealthStatus::Unhealthy
        },
        problems,
        workers: WorkerCount {
            alive: alive as u64,
            expected: expected as u64,
        },
        queue_age_seconds: queue_age.map(|a| a.as_secs_f64()),
    };
    (status, axum::Json(body)).into_response()
}

/// The configured token, from `Authorization: Bearer <token>`. Compared as
/// SHA-256 digests, so the time taken says nothing about the token.
fn metrics_token_ok(app: &App, headers: &HeaderMap) -> bool {
    use sha2::Digest;
    let Some(token) = &app.config().metrics_token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    sha2::Sha256::digest(given.trim().as_bytes()) == sha2::Sha256::digest(token.as_bytes())
}

pub async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !metrics_token_ok(&app, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the token of `metrics_token`: Authorization: Bearer <token>\n",
        )
            .into_response();
    }
    match metrics_text(&app).await {
        Ok(text) => text.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn metrics_text(app: &App) -> Result<impl IntoResponse, ApiError> {
    let m = &app.ctx.metrics;
    let mut out = String::new();
    let counter = |out: &mut String, name: &str, help: &str, v: u64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
        );
    };
    counter(
        &mut out,
        "warta_jobs_done_total",
        "Translation jobs completed by this process.",
        m.jobs_done.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_jobs_failed_total",
        "Translation job attempts that failed.",
        m.jobs_failed.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_jobs_parked_total",
        "Jobs parked waiting for a model.",
        m.jobs_waiting_for_model.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_segments_translated_total",
        "Segments (title, summary, blocks) translated.",
        m.segments_translated.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_sentences_translated_total",
        "Source sentences translated.",
        m.sentences_translated.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_tm_lookups_total",
        "Sentences looked up in the translation memory.",
        m.tm_lookups.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_tm_hits_total",
        "Sentences found in the translation memory.",
        m.tm_hits.load(Ordering::Relaxed),
    );
    let _ = writeln!(
        out,
        "# HELP warta_translate_seconds_total Time spent in the translation pipeline.\n# TYPE warta_translate_seconds_total counter\nwarta_translate_seconds_total {:.3}",
        m.translate_micros.load(Ordering::Relaxed) as f64 / 1e6
    );
    counter(
        &mut out,
        "warta_jobs_panicked_total",
        "Job attempts that panicked and were failed alone.",
        m.jobs_panicked.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "warta_workers_restarted_total",
        "Worker threads that died and were replaced.",
        m.workers_restarted.load(Ordering::Relaxed),
    );
    let gauge = |out: &mut String, name: &str, help: &str, v: f64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
    };
    gauge(
        &mut out,
        "warta_workers_alive",
        "Translation worker threads running in this process.",
        m.workers_alive.load(Ordering::Relaxed) as f64,
    );
    gauge(
        &mut out,
        "warta_workers_expected",
        "Translation worker threads this process should run.",
        m.workers_expected.load(Ordering::Relaxed) as f64,
    );
    let age = app
        .ctx
        .store
        .queue_age_at(app.clock.now_millis())
        .await?
        .map_or(0.0, |a| a.as_secs_f64());
    gauge(
        &mut out,
        "warta_queue_age_seconds",
        "How long the oldest runnable job has waited for a worker.",
        age,
    );
    let held = app.ctx.store.held_summary().await?;
    gauge(
        &mut out,
        "warta_held_versions",
        "Language versions held for an editor (readers see the last published text, if any).",
        held.count as f64,
    );
    let now = warta_store::now_millis();
    gauge(
        &mut out,
        "warta_held_oldest_age_seconds",
        "How long the oldest held version has waited for an editor.",
        held.oldest_held_at
            .map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0),
    );
    counter(
        &mut out,
        "warta_words_translated_total",
        "Source words of versions published by this process.",
        m.words_translated.load(Ordering::Relaxed),
    );
    let (lookups, hits) = (
        m.tm_lookups.load(Ordering::Relaxed),
        m.tm_hits.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "warta_tm_hit_ratio",
        "Share of sentences found in the translation memory.",
        if lookups == 0 {
            0.0
        } else {
            hits as f64 / lookups as f64
        },
    );
    let _ = writeln!(out, "# HELP warta_qa_flags_total QA flags written, by check.\n# TYPE warta_qa_flags_total counter");
    for (check, n) in m
        .flags_by_check
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default()
    {
        let _ = writeln!(out, "warta_qa_flags_total{{check=\"{check}\"}} {n}");
    }
    let _ = writeln!(out, "# HELP warta_flags_dismissed_total QA flags editors dismissed as wrong, by check.\n# TYPE warta_flags_dismissed_total counter");
    for (check, n) in app.ctx.store.dismissals_by_check().await? {
        let _ = writeln!(out, "warta_flags_dismissed_total{{check=\"{check}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP warta_publish_latency_seconds From a job's creation to its version's publication.\n# TYPE warta_publish_latency_seconds histogram"
    );
    for (lang, h) in m.latency.lock().map(|l| l.clone()).unwrap_or_default() {
        let lang = lang.code();
        for (n, bound) in h.buckets.iter().zip(crate::worker::Histogram::BOUNDS) {
            let _ = writeln!(
                out,
                "warta_publish_latency_seconds_bucket{{lang=\"{lang}\",le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "warta_publish_latency_seconds_bucket{{lang=\"{lang}\",le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "warta_publish_latency_seconds_sum{{lang=\"{lang}\"}} {:.3}",
            h.sum
        );
        let _ = writeln!(
            out,
            "warta_publish_latency_seconds_count{{lang=\"{lang}\"}} {}",
            h.count
        );
    }
    let _ = writeln!(out, "# HELP warta_model_resident Models loaded in this process's memory.\n# TYPE warta_model_resident gauge");
    for (pair, model_id) in app.ctx.pool.resident() {
        let _ = writeln!(
            out,
            "warta_model_resident{{pair=\"{pair}\",model=\"{model_id}\"}} 1"
        );
    }
    let (page_hits, page_misses) = app.pages.hits_and_misses();
    counter(
        &mut out,
        "warta_page_cache_hits_total",
        "Public pages served from the page cache.",
        page_hits,
    );
    counter(
        &mut out,
        "warta_page_cache_misses_total",
        "Public pages rendered from the database.",
        page_misses,
    );
    gauge(
        &mut out,
        "warta_page_cache_bytes",
        "Bytes of rendered pages in the page cache.",
        app.pages.weight() as f64,
    );
    let _ = writeln!(
        out,
        "# HELP warta_jobs Jobs in the database by state.\n# TYPE warta_jobs gauge"
    );
    for (state, n) in app.ctx.store.job_counts().await? {
        let _ = writeln!(out, "warta_jobs{{state=\"{}\"}} {n}", state.as_str());
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}
