//! What the embedded default promises on disk (DESIGN.md, Storage: "SQLite
//! as the embedded default (one file, WAL)").

mod common;

use common::TestDb;
use warta_store::{Backend, Store, StoreError};

#[tokio::test]
async fn sqlite_store_is_one_wal_file_created_on_first_connect() {
    let db = TestDb::sqlite().await;
    assert_eq!(db.store.backend(), Backend::Sqlite);
    let path = db.path.as_ref().unwrap();
    assert!(path.exists(), "created on first connect");
    let mode = db.raw_text_rows("PRAGMA journal_mode").await;
    assert_eq!(mode[0][0], "wal");
}

#[tokio::test]
async fn a_bare_path_and_a_sqlite_url_open_the_same_database() {
    let db = TestDb::sqlite().await;
    let (key, _) = db.store.create_api_key("cms").await.unwrap();
    let bare = Store::connect(db.path.as_ref().unwrap().to_str().unwrap())
        .await
        .unwrap();
    assert!(bare.verify_api_key(&key).await.unwrap().is_some());
}

#[tokio::test]
async fn unusable_urls_are_refused_with_the_url_named() {
    for url in ["sqlite::memory:", "mysql://localhost/warta"] {
        match Store::connect(url).await {
            Err(e @ StoreError::BadUrl { .. }) => assert!(e.to_string().contains(url), "{e}"),
            other => panic!("{url}: {other:?}"),
        }
    }
}
