//! The in-process guards of the LibreTranslate API: a rate limit per API key
//! (governor's GCRA, `requests_per_minute`) and a cap on translations running
//! at once (`translate_concurrency`), built from `[limits]`.
//!
//! Both are per process on purpose: they protect this node's cores, which is
//! what a flood exhausts. The login throttle, which must hold across nodes,
//! counts in the database too (`login_throttle.rs`).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::configuration::Limits;
use crate::routes::libretranslate::lt_error;

pub struct Guards {
    per_key: Option<DefaultKeyedRateLimiter<String>>,
    per_minute: u32,
    slots: Arc<Semaphore>,
    queue: Duration,
}

impl Guards {
    pub fn new(limits: &Limits) -> Guards {
        let per_key = NonZeroU32::new(limits.requests_per_minute)
            .map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Guards {
            per_key,
            per_minute: limits.requests_per_minute,
            slots: Arc::new(Semaphore::new(limits.translate_concurrency.max(1))),
            queue: Duration::from_millis(limits.translate_queue_ms),
        }
    }

    /// One request by `key`: 429 with `Retry-After` once the key has used
    /// its requests for the minute.
    #[allow(clippy::result_large_err)] // the error is the finished HTTP response
    pub fn rate_limit(&self, key: &str) -> Result<(), Response> {
        let Some(limiter) = &self.per_key else {
            return Ok(());
        };
        // Keys are few (one per CMS or client) but forgetting idle ones keeps
        // a process that runs for months from growing.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        match limiter.check_key(&key.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let msg = format!(
                    "Slowdown: more than {} requests per minute with this API key",
                    self.per_minute
                );
                Err(too_many(msg, wait))
            }
        }
    }

    /// A translation slot, waiting at most `translate_queue_ms` for one.
    #[allow(clippy::result_large_err)]
    pub async fn translate_slot(&self) -> Result<OwnedSemaphorePermit, Response> {
        match tokio::time::timeout(self.queue, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(too_many(
                "Slowdown: too many translations in progress, retry shortly".into(),
                Duration::from_secs(1),
            )),
        }
    }
}

fn too_many(msg: String, wait: Duration) -> Response {
    let mut resp = lt_error(StatusCode::TOO_MANY_REQUESTS, msg);
    // Whole seconds, rounded up: a client that waits this long gets through.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}
