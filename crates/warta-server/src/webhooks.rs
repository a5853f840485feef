//! Webhooks: tell a newsroom's other systems when a language version is
//! published, flagged or approved.
//!
//! Events are queued in the database (`warta-store`'s delivery outbox) by
//! whoever causes them — the worker after it stores a version, the review
//! queue after an approval — and sent by a delivery loop that runs in every
//! `serve` and `worker` process. A delivery is a JSON `POST` with a
//! timestamped signature, `X-Warta-Signature: t=<unix seconds>,v1=<hex>`,
//! the HMAC-SHA256 of `"{t}.{body}"` with the webhook's secret — Stripe's
//! scheme: the receiver checks the HMAC and that `t` is within
//! [`REPLAY_WINDOW`] of its clock, so a captured request cannot be replayed
//! later. (The earlier `sha256=<hex>` of the body alone is not sent any
//! more: it was valid forever, and a receiver that keeps checking only it
//! keeps the replay hole open.) A delivery is retried with exponential
//! backoff on a network error or a non-2xx answer, each attempt signed
//! afresh, and given up after [`warta_store::WEBHOOK_MAX_ATTEMPTS`].
//! Receivers must be idempotent (`X-Warta-Delivery` is unique per
//! delivery): a node that dies between the send and the record sends again.
//!
//! Leases: a node leases a batch of deliveries, then renews each one's lease
//! right before sending it and sends only if it still holds it, so a batch
//! that takes longer than a lease (8 slow receivers) never lets another node
//! send the same delivery; the lease is four times the send timeout, which
//! bounds one send.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde::Serialize;
use warta_core::{Lang, Slug, Timestamp};
use warta_pipeline::SeverityCounts;
use warta_store::{NewWebhookEvent, RevisionNo};

use crate::configuration::{Config, Webhook, WebhookEvent};
use crate::worker::WorkerContext;

/// What a receiver gets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WebhookPayload)]
pub struct Event<'a> {
    pub event: WebhookEvent,
    pub slug: &'a str,
    pub lang: Lang,
    pub revision: i64,
    /// The version's page.
    #[schema(format = "uri")]
    pub url: String,
    /// Flags by severity, when the event is about a version's quality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<SeverityCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<&'a str>,
    #[schema(format = DateTime)]
    pub at: String,
}

/// The deliveries of one event to every configured webhook that wants it
/// (none when no webhook does), for the store to queue in the transaction
/// of the write that caused it.
pub fn events(
    config: &Config,
    event: WebhookEvent,
    slug: &Slug,
    lang: Lang,
    revision: RevisionNo,
    flags: Option<SeverityCounts>,
    reviewed_by: Option<&str>,
) -> Vec<NewWebhookEvent> {
    let urls: Vec<String> = config
        .webhooks
        .iter()
        .filter(|w| w.events.contains(&event))
        .map(|w| w.url.clone())
        .collect();
    if urls.is_empty() {
        return Vec::new();
    }
    let body = Event {
        event,
        slug: slug.as_str(),
        lang,
        revision: revision.0,
        url: format!(
            "{}/{}/{}",
            config.base_url.trim_end_matches('/'),
            lang.code(),
            slug.as_str()
        ),
        flags,
        reviewed_by,
        at: Timestamp::from_unix_millis(warta_store::now_millis()).rfc3339(),
    };
    match serde_json::to_string(&body) {
        Ok(payload) => vec![NewWebhookEvent {
            urls,
            event: event.as_str().to_string(),
            payload,
        }],
        Err(e) => {
            tracing::error!("webhook payload: {e}");
            Vec::new()
        }
    }
}

/// How far a receiver should accept `t` of a signature from its own clock:
/// five minutes, Stripe's default tolerance, far more than a send takes and
/// clock skew needs, far less than a replay needs.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(300);

