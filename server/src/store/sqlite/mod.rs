//! The store on SQLite: one file (or `:memory:`), in WAL mode, through a
//! pool of sqlx connections. Each file here holds the SQL of the domain file
//! of the same name in `store/`.

mod changes;
mod flows;
mod items;
mod keys;
mod logs;
mod nodes;
mod queue;
mod retention;
mod runs;
mod schedules;
mod screenshots;
mod webhooks;

use super::Result;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub(crate) struct Sqlite {
    pool: SqlitePool,
}

impl Sqlite {
    /// Opens the file at `url`, making it if missing and `create`.
    pub(crate) async fn open(url: &str, create: bool) -> Result<Sqlite> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(create)
            // WAL lets readers go on while a run writes items.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Sqlite { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    /// For a copy into another database, which reads every table.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// A database as an older version left it: migrated up to `version`, with
/// `rows` written by that version's rules. Opening a `Store` on the URL
/// then runs the migrations that came later.
#[cfg(test)]
pub(crate) async fn old_database(version: i64, rows: &'static str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let old = SqlitePool::connect_with(options)
        .await
        .expect("old database");
    sqlx::migrate!("./migrations/sqlite")
        .run_to(version, &old)
        .await
        .expect("older migrations");
    sqlx::raw_sql(rows).execute(&old).await.expect("old rows");
    old.close().await;
    let url = format!("sqlite://{}", path.display());
    (dir, url)
}
