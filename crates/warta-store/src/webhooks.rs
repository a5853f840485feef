//! Webhook deliveries: the outbox behind `[[webhooks]]` in the config.
//!
//! An event (a language version published, flagged or approved) becomes one
//! row per configured URL. Deliveries are leased exactly like translation
//! jobs (see `jobs.rs`): an owner and an expiry, an attempt counted at lease
//! time, retries after a backoff, `failed` after the last attempt — also
//! when the last attempt's lease ran out without an answer (its node died).
//! So a delivery survives a crash of the node that queued it, and two nodes
//! never send the same delivery at once: the sender renews a delivery's
//! lease right before sending it ([`Store::renew_webhook_lease`]), and sends
//! only if it still holds it. The HTTP call itself is the server's job; this
//! module only stores and hands out the rows.

use std::time::Duration;

use crate::error::{Result, StoreError};
use crate::{duration_millis, now_millis, with_db, Dialect, Store};

/// One delivery of one event to one URL.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub id: i64,
    pub url: String,
    pub event: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    i64,
    i64,
);

fn parse(r: Row) -> WebhookDelivery {
    let (id, url, event, payload, state, attempts, last_status, last_error, created_at, updated_at) =
        r;
    WebhookDelivery {
        id,
        url,
        event,
        payload,
        state,
        attempts,
        last_status,
        last_error,
        created_at,
        updated_at,
    }
}

const COLS: &str =
    "id, url, event, payload, state, attempts, last_status, last_error, created_at, updated_at";

/// One delivery to queue: `$1` url, `$2` event, `$3` payload, `$4` now.
pub(crate) const QUEUE_DELIVERY: &str =
    "INSERT INTO webhook_deliveries (url, event, payload, state, run_after, created_at, updated_at) \
     VALUES ($1, $2, $3, 'queued', $4, $4, $4)";

/// Deliveries are given up after this many attempts (about a day of backoff).
pub const WEBHOOK_MAX_ATTEMPTS: i64 = 12;

impl Store {
    /// Queue `event` with `payload` (JSON text) for each of `urls`.
    pub async fn queue_webhooks(&self, urls: &[String], event: &str, payload: &str) -> Result<()> {
        if urls.is_empty() {
            return Ok(());
        }
        let now = now_millis();
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            for url in urls {
                sqlx::query(QUEUE_DELIVERY)
                    .bind(url)
                    .bind(event)
                    .bind(payload)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Lease up to `n` deliveries that are due for `owner`.
    pub async fn lease_webhooks(
        &self,
        owner: &str,
        n: i64,
        lease: Duration,
    ) -> Result<Vec<WebhookDelivery>> {
        let now = now_millis();
        let expires = now.saturating_add(duration_millis(lease));
        let rows: Vec<Row> = with_db!(self, |pool, dialect| {
            let pick = match dialect {
                Dialect::Sqlite => "",
                Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            };
            let sql = format!(
                "UPDATE webhook_deliveries SET state = 'running', lease_owner = $1, lease_expires_at = $2, \
                 attempts = attempts + 1, updated_at = $3 \
                 WHERE id IN (SELECT id FROM webhook_deliveries WHERE \
                 ((state = 'queued' AND run_after <= $3) OR (state = 'running' AND lease_expires_at <= $3)) \
                 AND attempts < $5 ORDER BY id LIMIT $4{pick}) RETURNING {COLS}"
            );
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            // A lease that ran out on the last attempt will not be leased
            // again (no attempts left), so nobody would ever finish it.
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'failed', \
                 last_error = 'no answer recorded for the last attempt (its lease expired)', \
                 lease_owner = NULL, lease_expires_at = NULL, updated_at = $1 \
                 WHERE state = 'running' AND lease_expires_at <= $1 AND attempts >= $2",
            )
            .bind(now)
            .bind(WEBHOOK_MAX_ATTEMPTS)
            .execute(&mut *tx)
            .await?;
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(owner)
                .bind(expires)
                .bind(now)
                .bind(n)
                .bind(WEBHOOK_MAX_ATTEMPTS)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            rows
        });
        let mut out: Vec<WebhookDelivery> = rows.into_iter().map(parse).collect();
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Extend `owner`'s lease of delivery `id` to `lease` from now, right
    /// before sending it: `false` when `owner` no longer holds it (the lease
    /// ran out and another node took it, or it was failed), and then it must
    /// not be sent. A batch's deliveries are sent one after another, so the
    /// batch's lease alone would not cover its last ones.
    pub async fn renew_webhook_lease(&self, id: i64, owner: &str, lease: Duration) -> Result<bool> {
        let now = now_millis();
        let n = with_db!(self, |pool, _d| {
            sqlx::query(
                "UPDATE webhook_deliveries SET lease_expires_at = $3, updated_at = $4 \
                 WHERE id = $1 AND state = 'running' AND lease_owner = $2",
            )
            .bind(id)
            .bind(owner)
            .bind(now.saturating_add(duration_millis(lease)))
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Record the outcome of an attempt by `owner`: delivered, or queued
    /// again after `backoff` (failed for good after the last attempt).
    pub async fn finish_webhook(
        &self,
        id: i64,
        owner: &str,
        status: Option<u16>,
        error: Option<&str>,
        backoff: Duration,
    ) -> Result<()> {
        let now = now_millis();
        let delivered = error.is_none();
        let n = with_db!(self, |pool, _d| {
            sqlx::query(
                "UPDATE webhook_deliveries SET \
                 state = CASE WHEN $3 THEN 'delivered' WHEN attempts >= $6 THEN 'failed' ELSE 'queued' END, \
                 last_status = $4, last_error = $5, run_after = $7, lease_owner = NULL, lease_expires_at = NULL, \
                 updated_at = $8 WHERE id = $1 AND state = 'running' AND lease_owner = $2",
            )
            .bind(id)
            .bind(owner)
            .bind(delivered)
            .bind(status.map(i64::from))
            .bind(error)
            .bind(WEBHOOK_MAX_ATTEMPTS)
            .bind(now.saturating_add(duration_millis(backoff)))
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::LeaseLost(format!(
                "webhook delivery #{id} is no longer leased by `{owner}`"
            )));
        }
        Ok(())
    }

    /// The newest deliveries first: the delivery log of the API.
    pub async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<WebhookDelivery>> {
        let rows: Vec<Row> = with_db!(self, |pool, _d| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM webhook_deliveries ORDER BY id DESC LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(parse).collect())
    }
}