/// Hex HMAC-SHA256 of `data` with `secret`.
fn hmac_hex(secret: &str, data: &[&[u8]]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    for d in data {
        mac.update(d);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Warta-Signature` value for `body` sent at `timestamp` (unix
/// seconds): `t=<timestamp>,v1=<hex HMAC-SHA256 of "{t}.{body}">`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    let v1 = hmac_hex(secret, &[t.as_bytes(), b".", body]);
    format!("t={t},v1={v1}")
}

/// What a receiver does with the header: the HMAC matches (compared in
/// constant time) and `t` is within [`REPLAY_WINDOW`] of `now` (unix
/// seconds). For receivers written in Rust, and the tests.
pub fn verify_signature(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let window = REPLAY_WINDOW.as_secs() as i64;
    if (now - t).abs() > window {
        return false;
    }
    let Ok(given) = hex::decode(v1) else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// How a node sends deliveries.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Deliveries leased at once.
    pub batch: i64,
    /// The longest one send may take, connecting included.
    pub send_timeout: Duration,
    pub connect_timeout: Duration,
    /// Each delivery's lease, renewed right before its send: more than a
    /// send, so a live node always records its answer before losing it.
    pub lease: Duration,
    /// The pause after finding nothing to send.
    pub idle_poll: Duration,
}

impl Default for DeliveryOptions {
    fn default() -> DeliveryOptions {
        let send_timeout = Duration::from_secs(15);
        DeliveryOptions {
            batch: 8,
            send_timeout,
            connect_timeout: Duration::from_secs(5),
            lease: send_timeout * 4,
            idle_poll: Duration::from_millis(250),
        }
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Send due deliveries until `ctx.shutdown`; started by `serve` and `worker`
/// when webhooks are configured.
pub async fn deliver_loop(ctx: Arc<WorkerContext>, owner: String) {
    deliver_loop_with(ctx, owner, DeliveryOptions::default()).await
}

/// [`deliver_loop`] with other options (tests: short leases and timeouts).
pub async fn deliver_loop_with(ctx: Arc<WorkerContext>, owner: String, opts: DeliveryOptions) {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(opts.connect_timeout)
        .timeout(opts.send_timeout)
        .redirects(0)
        .build();
    while !ctx.shutdown.load(Ordering::Relaxed) {
        let due = match ctx
            .store
            .lease_webhooks(&owner, opts.batch, opts.lease)
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!("leasing webhook deliveries: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::time::sleep(opts.idle_poll).await;
            continue;
        }
        for d in due {
            if ctx.shutdown.load(Ordering::Relaxed) {
                break;
            }
            // Still ours? The batch's earlier sends may have outlasted the
            // lease and another node taken this one.
            match ctx
                .store
                .renew_webhook_lease(d.id, &owner, opts.lease)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!(delivery = d.id, "lease lost before sending; skipped");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(delivery = d.id, "renewing a webhook lease: {e}");
                    continue;
                }
            }
            let Some(hook) = ctx.config.webhooks.iter().find(|w| w.url == d.url).cloned() else {
                // The URL was removed from the config: nothing to sign with.
                let _ = ctx
                    .store
                    .finish_webhook(
                        d.id,
                        &owner,
                        None,
                        Some("webhook no longer configured"),
                        MAX_BACKOFF,
                    )
                    .await;
                continue;
            };
            let agent = agent.clone();
            let (id, event, payload) = (d.id, d.event.clone(), d.payload.clone());
            let sent =
                tokio::task::spawn_blocking(move || send(&agent, &hook, id, &event, &payload))
                    .await;
            let (status, error) = match sent {
                Ok(Ok(status)) => (Some(status), None),
                Ok(Err((status, e))) => (status, Some(e)),
                Err(e) => (None, Some(format!("delivery task: {e}"))),
            };
            let backoff = Duration::from_secs(2u64.saturating_pow(d.attempts.clamp(0, 20) as u32))
                .min(MAX_BACKOFF);
            if let Some(e) = &error {
                tracing::warn!(delivery = d.id, url = %d.url, attempt = d.attempts, "webhook not delivered: {e}");
            }
            if let Err(e) = ctx
                .store
                .finish_webhook(d.id, &owner, status, error.as_deref(), backoff)
                .await
            {
                tracing::warn!(delivery = d.id, "recording webhook delivery: {e}");
            }
        }
    }
}

fn send(
    agent: &ureq::Agent,
    hook: &Webhook,
    id: i64,
    event: &str,
    payload: &str,
) -> Result<u16, (Option<u16>, String)> {
    let r = agent
        .post(&hook.url)
        .set("content-type", "application/json")
        .set("user-agent", concat!("warta/", env!("CARGO_PKG_VERSION")))
        .set("x-warta-event", event)
        .set("x-warta-delivery", &id.to_string())
        .set(
            "x-warta-signature",
            &signature(&hook.secret, unix_now(), payload.as_bytes()),
        )
        .send_string(payload);
    match r {
        Ok(resp) => Ok(resp.status()),
        Err(ureq::Error::Status(code, _)) => Err((Some(code), format!("HTTP {code}"))),
        Err(e) => Err((
            None,
            e.to_string()
                .lines()
                .next()
                .unwrap_or("network error")
                .to_string(),
        )),
    }
}

fn unix_now() -> i64 {
    warta_store::now_millis().div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_hex("Jefe", &[b"what do ya want for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// Stripe's construction: the signed text is "{t}.{body}". The expected
    /// value is Python's `hmac.new(b"Jefe", b"1700000000.what do ya want for
    /// nothing?", "sha256").hexdigest()`.
    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let sig = signature("Jefe", 1_700_000_000, b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "t=1700000000,v1=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
        let body = b"what do ya want for nothing?";
        assert!(verify_signature("Jefe", &sig, body, 1_700_000_000));
        assert!(verify_signature("Jefe", &sig, body, 1_700_000_299));
        // Replayed after the window, or with another body, key or time.
        assert!(!verify_signature("Jefe", &sig, body, 1_700_000_301));
        assert!(!verify_signature("Jefe", &sig, b"other", 1_700_000_000));
        assert!(!verify_signature("jefe", &sig, body, 1_700_000_000));
        let moved = sig.replace("t=1700000000", "t=1700000100");
        assert!(!verify_signature("Jefe", &moved, body, 1_700_000_100));
        assert!(!verify_signature("Jefe", "v1=00", body, 1_700_000_000));
    }
}
