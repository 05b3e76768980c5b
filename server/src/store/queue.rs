//! The run queue: atomic claims, leases, and the sweep for lost workers.
//!
//! Every transition is one guarded UPDATE, so two server processes on one
//! database file can never both take a run, and a cancelled run is never
//! turned back into a finished one by a worker that has not noticed yet.

use super::{Result, Store, StoreError, now_ms};
use scraper_common::{FailureReason, LogLevel, RunStatus};

/// A run a worker has just taken.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub flow_id: String,
}

/// Counters a worker reports as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub pages_fetched: u64,
    pub pages_failed: u64,
    pub items_extracted: u64,
    pub bytes_downloaded: u64,
    pub cost: f64,
}

impl Store {
    /// Takes the oldest queued run for `worker`, or `None` when there is none.
    pub async fn claim_run(&self, worker: &str, lease_ms: i64) -> Result<Option<Claimed>> {
        self.claim_run_on(None, worker, lease_ms).await
    }

    /// `claim_run`, recording `node` (its name) as the node executing it.
    pub async fn claim_run_on(
        &self,
        node: Option<&str>,
        worker: &str,
        lease_ms: i64,
    ) -> Result<Option<Claimed>> {
        let now = now_ms();
        let claimed: Option<Claimed> = sqlx::query_as(
            "UPDATE runs SET status = 'running', worker_id = ?, node = ?, started_at = ?, \
             lease_expires_at = ? \
             WHERE id = (SELECT id FROM runs WHERE status = 'queued' \
                         ORDER BY created_at, id LIMIT 1) \
               AND status = 'queued' \
             RETURNING id, flow_id",
        )
        .bind(worker)
        .bind(node)
        .bind(now)
        .bind(now + lease_ms)
        .fetch_optional(&self.pool)
        .await?;
        if claimed.is_some() {
            self.flows_written();
        }
        Ok(claimed)
    }

    /// Renews the lease. `false` when the run is no longer this worker's to
    /// run (cancelled, or failed as lost): the worker must stop.
    pub async fn renew_lease(&self, id: &str, worker: &str, lease_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE runs SET lease_expires_at = ? \
             WHERE id = ? AND worker_id = ? AND status = 'running'",
        )
        .bind(now_ms() + lease_ms)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether `worker` still holds run `id` (it was not cancelled or failed
    /// as lost meanwhile): a read, cheaper than renewing the lease.
    pub async fn holds_run(&self, id: &str, worker: &str) -> Result<bool> {
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM runs WHERE id = ? AND worker_id = ? AND status = 'running'",
        )
        .bind(id)
        .bind(worker)
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.is_some())
    }

    /// Records counters (whatever the status: a cancelled run keeps what it did).
    pub async fn record_progress(&self, id: &str, p: &Progress) -> Result<()> {
        sqlx::query(
            "UPDATE runs SET pages_fetched = ?, pages_failed = ?, items_extracted = ?, \
             bytes_downloaded = ?, cost = ? WHERE id = ?",
        )
        .bind(p.pages_fetched as i64)
        .bind(p.pages_failed as i64)
        .bind(p.items_extracted as i64)
        .bind(p.bytes_downloaded as i64)
        .bind(p.cost)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Fails every running run whose lease has expired, with a log line each.
    /// Returns their ids.
    pub async fn fail_lost_runs(&self) -> Result<Vec<String>> {
        let now = now_ms();
        let lost: Vec<String> = sqlx::query_scalar(
            "UPDATE runs SET status = 'failed', failure_reason = ?, finished_at = ?, \
             error = 'the worker running it stopped (crash or restart) before it finished' \
             WHERE status = 'running' AND lease_expires_at < ? RETURNING id",
        )
        .bind(FailureReason::WorkerLost.as_str())
        .bind(now)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        if !lost.is_empty() {
            self.flows_written();
        }
        for id in &lost {
            self.append_log(
                id,
                LogLevel::Error,
                "Run failed: its worker stopped (crash or restart) before it finished; \
                 items stored until then are kept",
            )
            .await?;
            self.mark_flow_after_run(id, RunStatus::Failed).await?;
        }
        Ok(lost)
    }

    /// How many runs wait in the queue, from the kept counts (no scan).
    pub async fn queued_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(n), 0) FROM run_counts WHERE status = 'queued'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as u64)
    }

    /// An `active` flow whose run failed turns `error`; an `error` flow whose
    /// run completed turns `active` again. Paused and draft flows keep their status.
    pub async fn mark_flow_after_run(&self, run_id: &str, outcome: RunStatus) -> Result<()> {
        let (from, to) = match outcome {
            RunStatus::Failed => ("active", "error"),
            RunStatus::Completed => ("error", "active"),
            _ => return Ok(()),
        };
        sqlx::query(
            "UPDATE flows SET status = ? \
             WHERE status = ? AND id = (SELECT flow_id FROM runs WHERE id = ?)",
        )
        .bind(to)
        .bind(from)
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        self.flows_written();
        Ok(())
    }

    /// How many runs each status has, from the counts kept as runs change
    /// (no scan of the runs).
    pub async fn run_counts(&self) -> Result<Vec<(RunStatus, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, SUM(n) FROM run_counts GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(status, n)| {
                let status = status
                    .parse::<RunStatus>()
                    .map_err(|detail| StoreError::Corrupt {
                        table: "run_counts",
                        detail,
                    })?;
                Ok((status, n.max(0) as u64))
            })
            .collect()
    }
}
