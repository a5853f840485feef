//! Two nodes' webhook delivery loops on one database (SQLite file, and
//! PostgreSQL when reachable) against one slow receiver on 127.0.0.1.
//!
//! The failure: a batch of 8 deliveries to a slow receiver outlived
//! the lease, so another node leased the batch's last deliveries and both
//! sent them. Here every batch outlives its lease (8 × 300 ms against
//! 1.5 s), and each delivery must still arrive exactly once, signed.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::http::StatusCode;
use common::{hook_receiver, test_models, PgDatabase};
use warta_server::webhooks::{deliver_loop_with, verify_signature, DeliveryOptions};
use warta_server::{App, Config};
use warta_testkit::wait_until;

const SECRET: &str = "a-test-secret-of-some-length";
const DELIVERIES: usize = 24;
/// How long the receiver takes to answer each delivery.
const RECEIVER_DELAY: Duration = Duration::from_millis(300);

async fn two_nodes_send_each_delivery_once(database_url: Option<&str>) {
    let (url, seen) = hook_receiver(|_| async {
        // A slow receiver: the behaviour under test, not a wait.
        tokio::time::sleep(RECEIVER_DELAY).await;
        StatusCode::NO_CONTENT
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let db = database_url
        .map(|u| format!("database_url = \"{u}\"\n"))
        .unwrap_or_default();
    let text = format!(
        "source = \"en\"\ntargets = [\"pt\"]\n{db}allow_http_webhooks = true\n\
         [[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n"
    );
    let env: BTreeMap<String, String> = [
        (
            "WARTA_DATA_DIR",
            tmp.path().join("data").display().to_string(),
        ),
        ("WARTA_MODELS_DIR", test_models().display().to_string()),
        ("WARTA_LISTEN", "127.0.0.1:0".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // Two nodes: two apps, two connection pools, one database.
    let a = App::build(Config::from_toml(&text, &env).unwrap())
        .await
        .unwrap();
    let b = App::build(Config::from_toml(&text, &env).unwrap())
        .await
        .unwrap();
    for i in 0..DELIVERIES {
        a.ctx
            .store
            .queue_webhooks(
                std::slice::from_ref(&url),
                "published",
                &format!("{{\"n\":{i}}}"),
            )
            .await
            .unwrap();
    }
    let opts = DeliveryOptions {
        batch: 8,
        send_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        lease: Duration::from_millis(1500),
        idle_poll: Duration::from_millis(20),
    };
    let loops = [
        tokio::spawn(deliver_loop_with(
            a.ctx.clone(),
            "node-a".into(),
            opts.clone(),
        )),
        tokio::spawn(deliver_loop_with(b.ctx.clone(), "node-b".into(), opts)),
    ];

    // Until the database has every delivery delivered: the two nodes' loops
    // own that state (as two processes would), so the test polls it.
    wait_until(Duration::from_secs(120), || async {
        let log = a.ctx.store.webhook_deliveries(100).await.unwrap();
        if log.len() == DELIVERIES && log.iter().all(|d| d.state == "delivered") {
            Ok(())
        } else {
            let states: Vec<_> = log.iter().map(|d| (d.id, d.state.clone())).collect();
            Err(format!("{states:?}"))
        }
    })
    .await;
    // Stop both loops and wait for them: no send is in flight after this.
    for app in [&a, &b] {
        app.ctx.shutdown.store(true, Ordering::Relaxed);
    }
    for l in loops {
        l.await.unwrap();
    }

    let seen: Vec<(String, bool)> = seen
        .borrow()
        .iter()
        .map(|h| {
            let signed = verify_signature(SECRET, &h.header("x-warta-signature"), &h.body, h.at);
            (h.header("x-warta-delivery"), signed)
        })
        .collect();
    let mut per_id = BTreeMap::<String, usize>::new();
    for (id, signed) in &seen {
        assert!(signed, "delivery {id}: signature did not verify");
        *per_id.entry(id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(per_id.len(), DELIVERIES);
    a.ctx.store.close().await;
    b.ctx.store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_never_send_one_delivery_twice_on_sqlite() {
    two_nodes_send_each_delivery_once(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_never_send_one_delivery_twice_on_postgres() {
    let Some(pg) = PgDatabase::create() else {
        return;
    };
    two_nodes_send_each_delivery_once(Some(&pg.url)).await;
}

#[test]
fn webhook_urls_must_be_https_unless_http_is_allowed() {
    let env = BTreeMap::new();
    let hook = |url: &str, allow: bool| {
        Config::from_toml(
            &format!(
                "allow_http_webhooks = {allow}\n[[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n"
            ),
            &env,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    assert!(hook("https://cms.example.org/hook", false).is_ok());
    let e = hook("http://cms.example.org/hook", false).unwrap_err();
    assert!(
        e.contains("not https") && e.contains("allow_http_webhooks"),
        "{e}"
    );
    assert!(hook("http://127.0.0.1:9000/hook", true).is_ok());
    for bad in ["ftp://cms.example.org/", "https://", "cms.example.org/hook"] {
        assert!(hook(bad, true).is_err(), "{bad}");
    }
}
