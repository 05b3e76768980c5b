use super::{Postgres, changes, logs};
use crate::store::changes::RecordedChanges;
use crate::store::listing::Listing;
use crate::store::runs::{RunRow, counts_column, finished_line, queued_line};
use crate::store::{Result, RunQuery, ids, now_ms};
use scraper_common::{FailureReason, LogLevel, Run, RunStatus, Trigger};

const SELECT: &str = "SELECT r.id, r.flow_id, f.name AS flow_name, r.status, r.trigger, \
    r.created_at, r.started_at, r.finished_at, r.pages_fetched, r.pages_failed, \
    r.items_extracted, r.bytes_downloaded, r.cost, r.failure_reason, r.error, \
    r.changes::text AS changes, r.pruned_at, r.node FROM runs r JOIN flows f ON f.id = r.flow_id";

const LISTING: Listing = Listing {
    select: SELECT,
    // Summed from the per-(flow, status) counts, not counted row by row.
    count: "SELECT COALESCE(SUM(r.n), 0)::bigint FROM run_counts r",
    order_by: "r.created_at DESC, r.id DESC",
};

impl Postgres {
    /// The new run, as queued; `None` if there is no such flow.
    pub(crate) async fn insert_run(&self, flow_id: &str, trigger: Trigger) -> Result<Option<Run>> {
        let pool = &self.pool;
        let row = ids::insert_with_fresh_id("run", |id| async move {
            let now = now_ms();
            let mut tx = pool.begin().await?;
            // Until a worker takes it, startedAt is the moment the run was
            // triggered, as the API reference shows for a queued run.
            let inserted = sqlx::query(
                "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at) \
                 SELECT $1, id, 'queued', $2, $3, $4 FROM flows WHERE id = $5",
            )
            .bind(&id)
            .bind(trigger.as_str())
            .bind(now)
            .bind(now)
            .bind(flow_id)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Ok(None);
            }
            logs::append(&mut tx, &id, now, LogLevel::Info, &queued_line(trigger)).await?;
            // Read back before commit: once committed, a worker on another
            // node may claim the run, and the caller must see it as queued.
            let sql = format!("{SELECT} WHERE r.id = $1");
            let row: RunRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(row))
        })
        .await?;
        row.map(RunRow::into_run).transpose()
    }

    pub(crate) async fn run(&self, id: &str) -> Result<Option<Run>> {
        let sql = format!("{SELECT} WHERE r.id = $1");
        let row: Option<RunRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(RunRow::into_run).transpose()
    }

    /// `false` if the run had already finished (or is unknown).
    pub(crate) async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        failure_reason: Option<FailureReason>,
        error: Option<&str>,
        changes: Option<&RecordedChanges>,
    ) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE runs SET status = $1, finished_at = $2, failure_reason = $3, error = $4, \
             changes = $5::json \
             WHERE id = $6 AND status IN ('queued', 'running')",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(failure_reason.map(FailureReason::as_str))
        .bind(error)
        .bind(counts_column(changes))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(changes) = changes {
            changes::insert(&mut tx, id, now, changes).await?;
        }
        let (level, message) = finished_line(status, error);
        logs::append(&mut tx, id, now, level, &message).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn runs(&self, query: &RunQuery) -> Result<(Vec<Run>, u64)> {
        let filters = [
            ("r.flow_id", query.flow_id.as_deref()),
            ("r.status", query.status.map(RunStatus::as_str)),
        ];
        let (rows, total) = LISTING
            .page(&self.pool, &filters, query.limit, query.offset)
            .await?;
        let runs = rows
            .into_iter()
            .map(RunRow::into_run)
            .collect::<Result<_>>()?;
        Ok((runs, total))
    }
}
