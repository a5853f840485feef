//! API key scopes in the store, on a fresh SQLite file and a fresh
//! PostgreSQL database (when reachable): a key holds the scopes it was made
//! with, and a key made before scopes existed keeps everything it could do
//! (issue 22: "existing keys keep what they can do today").

mod common;

use std::path::Path;

use common::{Kind, TestDb};
use warta_store::{Scope, Scopes, Store, StoreError};
use warta_testkit::postgres::PgDatabase;

on_both_backends!(
    a_key_holds_the_scopes_it_was_made_with,
    a_key_needs_at_least_one_scope,
    keys_made_before_scopes_existed_keep_every_scope,
);

async fn a_key_holds_the_scopes_it_was_made_with(db: &TestDb) {
    let s = &db.store;
    let plugin = Scopes::parse("translate").unwrap();
    let (key, listed) = s.create_scoped_api_key("plugin", plugin).await.unwrap();
    assert_eq!(listed.scopes, plugin);
    let verified = s.verify_api_key(&key).await.unwrap().unwrap();
    assert!(verified.scopes.contains(Scope::Translate));
    for other in [
        Scope::Articles,
        Scope::Glossary,
        Scope::Webhooks,
        Scope::Stats,
        Scope::Admin,
    ] {
        assert!(!verified.scopes.contains(other), "{other}");
    }
    let cms = Scopes::parse("articles, glossary").unwrap();
    s.create_scoped_api_key("cms", cms).await.unwrap();
    // `create_api_key` is the every-scope key programs and tests use.
    s.create_api_key("all").await.unwrap();
    let listed: Vec<(String, String)> = s
        .list_api_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.name, k.scopes.to_string()))
        .collect();
    assert_eq!(
        listed,
        [
            ("plugin".into(), "translate".into()),
            ("cms".into(), "articles, glossary".into()),
            (
                "all".into(),
                "translate, articles, glossary, webhooks, stats, admin".into()
            ),
        ]
    );
    // Stored as names, so an operator reading the table sees what a key may do.
    let rows = db
        .raw_text_rows("SELECT scopes FROM api_keys ORDER BY id")
        .await;
    assert_eq!(rows[1], ["articles glossary"]);
}

async fn a_key_needs_at_least_one_scope(db: &TestDb) {
    let e = db
        .store
        .create_scoped_api_key("nothing", Scopes::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(m) if m.contains("at least one scope")),
        "{e}"
    );
    let e = Scopes::parse("translate,root").unwrap_err().to_string();
    assert!(
        e.contains("`root`") && e.contains("translate, articles"),
        "{e}"
    );
    assert_eq!(Scopes::parse("all").unwrap(), Scopes::all());
}

/// The database as the previous release left it: every migration before
/// 0011 (copied to a directory of their own, so sqlx's public migrator runs
/// exactly those), and a key inserted the way that release inserted keys.
async fn keys_made_before_scopes_existed_keep_every_scope(db: &TestDb) {
    // A fresh database of the same kind, not yet migrated by the store.
    let (url, _guard) = fresh_unmigrated(db).await;
    let backend = match db.kind {
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    };
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let old = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&all).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let version: u32 = name[..4].parse().unwrap();
        if version < 11 {
            std::fs::copy(e.path(), old.path().join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.path()).await.unwrap();
    // The key the previous release's `create_api_key` wrote (auth.rs at 18a9341).
    let insert = "INSERT INTO api_keys (name, key_hash, prefix, created_at) \
                  VALUES ('old-cms', 'aa', 'wk_0000000', 1)";
    match db.kind {
        Kind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::query(insert).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::query(insert).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
    let store = Store::connect(&url).await.unwrap();
    let keys = store.list_api_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].name, "old-cms");
    // Every scope there was then (0011's UPDATE); `admin` came with 0013
    // and is given to a key, never inherited.
    assert_eq!(
        keys[0].scopes,
        Scopes::parse("translate articles glossary webhooks stats").unwrap()
    );
    store.close().await;
}

/// Another empty database beside `db`'s: a file in a new directory, or a
/// new PostgreSQL database (dropped with the returned guard).
async fn fresh_unmigrated(db: &TestDb) -> (String, Box<dyn std::any::Any>) {
    match db.kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
            (url, Box::new(dir))
        }
        Kind::Postgres => {
            let pg = PgDatabase::create().expect("the server of `db` answers");
            (pg.url.clone(), Box::new(pg))
        }
    }
}
