//! Each transition is one UPDATE whose WHERE re-checks the state it moves
//! from, under the row's lock; a claim skips rows another node has locked
//! (`FOR UPDATE SKIP LOCKED`), so claimers never wait on each other and no
//! run is taken twice.

use super::Postgres;
use crate::store::queue::{LOST_ERROR, run_count};
use crate::store::{Claimed, Progress, Result, now_ms};
use scraper_common::{FailureReason, FlowStatus, RunStatus};
use sqlx::postgres::PgListener;

/// The advisory lock of the sweep for lost runs ("scraper" in ASCII).
const SWEEP_LOCK: i64 = 0x73_63_72_61_70_65_72;

/// What migrations/postgres/0002 notifies on.
const RUN_QUEUED_CHANNEL: &str = "scraper_run_queued";

impl Postgres {
    pub(crate) async fn claim_run(
        &self,
        node: Option<&str>,
        worker: &str,
        lease_ms: i64,
    ) -> Result<Option<Claimed>> {
        let now = now_ms();
        let claimed = sqlx::query_as(
            "UPDATE runs SET status = 'running', worker_id = $1, node = $2, started_at = $3, \
             lease_expires_at = $4 \
             WHERE id = (SELECT id FROM runs WHERE status = 'queued' \
                         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
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
            "UPDATE runs SET lease_expires_at = $1 \
             WHERE id = $2 AND worker_id = $3 AND status = 'running'",
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
            "SELECT 1::bigint FROM runs WHERE id = $1 AND worker_id = $2 AND status = 'running'",
        )
        .bind(id)
        .bind(worker)
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.is_some())
    }

    pub(crate) async fn record_progress(&self, id: &str, p: &Progress) -> Result<()> {
        sqlx::query(
            "UPDATE runs SET pages_fetched = $1, pages_failed = $2, items_extracted = $3, \
             bytes_downloaded = $4, cost = $5 WHERE id = $6",
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
    /// One node sweeps at a time: the one that takes the advisory lock for
    /// the transaction (released with it, so a node that dies mid-sweep
    /// holds nothing). The others find it taken and leave the work to it.
    pub(crate) async fn fail_expired_leases(&self) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        let ours: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(SWEEP_LOCK)
            .fetch_one(&mut *tx)
            .await?;
        if !ours {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let lost = sqlx::query_scalar(
            "UPDATE runs SET status = 'failed', failure_reason = $1, finished_at = $2, error = $3 \
             WHERE status = 'running' AND lease_expires_at < $4 RETURNING id",
        )
        .bind(FailureReason::WorkerLost.as_str())
        .bind(now)
        .bind(LOST_ERROR)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(lost)
    }

    /// A listener on the channel the `runs` trigger notifies when a run is queued.
    pub(crate) async fn listen_run_queued(&self) -> Result<PgListener> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(RUN_QUEUED_CHANNEL).await?;
        Ok(listener)
    }

    pub(crate) async fn queued_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(n), 0)::bigint FROM run_counts WHERE status = 'queued'",
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
            "UPDATE flows SET status = $1 \
             WHERE status = $2 AND id = (SELECT flow_id FROM runs WHERE id = $3)",
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
            sqlx::query_as("SELECT status, SUM(n)::bigint FROM run_counts GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(status, n)| run_count(status, n))
            .collect()
    }
}
