//! The store on PostgreSQL, for several server processes on one database.
//! Each file here holds the SQL of the domain file of the same name in
//! `store/`; its schema is `migrations/postgres`.

mod changes;
mod copy;
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
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub(crate) struct Postgres {
    pool: PgPool,
}

impl Postgres {
    pub(crate) async fn open(url: &str) -> Result<Postgres> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Postgres { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}
