use super::{Postgres, logs};
use crate::store::webhooks::{DeliveryRow, TargetRow, into_target};
use crate::store::{AttemptEnd, DueDelivery, Result, WebhookTarget, now_ms};
use scraper_common::{Delivery, DeliveryAttempt, LogLevel};

/// Attempts are gathered into one JSON text per message, in the shape
/// `DeliveryRow` reads.
const DELIVERY: &str = "SELECT d.id, d.flow_id, d.run_id, d.event, d.status, d.created_at, \
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, \
    COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, \
        'status_code', a.status_code, 'latency_ms', a.latency_ms, 'error', a.error, \
        'response', a.response) ORDER BY a.attempt) \
     FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]')::text AS attempts \
    FROM webhook_deliveries d";

impl Postgres {
    pub(crate) async fn webhook_target(&self, flow_id: &str) -> Result<Option<WebhookTarget>> {
        let row: Option<TargetRow> = sqlx::query_as(
            "SELECT webhook_url, webhook_secret, webhook_old_secret, webhook_old_secret_until, \
             webhook_disabled FROM flows WHERE id = $1",
        )
        .bind(flow_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(into_target))
    }

    /// `false` when the flow has no webhook, or is gone.
    pub(crate) async fn rotate_webhook_secret(
        &self,
        flow_id: &str,
        secret: &str,
        old_until: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE flows SET webhook_old_secret = webhook_secret, webhook_secret = $1, \
             webhook_old_secret_until = $2, updated_at = GREATEST(updated_at + 1, $3) \
             WHERE id = $4 AND webhook_url IS NOT NULL",
        )
        .bind(secret)
        .bind(old_until)
        .bind(now_ms())
        .bind(flow_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn disable_webhook(&self, flow_id: &str, why: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE flows SET webhook_disabled = $1 WHERE id = $2")
            .bind(why)
            .bind(flow_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL \
             WHERE flow_id = $1 AND status = 'pending' AND locked_until IS NULL",
        )
        .bind(flow_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn claim_due_deliveries(
        &self,
        hold_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let due = sqlx::query_as(
            "UPDATE webhook_deliveries SET locked_until = $1 \
             WHERE id IN (SELECT id FROM webhook_deliveries \
                          WHERE status = 'pending' AND next_attempt_at <= $2 \
                            AND (locked_until IS NULL OR locked_until <= $3) \
                          ORDER BY next_attempt_at, seq LIMIT $4 \
                          FOR UPDATE SKIP LOCKED) \
               AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $5) \
             RETURNING id, flow_id, run_id, event, attempts, created_at, body",
        )
        .bind(now + hold_ms)
        .bind(now)
        .bind(now)
        .bind(limit)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(due)
    }

    pub(crate) async fn keep_delivery_body(&self, id: &str, body: &str) -> Result<String> {
        let kept: Option<String> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET body = COALESCE(body, $1) WHERE id = $2 RETURNING body",
        )
        .bind(body)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(kept.unwrap_or_else(|| body.to_string()))
    }

    pub(crate) async fn record_attempt(
        &self,
        delivery: &DueDelivery,
        attempt: &DeliveryAttempt,
        end: AttemptEnd,
        log: (LogLevel, &str),
    ) -> Result<()> {
        let (status, next) = end.columns();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts \
             (delivery_id, attempt, at, status_code, latency_ms, error, response) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&delivery.id)
        .bind(i64::from(attempt.attempt))
        .bind(attempt.at.timestamp_millis())
        .bind(attempt.status_code.map(i32::from))
        .bind(attempt.latency_ms as i64)
        .bind(&attempt.error)
        .bind(&attempt.response)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = $1, status = $2, next_attempt_at = $3, \
             locked_until = NULL WHERE id = $4",
        )
        .bind(i64::from(attempt.attempt))
        .bind(status)
        .bind(next)
        .bind(&delivery.id)
        .execute(&mut *tx)
        .await?;
        if let Some(run_id) = &delivery.run_id {
            logs::append(&mut tx, run_id, now_ms(), log.0, log.1).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn drop_delivery(&self, delivery: &DueDelivery, why: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
             locked_until = NULL WHERE id = $1",
        )
        .bind(&delivery.id)
        .execute(&mut *tx)
        .await?;
        if let Some(run_id) = &delivery.run_id {
            logs::append(&mut tx, run_id, now_ms(), LogLevel::Warn, why).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn deliveries(
        &self,
        flow_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Delivery>, u64)> {
        let sql = format!(
            "{DELIVERY} WHERE d.flow_id = $1 ORDER BY d.created_at DESC, d.seq DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(flow_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE flow_id = $1")
                .bind(flow_id)
                .fetch_one(&self.pool)
                .await?;
        let deliveries = rows
            .into_iter()
            .map(DeliveryRow::into_delivery)
            .collect::<Result<_>>()?;
        Ok((deliveries, total as u64))
    }

    pub(crate) async fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let sql = format!("{DELIVERY} WHERE d.id = $1");
        let row: Option<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(DeliveryRow::into_delivery).transpose()
    }

    pub(crate) async fn redeliver(&self, id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn pending_deliveries(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        Ok(n.max(0) as u64)
    }
}
