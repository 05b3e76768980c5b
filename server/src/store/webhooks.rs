//! Flows' webhooks and the outbox their messages are delivered from.
//!
//! Messages are queued by the statement that ends a run (migration 0007).
//! Any process may attempt a due one: it takes it with one guarded UPDATE
//! that holds it for a while, so two processes never attempt it at once, and
//! one that dies mid-attempt leaves it to be taken again when the hold ends.

use super::{Result, Store, StoreError, logs, now_ms};
use scraper_common::time::from_millis;
use scraper_common::{Delivery, DeliveryAttempt, DeliveryStatus, LogLevel, WebhookEvent};

/// Where a flow's messages go and what signs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub url: String,
    /// The current secret first; then the one it replaced, for a day after
    /// a rotation.
    pub secrets: Vec<String>,
    /// Why deliveries stopped (a 410), if they did.
    pub disabled: Option<String>,
}

/// A message whose attempt is due, now held by the caller.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: String,
    pub flow_id: String,
    pub run_id: Option<String>,
    pub event: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_at: i64,
    /// The body of the first attempt, to be sent again as it was.
    pub body: Option<String>,
}

/// What becomes of a message after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptEnd {
    Delivered,
    /// Tried again at this time (ms).
    Retry(i64),
    GiveUp,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    flow_id: String,
    run_id: Option<String>,
    event: String,
    status: String,
    created_at: i64,
    next_attempt_at: Option<i64>,
    attempts: String,
}

#[derive(serde::Deserialize)]
struct AttemptRow {
    attempt: u32,
    at: i64,
    status_code: Option<u16>,
    latency_ms: u64,
    error: Option<String>,
    response: Option<String>,
}

const DELIVERY: &str = "SELECT d.id, d.flow_id, d.run_id, d.event, d.status, d.created_at, \
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, \
    (SELECT json_group_array(json_object('attempt', a.attempt, 'at', a.at, \
        'status_code', a.status_code, 'latency_ms', a.latency_ms, 'error', a.error, \
        'response', a.response)) \
     FROM (SELECT * FROM webhook_attempts WHERE delivery_id = d.id ORDER BY attempt) a) AS attempts \
    FROM webhook_deliveries d";

impl DeliveryRow {
    fn into_delivery(self) -> Result<Delivery> {
        let corrupt = |detail: String| StoreError::Corrupt {
            table: "webhook_deliveries",
            detail: format!("delivery {}: {detail}", self.id),
        };
        let mut attempts: Vec<AttemptRow> =
            serde_json::from_str(&self.attempts).map_err(|e| corrupt(e.to_string()))?;
        attempts.sort_by_key(|a| a.attempt);
        Ok(Delivery {
            event: self.event.parse::<WebhookEvent>().map_err(corrupt)?,
            status: self.status.parse::<DeliveryStatus>().map_err(corrupt)?,
            created_at: from_millis(self.created_at),
            next_attempt_at: self.next_attempt_at.map(from_millis),
            attempts: attempts
                .into_iter()
                .map(|a| DeliveryAttempt {
                    attempt: a.attempt,
                    at: from_millis(a.at),
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    error: a.error,
                    response: a.response,
                })
                .collect(),
            id: self.id,
            flow_id: self.flow_id,
            run_id: self.run_id,
        })
    }
}

impl Store {
    /// The flow's webhook; `None` when the flow is gone or has none.
    pub async fn webhook_target(&self, flow_id: &str) -> Result<Option<WebhookTarget>> {
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT webhook_url, webhook_secret, webhook_old_secret, webhook_old_secret_until, \
             webhook_disabled FROM flows WHERE id = ?",
        )
        .bind(flow_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((Some(url), Some(secret), old, until, disabled)) = row else {
            return Ok(None);
        };
        let mut secrets = vec![secret];
        if let (Some(old), Some(until)) = (old, until)
            && until > now_ms()
        {
            secrets.push(old);
        }
        Ok(Some(WebhookTarget {
            url,
            secrets,
            disabled,
        }))
    }

