//! Runs: executions of a flow, with their logs.

use crate::monitor::RunChanges;
use crate::time::{self, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

crate::named_enum! {
    /// `queued -> running -> completed | failed | cancelled`.
    RunStatus "run status" {
        Queued => "queued",
        Running => "running",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl RunStatus {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            RunStatus::Completed | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

crate::named_enum! {
    /// What started a run.
    Trigger "trigger" {
        Api => "api",
        Schedule => "schedule",
    }
}

crate::named_enum! {
    /// Why a failed run failed: what a person can act on.
    FailureReason "failure reason" {
        /// DNS, connect or network errors, or an HTTP error status.
        Unreachable => "unreachable",
        /// Refused by the URL policy, or answered 401, 403, 407, 429 or 451.
        Blocked => "blocked",
        Timeout => "timeout",
        /// The start URL is disallowed by the site's robots.txt.
        Robots => "robots",
        /// Pages loaded but nothing was extracted: the layout probably changed.
        EmptyExtraction => "empty_extraction",
        /// The flow's steps cannot be run as saved.
        InvalidFlow => "invalid_flow",
        /// A browser step could not do what it says (a selector not found in
        /// time, say); the error names the step and a screenshot shows the page.
        StepFailed => "step_failed",
        /// The worker stopped (crash, restart, shutdown) before the run finished.
        WorkerLost => "worker_lost",
        /// The flow needs something this server does not do yet.
        Unsupported => "unsupported",
        Internal => "internal",
    }
}

crate::named_enum! {
    /// Why a run's log stream ended.
    StreamEnd "log stream end" {
        /// The run finished; its status is final.
        Finished => "finished",
        /// The server is shutting down; the status is what the run was then.
        ShuttingDown => "shutting_down",
    }
}

/// The data of a log stream's `end` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogEnd {
    pub status: RunStatus,
    pub failure_reason: Option<FailureReason>,
    pub reason: StreamEnd,
}

crate::named_enum! {
    LogLevel "log level" {
        Debug => "debug",
        Info => "info",
        Warn => "warn",
        Error => "error",
    }
}

/// A run as lists return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub flow_id: String,
    pub flow_name: String,
    pub status: RunStatus,
    pub trigger: Trigger,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When the run was triggered; once a worker takes it, when it began executing.
    #[serde(with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[serde(with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// Milliseconds from start to finish; `null` until the run has finished.
    pub duration: Option<u64>,
    pub pages_fetched: u64,
    pub pages_failed: u64,
    pub items_extracted: u64,
    pub bytes_downloaded: u64,
    pub cost: f64,
    /// Why a failed run failed.
    pub failure_reason: Option<FailureReason>,
    /// What went wrong, for a person.
    pub error: Option<String>,
    /// A monitor's run: what changed since the previous completed run
    /// (`counts` only in lists); `null` for other runs, and until it finished.
    #[serde(default)]
    pub changes: Option<RunChanges>,
    /// The node (`--node-name`) that executed it; `null` while queued.
    #[serde(default)]
    pub node: Option<String>,
    /// When retention (`monitor.keepRuns`) removed the run's items and logs;
    /// its row and change record stay.
    #[serde(default, with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub pruned_at: Option<Timestamp>,
}

/// `GET /api/runs/:id`: the run with all its logs and its first items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    #[serde(flatten)]
    pub run: Run,
    pub logs: Vec<LogEntry>,
    #[schema(value_type = Vec<Object>)]
    pub output_preview: Vec<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LogEntry {
    pub seq: u64,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    pub level: LogLevel,
    pub message: String,
}

/// The body of `POST /api/runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRun {
    pub flow_id: String,
}

/// Filters of `GET /api/runs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunFilter {
    pub flow_id: Option<String>,
    pub status: Option<RunStatus>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

/// A screenshot a browser run took (`GET /api/runs/:id/screenshots`); the
/// PNG itself is at `GET /api/runs/:id/screenshots/:n`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Screenshot {
    /// 1 for the run's first screenshot.
    pub n: u32,
    /// The index of the step that took it (`steps[i]`), when a step did.
    pub step: Option<u32>,
    /// What it shows: the step's name, and why it was taken.
    pub label: String,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub taken_at: Timestamp,
    /// Size of the PNG.
    pub bytes: u64,
}

/// A server process on the database (`GET /api/nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Unique per process: it names the leases the node holds.
    pub id: String,
    /// `--node-name` (host:port by default); what runs' `node` says.
    pub name: String,
    pub version: String,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    /// Its last heartbeat.
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub heartbeat_at: Timestamp,
    /// Runs it executes at once (`--workers`; 0 for an API-only node).
    pub workers: u32,
    pub runs_in_progress: u32,
}
