use super::listing::Listing;
use super::{Result, Store, StoreError, ids, now_ms};
use crate::monitor::schedule::Schedule;
use scraper_common::time::from_millis;
use scraper_common::{Flow, FlowInput, FlowMode, FlowStatus};

/// The columns of a flow, its run figures among them (kept by triggers as
/// runs come, finish and go: see migration 0004).
const SELECT: &str = "SELECT f.id, f.name, f.description, f.url, f.mode, f.status, f.steps, \
    f.output_schema, f.created_at, f.updated_at, f.total_runs, f.completed_runs, \
    f.failed_runs, f.last_run_at, f.schedule, f.timezone, f.next_run_at, f.monitor, \
    f.webhook_url, f.webhook_secret, f.webhook_disabled FROM flows f";

#[derive(sqlx::FromRow)]
struct FlowRow {
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
    fn into_flow(self) -> Result<Flow> {
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
fn first_tick(input: &FlowInput, status: FlowStatus, now: i64) -> Option<i64> {
    if !matches!(status, FlowStatus::Active | FlowStatus::Error) {
        return None;
    }
    let schedule = Schedule::parse(input.schedule.as_deref()?, input.timezone.as_deref()).ok()?;
    schedule
        .next_after(from_millis(now))
        .map(|t| t.timestamp_millis())
}

/// What `list_flows` filters on.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct FlowQuery {
    pub status: Option<FlowStatus>,
    pub mode: Option<FlowMode>,
    pub limit: i64,
    pub offset: i64,
}

const LISTING: Listing = Listing {
    select: SELECT,
    count: "SELECT COUNT(*) FROM flows f",
    order_by: "f.created_at DESC, f.id DESC",
};

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

/// The JSON texts a flow's structured columns hold: steps, schema, monitor.
fn json_columns(input: &FlowInput) -> (String, Option<String>, Option<String>) {
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
        let (steps, schema, monitor) = json_columns(input);
        let status = input.status.unwrap_or(FlowStatus::Draft);
        let now = now_ms();
        let next = first_tick(input, status, now);
        let (pool, steps, schema, monitor) = (&self.pool, &steps, &schema, &monitor);
        let id = ids::insert_with_fresh_id("flow", |id| async move {
            sqlx::query(
                "INSERT INTO flows (id, name, description, url, mode, status, steps, \
                 output_schema, created_at, updated_at, schedule, timezone, next_run_at, \
                 monitor, webhook_url, webhook_secret) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&input.name)
            .bind(&input.description)
            .bind(&input.url)
            .bind(input.mode.as_str())
            .bind(status.as_str())
            .bind(steps)
            .bind(schema)
            .bind(now)
            .bind(now)
            .bind(&input.schedule)
            .bind(&input.timezone)
            .bind(next)
            .bind(monitor)
            .bind(&input.webhook_url)
            .bind(secret)
            .execute(pool)
            .await?;
            Ok(id)
        })
        .await?;
        self.flows_written();
        self.flow(&id).await?.ok_or(sqlx::Error::RowNotFound.into())
    }

    pub async fn flow(&self, id: &str) -> Result<Option<Flow>> {
        let sql = format!("{SELECT} WHERE f.id = ?");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    /// The oldest flow with exactly this name (names are not unique).
    pub async fn flow_named(&self, name: &str) -> Result<Option<Flow>> {
        let sql = format!("{SELECT} WHERE f.name = ? ORDER BY f.created_at, f.id LIMIT 1");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    /// One page of flows, newest first, and how many match in all.
    pub async fn flows(&self, query: &FlowQuery) -> Result<(Vec<Flow>, u64)> {
        let filters = [
            ("f.status", query.status.map(FlowStatus::as_str)),
            ("f.mode", query.mode.map(FlowMode::as_str)),
        ];
        let (rows, total) = LISTING
            .page(&self.pool, &filters, query.limit, query.offset)
            .await?;
        let flows = rows
            .into_iter()
            .map(FlowRow::into_flow)
            .collect::<Result<_>>()?;
        Ok((flows, total))
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
        let (steps, schema, monitor) = json_columns(input);
        let (keep_secret, new_secret) = match secret {
            SecretEdit::Keep => (true, None),
            SecretEdit::New(secret) => (false, Some(secret.as_str())),
            SecretEdit::Clear => (false, None),
        };
        // updatedAt must move even when two writes fall in one millisecond.
        let now = now_ms().max(seen_updated_at + 1);
        // The next tick stays while the flow stays active on the same
        // schedule; otherwise it is computed afresh from now (a resumed flow
        // does not fire for the ticks it missed while paused).
        let done = sqlx::query(
            "UPDATE flows SET name = ?, description = ?, url = ?, mode = ?, \
             next_run_at = CASE WHEN status IN ('active', 'error') AND ? IN ('active', 'error') \
                 AND schedule IS ? \
                 AND timezone IS ? AND next_run_at IS NOT NULL THEN next_run_at ELSE ? END, \
             status = ?, steps = ?, output_schema = ?, schedule = ?, timezone = ?, updated_at = ?, \
             monitor = ?, webhook_url = ?, \
             webhook_secret = CASE WHEN ? THEN webhook_secret ELSE ? END, \
             webhook_old_secret = CASE WHEN ? THEN webhook_old_secret END, \
             webhook_old_secret_until = CASE WHEN ? THEN webhook_old_secret_until END, \
             webhook_disabled = CASE WHEN ? OR ? IS NULL THEN NULL ELSE webhook_disabled END \
             WHERE id = ? AND updated_at = ?",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(&input.url)
        .bind(input.mode.as_str())
        .bind(status.as_str())
        .bind(&input.schedule)
        .bind(&input.timezone)
        .bind(first_tick(input, status, now))
        .bind(status.as_str())
        .bind(&steps)
        .bind(&schema)
        .bind(&input.schedule)
        .bind(&input.timezone)
        .bind(now)
        .bind(monitor)
        .bind(&input.webhook_url)
        .bind(keep_secret)
        .bind(new_secret)
        .bind(keep_secret)
        .bind(keep_secret)
        .bind(resume)
        .bind(&input.webhook_url)
        .bind(id)
        .bind(seen_updated_at)
        .execute(&self.pool)
        .await?;
        self.flows_written();
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.flow(id).await
    }

    /// Deletes a flow with its runs, logs and items. `false` if there was none.
    pub async fn delete_flow(&self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM flows WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.flows_written();
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{RunQuery, Store, old_database};
    use scraper_common::{RunStatus, Trigger};

    /// A database written before flows carried their run figures gets them
    /// from its runs, and keeps them from there on.
    #[tokio::test]
    async fn the_migration_counts_the_runs_already_there() {
        let (_dir, url) = old_database(
            3,
            "INSERT INTO flows (id, name, url, mode, status, created_at, updated_at) \
             VALUES ('flow-1', 'f', 'https://example.com/', 'extract', 'active', 1, 1); \
             INSERT INTO runs (id, flow_id, status, trigger, created_at) VALUES \
             ('run-1', 'flow-1', 'completed', 'api', 10), ('run-2', 'flow-1', 'failed', 'api', 20), \
             ('run-3', 'flow-1', 'completed', 'api', 30), ('run-4', 'flow-1', 'queued', 'api', 40);",
        )
        .await;
        let store = Store::open(&url).await.unwrap();
        let flow = store.flow("flow-1").await.unwrap().unwrap();
        assert_eq!(flow.total_runs, 4);
        assert_eq!(flow.success_rate, 66.7);
        assert_eq!(flow.last_run_at.map(|t| t.timestamp_millis()), Some(40));
        let queued = RunQuery {
            flow_id: Some("flow-1".into()),
            status: Some(RunStatus::Queued),
            limit: 10,
            offset: 0,
        };
        assert_eq!(store.runs(&queued).await.unwrap().1, 1);

        store
            .create_run("flow-1", Trigger::Api)
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .finish_run("run-4", RunStatus::Completed, None, None)
                .await
                .unwrap()
        );
        let flow = store.flow("flow-1").await.unwrap().unwrap();
        assert_eq!((flow.total_runs, flow.success_rate), (5, 75.0));
        assert_eq!(store.runs(&queued).await.unwrap().1, 1, "the new run");
    }
}
