use super::{Result, Store, StoreError};
use crate::monitor::schedule::Schedule;
use scraper_common::time::from_millis;
use scraper_common::{Flow, FlowInput, FlowMode, FlowStatus};

/// A flow as every database reads it, its run figures among them (kept by
/// triggers as runs come, finish and go: see migration 0004).
#[derive(sqlx::FromRow)]
pub(super) struct FlowRow {
    id: String,
    name: String,
    description: Option<String>,
    url: String,
    mode: String,
    status: String,
    steps: String,
    output_schema: Option<String>,
    created_at: i64,
    updated_at: i64,
    total_runs: i64,
    completed_runs: i64,
    failed_runs: i64,
    last_run_at: Option<i64>,
    schedule: Option<String>,
    timezone: Option<String>,
    next_run_at: Option<i64>,
    monitor: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    webhook_disabled: Option<String>,
}

impl FlowRow {
    pub(super) fn into_flow(self) -> Result<Flow> {
        let corrupt = |detail: String| StoreError::Corrupt {
            table: "flows",
            detail: format!("flow {}: {detail}", self.id),
        };
        let finished = self.completed_runs + self.failed_runs;
        let success_rate = if finished > 0 {
            let percent = self.completed_runs as f64 * 100.0 / finished as f64;
            (percent * 10.0).round() / 10.0
        } else {
            0.0
        };
        Ok(Flow {
            mode: self.mode.parse::<FlowMode>().map_err(corrupt)?,
            status: self.status.parse::<FlowStatus>().map_err(corrupt)?,
            steps: serde_json::from_str(&self.steps).map_err(|e| corrupt(e.to_string()))?,
            output_schema: match &self.output_schema {
                Some(text) => Some(serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?),
                None => None,
            },
            success_rate,
            total_runs: self.total_runs as u64,
            last_run_at: self.last_run_at.map(from_millis),
            next_run_at: self.next_run_at.map(from_millis),
            monitor: match &self.monitor {
                Some(text) => Some(serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?),
                None => None,
            },
            webhook_url: self.webhook_url,
            // Shown whole only in the answer that made it.
            webhook_secret: self.webhook_secret.as_deref().map(mask_secret),
            webhook_disabled: self.webhook_disabled,
            schedule: self.schedule,
            timezone: self.timezone,
            created_at: from_millis(self.created_at),
            updated_at: from_millis(self.updated_at),
            id: self.id,
            name: self.name,
            description: self.description,
            url: self.url,
        })
    }
}

/// The first tick after `now` of an active (or `error`) flow's schedule, in
/// ms; `None` for a paused or draft flow, or one without a schedule (or,
/// never after validation, one that does not parse).
pub(super) fn first_tick(input: &FlowInput, status: FlowStatus, now: i64) -> Option<i64> {
    if !matches!(status, FlowStatus::Active | FlowStatus::Error) {
        return None;
    }
    let schedule = Schedule::parse(input.schedule.as_deref()?, input.timezone.as_deref()).ok()?;
    schedule
        .next_after(from_millis(now))
        .map(|t| t.timestamp_millis())
}

/// The `updated_at` a replacement stamps: it must move even when two writes
/// fall in one millisecond.
pub(super) fn updated_after(seen_updated_at: i64) -> i64 {
    super::now_ms().max(seen_updated_at + 1)
}

/// What `list_flows` filters on.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct FlowQuery {
    pub status: Option<FlowStatus>,
    pub mode: Option<FlowMode>,
    pub limit: i64,
    pub offset: i64,
}

/// `whsec_****` and the secret's last four characters.
pub fn mask_secret(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("whsec_****{tail}")
}

/// What a write does to a flow's webhook secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretEdit {
    Keep,
    /// A webhook was set where there was none: its new secret.
    New(String),
    /// The webhook was removed.
    Clear,
}

impl SecretEdit {
    /// Whether the stored secrets stay, and the secret stored if not.
    pub(super) fn columns(&self) -> (bool, Option<&str>) {
        match self {
            SecretEdit::Keep => (true, None),
            SecretEdit::New(secret) => (false, Some(secret.as_str())),
            SecretEdit::Clear => (false, None),
        }
    }
}

/// The JSON texts a flow's structured columns hold: steps, schema, monitor.
pub(super) fn json_columns(input: &FlowInput) -> (String, Option<String>, Option<String>) {
    let steps = serde_json::to_string(&input.steps).expect("steps serialize");
    let schema = input
        .output_schema
        .as_ref()
        .map(|s| serde_json::to_string(s).expect("schema serializes"));
    let monitor = input
        .monitor
        .as_ref()
        .map(|m| serde_json::to_string(m).expect("monitor settings serialize"));
    (steps, schema, monitor)
}

impl Store {
    /// Stores a validated flow; `status` defaults to `draft`. `secret`
    /// signs its webhook, when it has one.
    pub async fn create_flow(&self, input: &FlowInput, secret: Option<&str>) -> Result<Flow> {
        let id = db!(self, insert_flow(input, secret))?;
        self.flows_written();
        self.flow(&id).await?.ok_or(sqlx::Error::RowNotFound.into())
    }

    pub async fn flow(&self, id: &str) -> Result<Option<Flow>> {
        db!(self, flow(id))
    }

    /// The oldest flow with exactly this name (names are not unique).
    pub async fn flow_named(&self, name: &str) -> Result<Option<Flow>> {
        db!(self, flow_named(name))
    }

    /// One page of flows, newest first, and how many match in all.
    pub async fn flows(&self, query: &FlowQuery) -> Result<(Vec<Flow>, u64)> {
        db!(self, flows(query))
    }

    /// Replaces a flow's editable fields, but only if nobody else changed it
    /// since `seen_updated_at` (read-modify-write of a merge patch). `Ok(None)`
    /// means it changed (or is gone): read again and retry.
    /// `secret` says what becomes of the webhook secret; `resume` clears a
    /// webhook disabled by a 410 (the user set `webhookUrl` again).
    pub async fn replace_flow(
        &self,
        id: &str,
        input: &FlowInput,
        status: FlowStatus,
        seen_updated_at: i64,
        secret: &SecretEdit,
        resume: bool,
    ) -> Result<Option<Flow>> {
        let replaced = db!(
            self,
            replace_flow(id, input, status, seen_updated_at, secret, resume)
        )?;
        self.flows_written();
        if !replaced {
            return Ok(None);
        }
        self.flow(id).await
    }

    /// Deletes a flow with its runs, logs and items. `false` if there was none.
    pub async fn delete_flow(&self, id: &str) -> Result<bool> {
        let deleted = db!(self, delete_flow(id))?;
        self.flows_written();
        Ok(deleted)
    }
}
