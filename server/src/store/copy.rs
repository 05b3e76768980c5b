//! Moving up: `scraper-server migrate` copies everything a SQLite database
//! holds into an empty PostgreSQL one, in one transaction that commits only
//! once every table has as many rows on both sides.

use super::{Db, Result, Store, StoreError};

/// How many rows one table holds, the same on both sides once copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: u64,
}

/// What is copied, parents before the rows that refer to them.
pub(super) const COPIED: &[&str] = &[
    "flows",
    "runs",
    "run_logs",
    "run_items",
    "run_item_keys",
    "run_counts",
    "run_changes",
    "run_screenshots",
    "api_keys",
    "webhook_deliveries",
    "webhook_attempts",
];

/// What is not: the processes alive now (each node says so itself), and
/// each database's own migration history.
pub(super) const NOT_COPIED: &[&str] = &["nodes", "_sqlx_migrations"];

impl Store {
    /// Copies everything this database holds into `to`, which must be empty.
    /// On any error `to` is left as it was.
    pub async fn copy_into(&self, to: &Store) -> Result<Vec<CopiedTable>> {
        match (&self.db, &to.db) {
            (Db::Sqlite(from), Db::Postgres(to)) => to.copy_from_sqlite(from).await,
            (_, Db::Sqlite(_)) => Err(StoreError::Copy(
                "the destination must be PostgreSQL (--to postgres://...): \
                 migrate moves a SQLite file up to PostgreSQL"
                    .into(),
            )),
            (Db::Postgres(_), _) => Err(StoreError::Copy(
                "the source must be SQLite (--from sqlite://PATH): \
                 migrate moves a SQLite file up to PostgreSQL"
                    .into(),
            )),
        }
    }
}
