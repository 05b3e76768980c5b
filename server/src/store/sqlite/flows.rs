use super::Sqlite;
use crate::store::flows::{FlowRow, first_tick, json_columns, updated_after};
use crate::store::listing::Listing;
use crate::store::{FlowQuery, Result, SecretEdit, ids, now_ms};
use scraper_common::{Flow, FlowInput, FlowMode, FlowStatus};

const SELECT: &str = "SELECT f.id, f.name, f.description, f.url, f.mode, f.status, f.steps, \
    f.output_schema, f.created_at, f.updated_at, f.total_runs, f.completed_runs, \
    f.failed_runs, f.last_run_at, f.schedule, f.timezone, f.next_run_at, f.monitor, \
    f.webhook_url, f.webhook_secret, f.webhook_disabled FROM flows f";

const LISTING: Listing = Listing {
    select: SELECT,
    count: "SELECT COUNT(*) FROM flows f",
    order_by: "f.created_at DESC, f.id DESC",
};

impl Sqlite {
    /// Returns the new flow's id.
    pub(crate) async fn insert_flow(
        &self,
        input: &FlowInput,
        secret: Option<&str>,
    ) -> Result<String> {
        let (steps, schema, monitor) = json_columns(input);
        let status = input.status.unwrap_or(FlowStatus::Draft);
        let now = now_ms();
        let next = first_tick(input, status, now);
        let (pool, steps, schema, monitor) = (&self.pool, &steps, &schema, &monitor);
        ids::insert_with_fresh_id("flow", |id| async move {
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
        .await
    }

    pub(crate) async fn flow(&self, id: &str) -> Result<Option<Flow>> {
        let sql = format!("{SELECT} WHERE f.id = ?");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    pub(crate) async fn flow_named(&self, name: &str) -> Result<Option<Flow>> {
        let sql = format!("{SELECT} WHERE f.name = ? ORDER BY f.created_at, f.id LIMIT 1");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    pub(crate) async fn flow_exists(&self, id: &str) -> Result<bool> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM flows WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(exists.is_some())
    }

    pub(crate) async fn flows(&self, query: &FlowQuery) -> Result<(Vec<Flow>, u64)> {
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

    /// `false` when the flow changed since `seen_updated_at`, or is gone.
    pub(crate) async fn replace_flow(
        &self,
        id: &str,
        input: &FlowInput,
        status: FlowStatus,
        seen_updated_at: i64,
        secret: &SecretEdit,
        resume: bool,
    ) -> Result<bool> {
        let (steps, schema, monitor) = json_columns(input);
        let (keep_secret, new_secret) = secret.columns();
        let now = updated_after(seen_updated_at);
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
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn delete_flow(&self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM flows WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::old_database;
    use crate::store::{RunQuery, Store};
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
