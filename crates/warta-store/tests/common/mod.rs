//! Real databases for the store tests: a fresh SQLite file in a temporary
//! directory, and a fresh PostgreSQL database per test when a server is
//! reachable (`warta_testkit::postgres`: `WARTA_TEST_POSTGRES_URL`, and
//! `WARTA_REQUIRE_POSTGRES=1` to make an unreachable server a failure
//! instead of a skip, as in CI).

#![allow(dead_code)]

use sqlx::{Connection, Row};
use warta_store::{Store, StoreOptions};
use warta_testkit::postgres::PgDatabase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One test's database. Dropping it removes it (the temporary directory, or
/// the PostgreSQL database, also when the test panicked).
pub struct TestDb {
    pub store: Store,
    /// What `Store::connect` was given; connect again to get a second pool.
    pub url: String,
    pub kind: Kind,
    /// SQLite: the database file.
    pub path: Option<std::path::PathBuf>,
    _pg: Option<PgDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("warta.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let store = Store::connect(&url).await.expect("open SQLite store");
        TestDb {
            store,
            url,
            kind: Kind::Sqlite,
            path: Some(path),
            _pg: None,
            _dir: Some(dir),
        }
    }

    /// `None` (after saying so) when no PostgreSQL server answers.
    pub async fn postgres() -> Option<TestDb> {
        let pg = PgDatabase::create()?;
        let store = Store::connect(&pg.url)
            .await
            .expect("open PostgreSQL store");
        Some(TestDb {
            store,
            url: pg.url.clone(),
            kind: Kind::Postgres,
            path: None,
            _pg: Some(pg),
            _dir: None,
        })
    }

    /// A second, independent pool on the same database (another process,
    /// as far as the database can tell).
    pub async fn open_another(&self) -> Store {
        self.open_with(&StoreOptions::default()).await
    }

    pub async fn open_with(&self, opts: &StoreOptions) -> Store {
        // SQLite: the bare path this time, the other accepted form.
        let url = match &self.path {
            Some(p) => p.display().to_string(),
            None => self.url.clone(),
        };
        Store::connect_with(&url, opts)
            .await
            .expect("open second store")
    }

    /// Every row of `sql` (which must select only text columns), read
    /// behind the store's back.
    pub async fn raw_text_rows(&self, sql: &'static str) -> Vec<Vec<String>> {
        fn texts<R: Row>(rows: Vec<R>) -> Vec<Vec<String>>
        where
            usize: sqlx::ColumnIndex<R>,
            String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        {
            rows.iter()
                .map(|r| (0..r.len()).map(|i| r.get::<String, _>(i)).collect())
                .collect()
        }
        match self.kind {
            Kind::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                texts(sqlx::query(sql).fetch_all(&mut c).await.unwrap())
            }
            Kind::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                texts(sqlx::query(sql).fetch_all(&mut c).await.unwrap())
            }
        }
    }

    /// Make every later insert into `table` fail inside the database (a
    /// trigger that raises), to show that a write which inserts there
    /// leaves nothing of itself behind.
    pub async fn fail_inserts_into(&self, table: &str) {
        let statements: Vec<String> = match self.kind {
            Kind::Sqlite => vec![format!(
                "CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )],
            Kind::Postgres => vec![
                "CREATE OR REPLACE FUNCTION warta_test_fail() RETURNS trigger AS \
                 $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
                    .to_string(),
                format!(
                    "CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION warta_test_fail()"
                ),
            ],
        };
        for sql in statements {
            match self.kind {
                Kind::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
                Kind::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
            }
        }
    }

    /// SQLite only: the bytes of the database file and its WAL.
    pub fn sqlite_file_bytes(&self) -> Option<Vec<u8>> {
        let path = self.path.as_ref()?;
        let mut bytes = std::fs::read(path).unwrap_or_default();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        bytes.extend(std::fs::read(wal).unwrap_or_default());
        Some(bytes)
    }
}

/// Run each named suite function against both backends: `mod sqlite` and
/// `mod postgres`, one `#[tokio::test]` per function and backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    $crate::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::common::TestDb::postgres().await else { return };
                    $crate::$name(&db).await;
                }
            )*
        }
    };
}
