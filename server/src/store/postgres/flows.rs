use super::Postgres;
use crate::store::flows::{FlowRow, first_tick, json_columns, updated_after};
use crate::store::listing::Listing;
use crate::store::{FlowQuery, Result, SecretEdit, ids, now_ms};
use scraper_common::{Flow, FlowInput, FlowMode, FlowStatus};

// JSON columns come back as their text, as SQLite gives them.
const SELECT: &str = "SELECT f.id, f.name, f.description, f.url, f.mode, f.status, \
    f.steps::text AS steps, f.output_schema::text AS output_schema, f.created_at, f.updated_at, \
    f.total_runs, f.completed_runs, f.failed_runs, f.last_run_at, f.schedule, f.timezone, \
    f.next_run_at, f.monitor::text AS monitor, f.webhook_url, f.webhook_secret, \
    f.webhook_disabled FROM flows f";

const LISTING: Listing = Listing {
    select: SELECT,
    count: "SELECT COUNT(*) FROM flows f",
    order_by: "f.created_at DESC, f.id DESC",
};

impl Postgres {
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, $9, $10, $11, $12, $13, \
                 $14::json, $15, $16)",
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
        let sql = format!("{SELECT} WHERE f.id = $1");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    pub(crate) async fn flow_named(&self, name: &str) -> Result<Option<Flow>> {
        let sql = format!("{SELECT} WHERE f.name = $1 ORDER BY f.created_at, f.id LIMIT 1");
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(FlowRow::into_flow).transpose()
    }

    pub(crate) async fn flow_exists(&self, id: &str) -> Result<bool> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1::bigint FROM flows WHERE id = $1")
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
            "UPDATE flows SET name = $1, description = $2, url = $3, mode = $4, \
             next_run_at = CASE WHEN status IN ('active', 'error') AND $5::text IN ('active', 'error') \
                 AND schedule IS NOT DISTINCT FROM $6::text \
                 AND timezone IS NOT DISTINCT FROM $7::text AND next_run_at IS NOT NULL \
                 THEN next_run_at ELSE $8::bigint END, \
             status = $9, steps = $10::json, output_schema = $11::json, schedule = $12, \
             timezone = $13, updated_at = $14, \
             monitor = $15::json, webhook_url = $16, \
             webhook_secret = CASE WHEN $17 THEN webhook_secret ELSE $18::text END, \
             webhook_old_secret = CASE WHEN $19 THEN webhook_old_secret END, \
             webhook_old_secret_until = CASE WHEN $20 THEN webhook_old_secret_until END, \
             webhook_disabled = CASE WHEN $21 OR $22::text IS NULL THEN NULL ELSE webhook_disabled END \
             WHERE id = $23 AND updated_at = $24",
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
        let done = sqlx::query("DELETE FROM flows WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
