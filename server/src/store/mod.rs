//! Everything the server keeps, behind one interface: `Store`.
//!
//! The domain files (flows, runs, queue...) are that interface: the types
//! callers see, `Store`'s methods, and what every database shares (row
//! conversions, ids, log lines). Each database is one implementation
//! (`sqlite/`), reached through `Db`; nothing outside this module writes
//! SQL, sees the database driver's types or knows which database it uses.

/// Calls `method(args)` on the database implementation behind `store` and
/// awaits it. A `match` rather than a trait object: each arm is a direct
/// call, with no boxed future on the hot paths (claims, progress, log lines,
/// items).
macro_rules! db {
    ($store:expr, $method:ident($($arg:expr),* $(,)?)) => {
        match &$store.db {
            $crate::store::Db::Sqlite(db) => db.$method($($arg),*).await,
            $crate::store::Db::Postgres(db) => db.$method($($arg),*).await,
        }
    };
}

mod changes;
mod copy;
mod flows;
mod ids;
mod items;
mod keys;
mod listing;
mod logs;
mod nodes;
mod postgres;
mod queue;
mod retention;
mod runs;
mod schedules;
mod screenshots;
mod sqlite;
mod webhooks;

pub use changes::{ChangeQuery, RecordedChanges};
pub use copy::CopiedTable;
pub use flows::{FlowQuery, SecretEdit, mask_secret};
pub use items::{ITEM_PAGE, ItemPages};
pub use keys::{KeyRecord, NewKeyRecord, mask};
pub use nodes::NodeBeat;
pub use queue::{Claimed, Progress, RunQueuedSignals};
pub use runs::{PREVIEW_CHANGES, PREVIEW_ITEMS, RunQuery};
pub use schedules::{Due, Fired};
pub use webhooks::{AttemptEnd, DueDelivery, WebhookTarget};

use postgres::Postgres;
use sqlite::Sqlite;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[source] DbError),
    #[error("could not run database migrations: {0}")]
    Migrate(#[source] DbError),
    /// A row holds something this version cannot read (a newer or damaged database).
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// The URL names no database this version can use. It holds the URL up
    /// to its scheme only: the rest may carry a password.
    #[error(
        "unsupported database URL `{0}`: use sqlite://PATH, sqlite::memory: or \
         postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    )]
    UnsupportedUrl(String),
    /// A copy between databases (`migrate`) was refused or did not add up;
    /// nothing was written.
    #[error("{0}")]
    Copy(String),
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
    db: Db,
    /// Bumped after every write through this handle (or a clone) that a
    /// flow list shows: flows, and runs (their counts are on the flow).
    flow_writes: Arc<AtomicU64>,
}

/// The database a store is on: one variant per implementation, which `db!`
/// dispatches to.
#[derive(Debug, Clone)]
enum Db {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://scraper.db`,
    /// `sqlite::memory:`...) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, true).await
    }

    /// Opens the database at `url` only if it exists (a SQLite file is not
    /// made): for reading one, as `migrate` does.
    pub async fn open_existing(url: &str) -> Result<Store> {
        Store::open_with(url, false).await
    }

    async fn open_with(url: &str, create: bool) -> Result<Store> {
        let db = match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Db::Sqlite(Sqlite::open(url, create).await?),
            Some("postgres" | "postgresql") => Db::Postgres(Postgres::open(url).await?),
            _ => return Err(StoreError::UnsupportedUrl(up_to_scheme(url))),
        };
        Ok(Store {
            db,
            flow_writes: Arc::default(),
        })
    }

    pub async fn close(&self) {
        db!(self, close())
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

/// `scheme://…` for a URL with a scheme; the text itself for one without
/// (a bare path has no credentials to hide).
fn up_to_scheme(url: &str) -> String {
    match url.split_once(':') {
        Some((scheme, rest)) if rest.starts_with("//") => format!("{scheme}://…"),
        Some((scheme, _)) => format!("{scheme}:…"),
        None => url.to_string(),
    }
}

/// A database URL fit for logs and messages: its password, if any, masked.
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.into()
        }
        _ => url.to_string(),
    }
}

/// Milliseconds since the Unix epoch: the time form of every table.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::Store;

    #[tokio::test]
    async fn another_database_is_refused_without_showing_its_password() {
        for (url, shown) in [
            ("mysql://root:hunter2@db/scraper", "`mysql://…`"),
            ("file:scraper.db", "`file:…`"),
            ("scraper.db", "`scraper.db`"),
        ] {
            let err = Store::open(url).await.unwrap_err().to_string();
            assert!(err.contains(shown), "{url}: {err}");
            assert!(err.contains("sqlite://PATH"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn a_shown_url_hides_its_password() {
        assert_eq!(
            super::shown_url("postgres://u:hunter2@db:5432/scraper"),
            "postgres://u:****@db:5432/scraper"
        );
        assert_eq!(
            super::shown_url("sqlite://scraper.db"),
            "sqlite://scraper.db"
        );
    }

    #[tokio::test]
    async fn an_unreachable_postgres_is_an_error_without_its_password() {
        // Port 1 on loopback: nothing listens there, so the connect fails fast.
        let err = Store::open("postgres://u:hunter2@127.0.0.1:1/scraper")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("database error"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
