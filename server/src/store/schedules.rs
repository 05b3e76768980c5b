//! Scheduled flows: which ticks are due, and firing one tick exactly once
//! however many processes share the database.

use super::{Result, Store, ids, logs, now_ms};
use scraper_common::LogLevel;
use scraper_common::time::{format, from_millis};

/// A tick that has come: the flow's stored `next_run_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub flow_id: String,
    pub schedule: String,
    pub timezone: Option<String>,
    pub tick: i64,
}

/// What became of a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// A run was queued; its id.
    Queued(String),
    /// The flow's previous run was still queued or running: no run was
    /// stacked behind it, and that run's log says so.
    Skipped { busy: String },
    /// Another process fired it first (or the flow was paused, changed or
    /// deleted meanwhile).
    Taken,
}

impl Store {
    /// Scheduled flows whose tick is at or before `now`, oldest first: the
    /// active ones, and those in `error` (a failed run marks a flow so; its
    /// schedule goes on, or a broken monitor would stop in silence).
    pub async fn due_flows(&self, now: i64) -> Result<Vec<Due>> {
        let due = sqlx::query_as(
            "SELECT id AS flow_id, schedule, timezone, next_run_at AS tick FROM flows \
             WHERE next_run_at <= ? AND status IN ('active', 'error') AND schedule IS NOT NULL \
             ORDER BY next_run_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(due)
    }

    /// Fires `tick` of `flow_id` and moves the flow on to `next`, in one
    /// transaction. The move is a compare-and-set on the stored tick: of two
    /// processes that saw the same tick due, one fires it, the other gets
    /// `Taken`; a crash before the commit fires nothing and loses nothing.
    pub async fn fire_tick(&self, flow_id: &str, tick: i64, next: Option<i64>) -> Result<Fired> {
        let pool = &self.pool;
        let fired = ids::insert_with_fresh_id("run", |id| async move {
            let now = now_ms();
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query(
                "UPDATE flows SET next_run_at = ? \
                 WHERE id = ? AND next_run_at = ? AND status IN ('active', 'error')",
            )
            .bind(next)
            .bind(flow_id)
            .bind(tick)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                return Ok(Fired::Taken);
            }
            let busy: Option<(String, String)> = sqlx::query_as(
                "SELECT id, status FROM runs WHERE flow_id = ? AND status IN ('queued', 'running') \
                 ORDER BY created_at LIMIT 1",
            )
            .bind(flow_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((busy, status)) = busy {
                let note = format!(
                    "Scheduled run at {} skipped: this run is still {status}",
                    format(&from_millis(tick))
                );
                logs::append(&mut tx, &busy, now, LogLevel::Warn, &note).await?;
                tx.commit().await?;
                return Ok(Fired::Skipped { busy });
            }
            sqlx::query(
                "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at) \
                 VALUES (?, ?, 'queued', 'schedule', ?, ?)",
            )
            .bind(&id)
            .bind(flow_id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let queued = format!(
                "Run queued (trigger: schedule, tick {})",
                format(&from_millis(tick))
            );
            logs::append(&mut tx, &id, now, LogLevel::Info, &queued).await?;
            tx.commit().await?;
            Ok(Fired::Queued(id))
        })
        .await?;
        self.flows_written();
        Ok(fired)
    }
}
