//! Webhook delivery leases, on a fresh SQLite file and a fresh PostgreSQL
//! database (when reachable). Issue 22: "a delivery whose lease expires on
//! its last attempt stays `running` forever", and "a batch … outlives the
//! lease, so another node sends duplicates".

mod common;

use std::time::Duration;

use common::TestDb;
use warta_store::{Store, WEBHOOK_MAX_ATTEMPTS};

on_both_backends!(
    a_delivery_whose_lease_expired_on_its_last_attempt_is_failed,
    only_the_holder_of_a_lease_can_renew_it_and_a_renewed_lease_keeps_others_off,
);

const URL: &str = "https://cms.example.org/hook";

async fn state_of(store: &Store) -> (String, i64, Option<String>) {
    let d = store.webhook_deliveries(10).await.unwrap().remove(0);
    (d.state, d.attempts, d.last_error)
}

async fn a_delivery_whose_lease_expired_on_its_last_attempt_is_failed(db: &TestDb) {
    let s = &db.store;
    s.queue_webhooks(&[URL.into()], "published", "{}")
        .await
        .unwrap();
    // A node that leases the delivery and dies before recording an answer,
    // every attempt: a zero lease has run out by the next call.
    for attempt in 1..=WEBHOOK_MAX_ATTEMPTS {
        let leased = s
            .lease_webhooks("dying-node", 8, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(leased.len(), 1, "attempt {attempt}");
        assert_eq!(leased[0].attempts, attempt);
    }
    assert_eq!(state_of(s).await.0, "running");
    // The next round of any node finds no attempt left: failed, not stuck.
    let leased = s
        .lease_webhooks("other-node", 8, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(leased.is_empty());
    let (state, attempts, error) = state_of(s).await;
    assert_eq!((state.as_str(), attempts), ("failed", WEBHOOK_MAX_ATTEMPTS));
    assert!(error.unwrap().contains("lease expired"));
}

async fn only_the_holder_of_a_lease_can_renew_it_and_a_renewed_lease_keeps_others_off(db: &TestDb) {
    let a = &db.store;
    let b = db.open_another().await;
    a.queue_webhooks(&[URL.into()], "published", "{}")
        .await
        .unwrap();
    let id = a.lease_webhooks("node-a", 8, Duration::ZERO).await.unwrap()[0].id;
    // A's lease ran out before A got to the delivery; B takes it.
    let taken = b
        .lease_webhooks("node-b", 8, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert!(!a
        .renew_webhook_lease(id, "node-a", Duration::from_secs(60))
        .await
        .unwrap());
    assert!(b
        .renew_webhook_lease(id, "node-b", Duration::from_secs(60))
        .await
        .unwrap());
    assert!(a
        .lease_webhooks("node-a", 8, Duration::from_secs(60))
        .await
        .unwrap()
        .is_empty());
    b.close().await;
}
