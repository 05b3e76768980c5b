use super::changes::RecordedChanges;
use super::items::PageStart;
use super::{Result, Store, StoreError};
use scraper_common::time::from_millis;
use scraper_common::{
    ChangeCounts, FailureReason, LogLevel, Run, RunChanges, RunDetail, RunStatus, Trigger,
};
use serde_json::{Map, Value};

/// How many items `GET /api/runs/:id` shows as `outputPreview`.
pub const PREVIEW_ITEMS: i64 = 10;

/// How many changes of each kind a run read alone shows (all of them are
/// paged by `GET /api/runs/:id/changes`).
pub const PREVIEW_CHANGES: i64 = 100;

/// A run as every database reads it, with its flow's name.
#[derive(sqlx::FromRow)]
pub(super) struct RunRow {
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
    pub(super) fn into_run(self) -> Result<Run> {
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

/// The first line of a run's log.
pub(super) fn queued_line(trigger: Trigger) -> String {
    format!("Run queued (trigger: {trigger})")
}

/// The last line of a run's log.
pub(super) fn finished_line(status: RunStatus, error: Option<&str>) -> (LogLevel, String) {
    match (status, error) {
        (RunStatus::Failed, Some(error)) => (LogLevel::Error, format!("Run failed: {error}")),
        (status, _) => (LogLevel::Info, format!("Run {status}")),
    }
}

/// The `changes` column of a finished monitor run: its counts, as JSON.
pub(super) fn counts_column(changes: Option<&RecordedChanges>) -> Option<String> {
    changes.map(|c| serde_json::to_string(&c.counts).expect("counts serialize"))
}

/// What `list_runs` filters on.
#[derive(Debug, Default)]
pub struct RunQuery {
    pub flow_id: Option<String>,
    pub status: Option<RunStatus>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Queues a run of `flow_id` with its first log line, in one transaction.
    /// `Ok(None)` if there is no such flow.
    pub async fn create_run(&self, flow_id: &str, trigger: Trigger) -> Result<Option<Run>> {
        let created = db!(self, insert_run(flow_id, trigger))?;
        self.flows_written();
        Ok(created)
    }

    pub async fn run(&self, id: &str) -> Result<Option<Run>> {
        db!(self, run(id))
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
        let first = self
            .item_page(id, PageStart::Skip(0), PREVIEW_ITEMS as u64)
            .await?;
        let output_preview = first
            .iter()
            .map(|(_, text)| serde_json::from_str::<Map<String, Value>>(text))
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
        let finished = db!(self, finish_run(id, status, failure_reason, error, changes))?;
        if finished {
            self.flows_written();
        }
        Ok(finished)
    }

    /// One page of runs, newest first, and how many match in all.
    pub async fn runs(&self, query: &RunQuery) -> Result<(Vec<Run>, u64)> {
        db!(self, runs(query))
    }
}
