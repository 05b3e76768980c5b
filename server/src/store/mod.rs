//! Everything the server keeps, in one SQLite file through sqlx.
//!
//! One file per table, and `listing` for the paged lists; nothing outside
//! this module writes SQL or sees the database driver's types.

mod changes;
mod flows;
mod ids;
mod items;
mod keys;
mod listing;
mod logs;
mod nodes;
mod queue;
mod retention;
mod runs;
mod schedules;
mod screenshots;
mod webhooks;

pub use changes::{ChangeQuery, RecordedChanges};
pub use flows::{FlowQuery, SecretEdit, mask_secret};
pub use items::{ITEM_PAGE, ItemPages};
pub use keys::{KeyRecord, NewKeyRecord, mask};
pub use nodes::NodeBeat;
pub use queue::{Claimed, Progress};
pub use runs::{PREVIEW_CHANGES, PREVIEW_ITEMS, RunQuery};
pub use schedules::{Due, Fired};
pub use webhooks::{AttemptEnd, DueDelivery, WebhookTarget};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[source] DbError),
    #[error("could not run database migrations: {0}")]
    Migrate(#[source] DbError),
    /// A row holds something this version cannot read (a newer or damaged database).
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
}

/// What the database driver reported, for the server log. Opaque, so that
/// the driver's types stay inside the store whatever database is behind it.
#[derive(Debug)]
pub struct DbError(Box<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::Db(DbError(Box::new(err)))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(DbError(Box::new(err)))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Bumped after every write through this handle (or a clone) that a
    /// flow list shows: flows, and runs (their counts are on the flow).
    flow_writes: Arc<AtomicU64>,
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://scraper.db`,
    /// `sqlite::memory:`...) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL lets readers go on while a run writes items.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            flow_writes: Arc::default(),
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Changes whenever this process has written something a flow list
    /// shows; equal values mean no such write of ours happened in between.
    /// Writes by other processes on the same database do not move it.
    pub fn flows_version(&self) -> u64 {
        self.flow_writes.load(Ordering::Acquire)
    }

    /// Called after such a write has committed, so that whoever sees the new
    /// version reads the new rows.
    fn flows_written(&self) {
        self.flow_writes.fetch_add(1, Ordering::Release);
    }
}

/// Milliseconds since the Unix epoch: the time form of every table.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
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
    sqlx::migrate!("./migrations")
        .run_to(version, &old)
        .await
        .expect("older migrations");
    sqlx::raw_sql(rows).execute(&old).await.expect("old rows");
    old.close().await;
    let url = format!("sqlite://{}", path.display());
    (dir, url)
}
