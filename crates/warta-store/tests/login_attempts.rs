//! The admin login throttle's store half, on a fresh SQLite file and a fresh
//! PostgreSQL database (when reachable): attempts are counted before the
//! password check, atomically, so a burst from several nodes (here: two
//! pools on one database) lets at most the allowance through — exactly the
//! allowance, since each attempt gets its own count. Counts are per
//! (username, address) and per address (issue 22: nobody can lock an editor
//! out from elsewhere).

mod common;

use std::time::Duration;

use common::TestDb;
use warta_store::{now_millis, LoginLimit, LoginVerdict, Store};

on_both_backends!(
    a_burst_from_two_nodes_gets_exactly_the_allowance_per_username,
    the_address_allowance_spans_usernames_and_a_success_clears_only_the_user,
    a_new_window_starts_with_a_full_allowance,
    stale_counts_are_swept_and_live_ones_kept,
);

const LIMIT: LoginLimit = LoginLimit {
    per_user: 5,
    per_addr: 1000,
    window: Duration::from_secs(900),
};

async fn burst(stores: &[Store], user: &str, addr: &str, n: usize, limit: LoginLimit) -> usize {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let s = stores[i % stores.len()].clone();
            let (user, addr) = (user.to_string(), addr.to_string());
            tokio::spawn(async move { s.login_attempt(&user, &addr, &limit).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for t in tasks {
        if t.await.unwrap() == LoginVerdict::Allowed {
            allowed += 1;
        }
    }
    allowed
}

async fn a_burst_from_two_nodes_gets_exactly_the_allowance_per_username(db: &TestDb) {
    let other = Store::connect(&db.url).await.unwrap();
    let stores = [db.store.clone(), other];
    assert_eq!(burst(&stores, "rina", "10.0.0.1", 40, LIMIT).await, 5);
    // From another address the name has its own, full allowance.
    assert_eq!(burst(&stores, "rina", "10.0.0.2", 4, LIMIT).await, 4);
    // Case and spaces do not make a new name.
    let v = db
        .store
        .login_attempt(" RINA ", "10.0.0.1", &LIMIT)
        .await
        .unwrap();
    let LoginVerdict::Throttled { retry_after } = v else {
        panic!("{v:?}")
    };
    assert!(
        retry_after > Duration::from_secs(890) && retry_after <= LIMIT.window,
        "{retry_after:?}"
    );
    // Other names are not affected.
    assert_eq!(burst(&stores, "budi", "10.0.0.1", 3, LIMIT).await, 3);
}

async fn the_address_allowance_spans_usernames_and_a_success_clears_only_the_user(db: &TestDb) {
    let limit = LoginLimit {
        per_user: 2,
        per_addr: 3,
        window: Duration::from_secs(900),
    };
    let s = &db.store;
    let mut verdicts = Vec::new();
    for u in ["a", "b", "c", "d"] {
        verdicts
            .push(s.login_attempt(u, "192.0.2.7", &limit).await.unwrap() == LoginVerdict::Allowed);
    }
    assert_eq!(verdicts, [true, true, true, false]);
    // From another address, "a" has its own two attempts.
    for _ in 0..2 {
        assert_eq!(
            s.login_attempt("a", "192.0.2.8", &limit).await.unwrap(),
            LoginVerdict::Allowed
        );
    }
    assert_ne!(
        s.login_attempt("a", "192.0.2.8", &limit).await.unwrap(),
        LoginVerdict::Allowed
    );
    // A success there clears "a" from there (the address's own count, 3 of
    // 3, still allows this one: it was the 4th that went over).
    s.clear_login_attempts("a", "192.0.2.8").await.unwrap();
    let limit = LoginLimit {
        per_addr: 10,
        ..limit
    };
    assert_eq!(
        s.login_attempt("a", "192.0.2.8", &limit).await.unwrap(),
        LoginVerdict::Allowed
    );
    // … and not from the first address, whose count for "a" stands.
    assert_eq!(
        s.login_attempt("a", "192.0.2.7", &limit).await.unwrap(),
        LoginVerdict::Allowed
    );
    assert_ne!(
        s.login_attempt("a", "192.0.2.7", &limit).await.unwrap(),
        LoginVerdict::Allowed
    );
}

async fn a_new_window_starts_with_a_full_allowance(db: &TestDb) {
    let limit = LoginLimit {
        per_user: 1,
        per_addr: 100,
        window: Duration::from_millis(300),
    };
    let s = &db.store;
    let t0 = now_millis();
    assert_eq!(
        s.login_attempt_at("w", "x", &limit, t0).await.unwrap(),
        LoginVerdict::Allowed
    );
    assert_ne!(
        s.login_attempt_at("w", "x", &limit, t0).await.unwrap(),
        LoginVerdict::Allowed
    );
    // The window ends: an attempt 400 ms later (the window is 300) is as
    // if the first two never were; one 299 ms later is not.
    assert_ne!(
        s.login_attempt_at("w", "x", &limit, t0 + 299)
            .await
            .unwrap(),
        LoginVerdict::Allowed
    );
    assert_eq!(
        s.login_attempt_at("w", "x", &limit, t0 + 400)
            .await
            .unwrap(),
        LoginVerdict::Allowed
    );
}

async fn stale_counts_are_swept_and_live_ones_kept(db: &TestDb) {
    let s = &db.store;
    s.login_attempt("a", "192.0.2.1", &LIMIT).await.unwrap();
    s.login_attempt("b", "192.0.2.2", &LIMIT).await.unwrap();
    // Within a 15-minute window both counts still hold.
    assert_eq!(
        s.delete_stale_login_attempts(LIMIT.window).await.unwrap(),
        0
    );
    // With a window of nothing, every count has ended: two rows
    // (user_addr, addr) per attempt.
    assert_eq!(
        s.delete_stale_login_attempts(Duration::ZERO).await.unwrap(),
        4
    );
    assert_eq!(
        s.login_attempt("a", "192.0.2.1", &LIMIT).await.unwrap(),
        LoginVerdict::Allowed
    );
}
