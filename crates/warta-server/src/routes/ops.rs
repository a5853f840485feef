//! Operations: liveness and Prometheus metrics.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::startup::App;

pub async fn healthz(State(app): State<Arc<App>>) -> Result<impl IntoResponse, ApiError> {
    // Healthy means the database answers.
    app.ctx.store.job_counts().await?;
    Ok("ok\n")
}

pub async fn metrics(State(app): State<Arc<App>>) -> Result<impl IntoResponse, ApiError> {
    let m = &app.ctx.metrics;
    let mut out = String::new();
    let counter = |out: &mut String, name: &str, help: &str, v: u64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
    };
    counter(&mut out, "warta_jobs_done_total", "Translation jobs completed by this process.", m.jobs_done.load(Ordering::Relaxed));
    counter(&mut out, "warta_jobs_failed_total", "Translation job attempts that failed.", m.jobs_failed.load(Ordering::Relaxed));
    counter(&mut out, "warta_jobs_parked_total", "Jobs parked waiting for a model.", m.jobs_waiting_for_model.load(Ordering::Relaxed));
    counter(&mut out, "warta_segments_translated_total", "Segments (title, summary, blocks) translated.", m.segments_translated.load(Ordering::Relaxed));
    counter(&mut out, "warta_sentences_translated_total", "Source sentences translated.", m.sentences_translated.load(Ordering::Relaxed));
    counter(&mut out, "warta_tm_lookups_total", "Sentences looked up in the translation memory.", m.tm_lookups.load(Ordering::Relaxed));
    counter(&mut out, "warta_tm_hits_total", "Sentences found in the translation memory.", m.tm_hits.load(Ordering::Relaxed));
    let _ = writeln!(
        out,
        "# HELP warta_translate_seconds_total Time spent in the translation pipeline.\n# TYPE warta_translate_seconds_total counter\nwarta_translate_seconds_total {:.3}",
        m.translate_micros.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(out, "# HELP warta_jobs Jobs in the database by state.\n# TYPE warta_jobs gauge");
    for (state, n) in app.ctx.store.job_counts().await? {
        let _ = writeln!(out, "warta_jobs{{state=\"{}\"}} {n}", state.as_str());
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}
