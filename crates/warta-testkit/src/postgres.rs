//! A fresh PostgreSQL database for one test, dropped with it (also when the
//! test panicked). The server is `WARTA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`; its user must be allowed to
//! create databases). When no server answers the test is skipped with a
//! note, unless `WARTA_REQUIRE_POSTGRES=1` (set by `.ci/run`) makes that a
//! failure.
//!
//! Blocking, on a runtime of its own thread: usable from plain tests, from
//! async tests and from `Drop`, which cannot block on the test's runtime.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::Connection;

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server the test databases are made on.
pub fn admin_url() -> String {
    std::env::var("WARTA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// `WARTA_REQUIRE_POSTGRES=1`: an unreachable server fails the test.
pub fn required() -> bool {
    std::env::var("WARTA_REQUIRE_POSTGRES").as_deref() == Ok("1")
}

pub struct PgDatabase {
    /// The database's URL, for `Store::connect` or `database_url`.
    pub url: String,
    pub name: String,
    admin: String,
}

impl PgDatabase {
    /// A new, empty database; `None` (after saying so) when no server
    /// answers and none is required.
    pub fn create() -> Option<PgDatabase> {
        let admin = admin_url();
        Self::create_on(&admin)
    }

    /// A new, empty database on the server of `admin` (a URL naming any
    /// database there).
    pub fn create_on(admin: &str) -> Option<PgDatabase> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "warta_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let created = {
            let (admin, name) = (admin.to_string(), name.clone());
            on_own_runtime(async move {
                let mut c = tokio::time::timeout(
                    Duration::from_secs(5),
                    sqlx::PgConnection::connect(&admin),
                )
                .await
                .map_err(|_| "timed out".to_string())?
                .map_err(|e| e.to_string())?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut c)
                    .await
                    .map_err(|e| format!("CREATE DATABASE (the test user needs CREATEDB): {e}"))?;
                c.close().await.ok();
                Ok::<(), String>(())
            })
        };
        if let Err(why) = created {
            assert!(
                !required(),
                "PostgreSQL required (WARTA_REQUIRE_POSTGRES=1) but not usable at {admin}: {why}"
            );
            eprintln!("SKIPPED: PostgreSQL not reachable at {admin} ({why})");
            return None;
        }
        let base = admin.split('?').next().unwrap_or(admin);
        let (server, _db) = base.rsplit_once('/').expect("postgres URL with a database");
        Some(PgDatabase {
            url: format!("{server}/{name}"),
            name,
            admin: admin.to_string(),
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        on_own_runtime(async move {
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut c).await {
                    eprintln!("could not drop test database {name}: {e}");
                }
            }
        });
    }
}

/// Run `f` to completion on a current-thread runtime on its own thread.
fn on_own_runtime<T: Send + 'static>(
    f: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    })
    .join()
    .unwrap()
}
