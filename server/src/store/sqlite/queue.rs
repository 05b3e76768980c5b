//! Each transition is one UPDATE whose WHERE re-checks the state it moves
//! from; SQLite runs one writer at a time, so the check and the write cannot
//! be split by another process.

use super::Sqlite;
use crate::store::queue::{LOST_ERROR, run_count};
use crate::store::{Claimed, Progress, Result, now_ms};
use scraper_common::{FailureReason, FlowStatus, RunStatus};

impl Sqlite {
    pub(crate) async fn claim_run(
        &self,
        node: Option<&str>,
        worker: &str,
        lease_ms: i64,
    ) -> Result<Option<Claimed>> {
        let now = now_ms();
        let claimed = sqlx::query_as(
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
        Ok(claimed)
    }

    pub(crate) async fn renew_lease(&self, id: &str, worker: &str, lease_ms: i64) -> Result<bool> {
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

    pub(crate) async fn holds_run(&self, id: &str, worker: &str) -> Result<bool> {
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM runs WHERE id = ? AND worker_id = ? AND status = 'running'",
        )
        .bind(id)
        .bind(worker)
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.is_some())
    }

    pub(crate) async fn record_progress(&self, id: &str, p: &Progress) -> Result<()> {
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

    /// Fails the running runs whose lease has expired; returns their ids.
    pub(crate) async fn fail_expired_leases(&self) -> Result<Vec<String>> {
        let now = now_ms();
        let lost = sqlx::query_scalar(
            "UPDATE runs SET status = 'failed', failure_reason = ?, finished_at = ?, error = ? \
             WHERE status = 'running' AND lease_expires_at < ? RETURNING id",
        )
        .bind(FailureReason::WorkerLost.as_str())
        .bind(now)
        .bind(LOST_ERROR)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(lost)
    }

    pub(crate) async fn queued_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(n), 0) FROM run_counts WHERE status = 'queued'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as u64)
    }

    /// Sets the status of the run's flow to `to` if it is `from`.
    pub(crate) async fn turn_flow_of_run(
        &self,
        run_id: &str,
        from: FlowStatus,
        to: FlowStatus,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE flows SET status = ? \
             WHERE status = ? AND id = (SELECT flow_id FROM runs WHERE id = ?)",
        )
        .bind(to.as_str())
        .bind(from.as_str())
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn run_counts(&self) -> Result<Vec<(RunStatus, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, SUM(n) FROM run_counts GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(status, n)| run_count(status, n))
            .collect()
    }
}
