//! The databases tests run on: a SQLite file in a temporary folder, or a
//! database of its own on the PostgreSQL server `SCRAPER_TEST_POSTGRES_URL`
//! names (`.ci/postgres start` makes a throwaway one).
//!
//! End-to-end tests take theirs from `SCRAPER_TEST_DATABASE` (`sqlite`, the
//! default, or `postgres`), so the whole suite runs on either without being
//! copied; the store tests take both at once.

use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;

/// Names the PostgreSQL server tests may make databases on.
pub const POSTGRES_URL_VAR: &str = "SCRAPER_TEST_POSTGRES_URL";
/// Which database end-to-end tests run on.
pub const DATABASE_VAR: &str = "SCRAPER_TEST_DATABASE";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The one `SCRAPER_TEST_DATABASE` names.
    pub fn chosen() -> Backend {
        match std::env::var(DATABASE_VAR).as_deref() {
            Err(_) | Ok("" | "sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("{DATABASE_VAR}={other}: use sqlite or postgres"),
        }
    }

    /// The backend a database URL is on.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database for one test, removed when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    /// SQLite's file is in here.
    dir: Option<TempDir>,
    /// PostgreSQL's: the server's URL and the database's name.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new, empty database on `backend`.
    pub async fn fresh(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("scraper.db").display());
                TestDatabase {
                    backend,
                    url,
                    dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_url().unwrap_or_else(|| {
                    panic!("{DATABASE_VAR}=postgres needs {POSTGRES_URL_VAR}: .ci/postgres start")
                });
                Self::on_postgres(admin).await
            }
        }
    }

    /// A new database on the PostgreSQL server at `admin`.
    async fn on_postgres(admin: String) -> TestDatabase {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("connect to {POSTGRES_URL_VAR}: {e}"));
        // Left by an earlier run whose process had the same id.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("make a test database");
        }
        conn.close().await.ok();
        let mut url = url::Url::parse(&admin).expect("the PostgreSQL URL is a URL");
        url.set_path(&name);
        TestDatabase {
            backend: Backend::Postgres,
            url: url.into(),
            dir: None,
            postgres: Some((admin, name)),
        }
    }

    /// The SQLite file, for tests of what that file holds.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.path().join("scraper.db"))
    }

    /// The folder the SQLite file is in.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}

/// The PostgreSQL server tests may use, when there is one; under CI there
/// must be one.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {POSTGRES_URL_VAR} is not: start one with .ci/postgres start")
        }
        Err(_) => None,
    }
}

/// Dropped on a thread of its own: the test's runtime may be the one
/// dropping, and it cannot be blocked on from inside.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        });
        // A database left behind goes with the throwaway cluster.
        let _ = dropped.join();
    }
}
