use super::changes::{self, RecordedChanges};
use super::listing::Listing;
use super::{Result, Store, StoreError, ids, logs, now_ms};
use scraper_common::time::from_millis;
use scraper_common::{
    ChangeCounts, FailureReason, LogLevel, Run, RunChanges, RunDetail, RunStatus, Trigger,
};
use serde_json::{Map, Value};

const SELECT: &str = "SELECT r.id, r.flow_id, f.name AS flow_name, r.status, r.trigger, \
    r.created_at, r.started_at, r.finished_at, r.pages_fetched, r.pages_failed, \
    r.items_extracted, r.bytes_downloaded, r.cost, r.failure_reason, r.error, r.changes, \
    r.pruned_at, r.node FROM runs r JOIN flows f ON f.id = r.flow_id";

/// How many items `GET /api/runs/:id` shows as `outputPreview`.
pub const PREVIEW_ITEMS: i64 = 10;

/// How many changes of each kind a run read alone shows (all of them are
/// paged by `GET /api/runs/:id/changes`).
pub const PREVIEW_CHANGES: i64 = 100;

#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    flow_id: String,
    flow_name: String,
    status: String,
    trigger: String,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    pages_fetched: i64,
    pages_failed: i64,
    items_extracted: i64,
    bytes_downloaded: i64,
    cost: f64,
    failure_reason: Option<String>,
    error: Option<String>,
    changes: Option<String>,
    pruned_at: Option<i64>,
    node: Option<String>,
}

impl RunRow {
    fn into_run(self) -> Result<Run> {
        let corrupt = |detail: String| StoreError::Corrupt {
            table: "runs",
            detail: format!("run {}: {detail}", self.id),
        };
        let duration = match (self.started_at, self.finished_at) {
            (Some(start), Some(end)) => Some((end - start).max(0) as u64),
            _ => None,
        };
        Ok(Run {
            status: self.status.parse::<RunStatus>().map_err(corrupt)?,
            trigger: self.trigger.parse::<Trigger>().map_err(corrupt)?,
            created_at: from_millis(self.created_at),
            started_at: self.started_at.map(from_millis),
            finished_at: self.finished_at.map(from_millis),
            duration,
            pages_fetched: self.pages_fetched as u64,
            pages_failed: self.pages_failed as u64,
            items_extracted: self.items_extracted as u64,
            bytes_downloaded: self.bytes_downloaded as u64,
            cost: self.cost,
            failure_reason: self
                .failure_reason
                .as_deref()
                .map(str::parse::<FailureReason>)
                .transpose()
                .map_err(corrupt)?,
            error: self.error,
            changes: match &self.changes {
                Some(text) => Some(RunChanges {
                    counts: serde_json::from_str::<ChangeCounts>(text)
                        .map_err(|e| corrupt(e.to_string()))?,
                    ..RunChanges::default()
                }),
                None => None,
            },
            pruned_at: self.pruned_at.map(from_millis),
            node: self.node,
            id: self.id,
            flow_id: self.flow_id,
            flow_name: self.flow_name,
        })
    }
}

/// What `list_runs` filters on.
#[derive(Debug, Default)]
pub struct RunQuery {
    pub flow_id: Option<String>,
    pub status: Option<RunStatus>,
    pub limit: i64,
    pub offset: i64,
}

const LISTING: Listing = Listing {
    select: SELECT,
    // Summed from the per-(flow, status) counts, not counted row by row.
    count: "SELECT COALESCE(SUM(r.n), 0) FROM run_counts r",
    order_by: "r.created_at DESC, r.id DESC",
};

impl Store {
    /// Queues a run of `flow_id` with its first log line, in one transaction.
    /// `Ok(None)` if there is no such flow.
    pub async fn create_run(&self, flow_id: &str, trigger: Trigger) -> Result<Option<Run>> {
        let pool = &self.pool;
        let created = ids::insert_with_fresh_id("run", |id| async move {
            let now = now_ms();
            let mut tx = pool.begin().await?;
            // Until a worker takes it, startedAt is the moment the run was
            // triggered, as the API reference shows for a queued run.
            let inserted = sqlx::query(
                "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at) \
                 SELECT ?, id, 'queued', ?, ?, ? FROM flows WHERE id = ?",
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
            let queued = format!("Run queued (trigger: {trigger})");
            logs::append(&mut tx, &id, now, LogLevel::Info, &queued).await?;
            tx.commit().await?;
            Ok(Some(id))
        })
        .await?;
        self.flows_written();
        match created {
            Some(id) => self.run(&id).await,
            None => Ok(None),
        }
    }

    pub async fn run(&self, id: &str) -> Result<Option<Run>> {
        let sql = format!("{SELECT} WHERE r.id = ?");
        let row: Option<RunRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(RunRow::into_run).transpose()
    }

    /// A run with all its logs and its first items.
    pub async fn run_detail(&self, id: &str) -> Result<Option<RunDetail>> {
        let Some(mut run) = self.run(id).await? else {
            return Ok(None);
        };
        if let Some(changes) = run.changes.take() {
            run.changes = Some(
                self.run_changes_preview(id, changes.counts, PREVIEW_CHANGES)
                    .await?,
            );
        }
        let logs = self.logs_after(id, 0).await?;
        let texts: Vec<String> =
            sqlx::query_scalar("SELECT data FROM run_items WHERE run_id = ? ORDER BY seq LIMIT ?")
                .bind(id)
                .bind(PREVIEW_ITEMS)
                .fetch_all(&self.pool)
                .await?;
        let output_preview = texts
            .iter()
            .map(|text| serde_json::from_str::<Map<String, Value>>(text))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt {
                table: "run_items",
                detail: format!("run {id}: {e}"),
            })?;
        Ok(Some(RunDetail {
            run,
            logs,
            output_preview,
        }))
    }

    /// Ends a queued or running run with `status`, stamping `finishedAt` and
    /// a last log line. `false` if it had already finished (or is unknown).
    pub async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        failure_reason: Option<FailureReason>,
        error: Option<&str>,
    ) -> Result<bool> {
        self.finish_run_with_changes(id, status, failure_reason, error, None)
            .await
    }

    /// `finish_run`, storing what a monitor run found in the same
    /// transaction: its webhook events (queued by the statement that ends the
    /// run, see migration 0007) see the changes, and a crash keeps both or
    /// neither.
    pub async fn finish_run_with_changes(
        &self,
        id: &str,
        status: RunStatus,
        failure_reason: Option<FailureReason>,
        error: Option<&str>,
        changes: Option<&RecordedChanges>,
    ) -> Result<bool> {
        debug_assert!(status.is_finished());
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let counts = changes.map(|c| serde_json::to_string(&c.counts).expect("counts serialize"));
        let done = sqlx::query(
            "UPDATE runs SET status = ?, finished_at = ?, failure_reason = ?, error = ?, changes = ? \
             WHERE id = ? AND status IN ('queued', 'running')",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(failure_reason.map(FailureReason::as_str))
        .bind(error)
        .bind(counts)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(changes) = changes {
            changes::insert(&mut tx, id, now, changes).await?;
        }
        let (level, message) = match (status, error) {
            (RunStatus::Failed, Some(error)) => (LogLevel::Error, format!("Run failed: {error}")),
            (status, _) => (LogLevel::Info, format!("Run {status}")),
        };
        logs::append(&mut tx, id, now, level, &message).await?;
        tx.commit().await?;
        self.flows_written();
        Ok(true)
    }

    /// One page of runs, newest first, and how many match in all.
    pub async fn runs(&self, query: &RunQuery) -> Result<(Vec<Run>, u64)> {
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