    /// Replaces the flow's secret with `secret`; the old one still signs
    /// until `old_until` (ms). `None` when there is no such flow, `Some(false)`
    /// when it has no webhook.
    pub async fn rotate_webhook_secret(
        &self,
        flow_id: &str,
        secret: &str,
        old_until: i64,
    ) -> Result<Option<bool>> {
        let done = sqlx::query(
            "UPDATE flows SET webhook_old_secret = webhook_secret, webhook_secret = ?, \
             webhook_old_secret_until = ?, updated_at = MAX(updated_at + 1, ?) \
             WHERE id = ? AND webhook_url IS NOT NULL",
        )
        .bind(secret)
        .bind(old_until)
        .bind(now_ms())
        .bind(flow_id)
        .execute(&self.pool)
        .await?;
        self.flows_written();
        if done.rows_affected() > 0 {
            return Ok(Some(true));
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM flows WHERE id = ?")
            .bind(flow_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(exists.map(|_| false))
    }

    /// Stops the flow's deliveries (the receiver answered 410 Gone): its
    /// pending messages fail and no more are queued until `webhookUrl` is
    /// set again.
    pub async fn disable_webhook(&self, flow_id: &str, why: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE flows SET webhook_disabled = ? WHERE id = ?")
            .bind(why)
            .bind(flow_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL \
             WHERE flow_id = ? AND status = 'pending' AND locked_until IS NULL",
        )
        .bind(flow_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.flows_written();
        Ok(())
    }

    /// Takes up to `limit` due messages, each held for `hold_ms`.
    pub async fn claim_due_deliveries(&self, hold_ms: i64, limit: i64) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let due = sqlx::query_as(
            "UPDATE webhook_deliveries SET locked_until = ? \
             WHERE id IN (SELECT id FROM webhook_deliveries \
                          WHERE status = 'pending' AND next_attempt_at <= ? \
                            AND (locked_until IS NULL OR locked_until <= ?) \
                          ORDER BY next_attempt_at, rowid LIMIT ?) \
               AND status = 'pending' AND (locked_until IS NULL OR locked_until <= ?) \
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

    /// Keeps `body` as the message's body unless it has one already;
    /// returns the one kept, which every attempt sends.
    pub async fn keep_delivery_body(&self, id: &str, body: &str) -> Result<String> {
        let kept: Option<String> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET body = COALESCE(body, ?) WHERE id = ? RETURNING body",
        )
        .bind(body)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(kept.unwrap_or_else(|| body.to_string()))
    }

    /// Records an attempt, what becomes of the message, and `log` as a line
    /// of the run's log, in one transaction; the hold on the message ends.
    pub async fn record_attempt(
        &self,
        delivery: &DueDelivery,
        attempt: &DeliveryAttempt,
        end: AttemptEnd,
        log: (LogLevel, &str),
    ) -> Result<()> {
        let (status, next) = match end {
            AttemptEnd::Delivered => ("delivered", None),
            AttemptEnd::Retry(at) => ("pending", Some(at)),
            AttemptEnd::GiveUp => ("failed", None),
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts \
             (delivery_id, attempt, at, status_code, latency_ms, error, response) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&delivery.id)
        .bind(attempt.attempt)
        .bind(attempt.at.timestamp_millis())
        .bind(attempt.status_code)
        .bind(attempt.latency_ms as i64)
        .bind(&attempt.error)
        .bind(&attempt.response)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, \
             locked_until = NULL WHERE id = ?",
        )
        .bind(attempt.attempt)
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

    /// Ends the hold on a message without an attempt (the flow's webhook is
    /// gone or disabled): it fails, with `why` in the run's log.
    pub async fn drop_delivery(&self, delivery: &DueDelivery, why: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
             locked_until = NULL WHERE id = ?",
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

    /// A page of a flow's messages, newest first, each with its attempts,
    /// and how many there are in all.
    pub async fn deliveries(
        &self,
        flow_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Delivery>, u64)> {
        let sql = format!(
            "{DELIVERY} WHERE d.flow_id = ? ORDER BY d.created_at DESC, d.rowid DESC LIMIT ? OFFSET ?"
        );
        let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(flow_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE flow_id = ?")
                .bind(flow_id)
                .fetch_one(&self.pool)
                .await?;
        let deliveries = rows
            .into_iter()
            .map(DeliveryRow::into_delivery)
            .collect::<Result<_>>()?;
        Ok((deliveries, total as u64))
    }

    pub async fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let sql = format!("{DELIVERY} WHERE d.id = ?");
        let row: Option<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(DeliveryRow::into_delivery).transpose()
    }

    /// Makes a message due now, whatever became of it, keeping its id and
    /// body (a receiver sees the same message again). `false` if there is
    /// none.
    pub async fn redeliver(&self, id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ?",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Messages waiting for an attempt.
    pub async fn pending_deliveries(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        Ok(n.max(0) as u64)
    }
}
