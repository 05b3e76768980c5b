//! Flows' webhooks and the outbox their messages are delivered from.
//!
//! Messages are queued by the statement that ends a run (migration 0007).
//! Any process may attempt a due one: it takes it with one guarded UPDATE
//! that holds it for a while, so two processes never attempt it at once, and
//! one that dies mid-attempt leaves it to be taken again when the hold ends.

use super::{Result, Store, StoreError, now_ms};
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

impl AttemptEnd {
    /// The message's status and next attempt time after the attempt.
    pub(super) fn columns(self) -> (&'static str, Option<i64>) {
        match self {
            AttemptEnd::Delivered => ("delivered", None),
            AttemptEnd::Retry(at) => ("pending", Some(at)),
            AttemptEnd::GiveUp => ("failed", None),
        }
    }
}

/// A flow's webhook columns as every database reads them: url, secret, the
/// secret it replaced, until when that one signs too, why it is disabled.
pub(super) type TargetRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// `None` for a flow without a webhook.
pub(super) fn into_target(row: TargetRow) -> Option<WebhookTarget> {
    let (Some(url), Some(secret), old, until, disabled) = row else {
        return None;
    };
    let mut secrets = vec![secret];
    if let (Some(old), Some(until)) = (old, until)
        && until > now_ms()
    {
        secrets.push(old);
    }
    Some(WebhookTarget {
        url,
        secrets,
        disabled,
    })
}

/// A message as every database reads it, with its attempts as a JSON array
/// of objects with `AttemptRow`'s fields.
#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
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

impl DeliveryRow {
    pub(super) fn into_delivery(self) -> Result<Delivery> {
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
        db!(self, webhook_target(flow_id))
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
        let rotated = db!(self, rotate_webhook_secret(flow_id, secret, old_until))?;
        self.flows_written();
        if rotated {
            return Ok(Some(true));
        }
        let exists = db!(self, flow_exists(flow_id))?;
        Ok(exists.then_some(false))
    }

    /// Stops the flow's deliveries (the receiver answered 410 Gone): its
    /// pending messages fail and no more are queued until `webhookUrl` is
    /// set again.
    pub async fn disable_webhook(&self, flow_id: &str, why: &str) -> Result<()> {
        db!(self, disable_webhook(flow_id, why))?;
        self.flows_written();
        Ok(())
    }

    /// Takes up to `limit` due messages, each held for `hold_ms`.
    pub async fn claim_due_deliveries(&self, hold_ms: i64, limit: i64) -> Result<Vec<DueDelivery>> {
        db!(self, claim_due_deliveries(hold_ms, limit))
    }

    /// Keeps `body` as the message's body unless it has one already;
    /// returns the one kept, which every attempt sends.
    pub async fn keep_delivery_body(&self, id: &str, body: &str) -> Result<String> {
        db!(self, keep_delivery_body(id, body))
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
        db!(self, record_attempt(delivery, attempt, end, log))
    }

    /// Ends the hold on a message without an attempt (the flow's webhook is
    /// gone or disabled): it fails, with `why` in the run's log.
    pub async fn drop_delivery(&self, delivery: &DueDelivery, why: &str) -> Result<()> {
        db!(self, drop_delivery(delivery, why))
    }

    /// A page of a flow's messages, newest first, each with its attempts,
    /// and how many there are in all.
    pub async fn deliveries(
        &self,
        flow_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Delivery>, u64)> {
        db!(self, deliveries(flow_id, limit, offset))
    }

    pub async fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        db!(self, delivery(id))
    }

    /// Makes a message due now, whatever became of it, keeping its id and
    /// body (a receiver sees the same message again). `false` if there is
    /// none.
    pub async fn redeliver(&self, id: &str) -> Result<bool> {
        db!(self, redeliver(id))
    }

    /// Messages waiting for an attempt.
    pub async fn pending_deliveries(&self) -> Result<u64> {
        db!(self, pending_deliveries())
    }
}
