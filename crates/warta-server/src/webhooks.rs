//! Webhooks: tell a newsroom's other systems when a language version is
//! published, flagged or approved.
//!
//! Events are queued in the database (`warta-store`'s delivery outbox) by
//! whoever causes them — the worker after it stores a version, the review
//! queue after an approval — and sent by a delivery loop that runs in every
//! `serve` and `worker` process. A delivery is a JSON `POST` signed with
//! HMAC-SHA256 over the exact body bytes (`X-Warta-Signature: sha256=<hex>`,
//! the GitHub convention receivers already know how to check), retried with
//! exponential backoff on a network error or a non-2xx answer, and given up
//! after [`warta_store::WEBHOOK_MAX_ATTEMPTS`]. Receivers must be idempotent
//! (`X-Warta-Delivery` is unique per delivery): a node that dies between the
//! send and the record sends again.

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

/// `sha256=<hex>` of HMAC-SHA256(secret, body).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

const LEASE: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Send due deliveries until `ctx.shutdown`; started by `serve` and `worker`
/// when webhooks are configured.
pub async fn deliver_loop(ctx: Arc<WorkerContext>, owner: String) {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirects(0)
        .build();
    while !ctx.shutdown.load(Ordering::Relaxed) {
        let due = match ctx.store.lease_webhooks(&owner, 8, LEASE).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!("leasing webhook deliveries: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        for d in due {
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
            &signature(&hook.secret, payload.as_bytes()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
