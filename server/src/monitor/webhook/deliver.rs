//! The delivery loop every server process runs: take due messages from the
//! outbox, POST them signed, record each attempt (and a line in the run's
//! log), and decide what comes next. Runs never wait for it.

use super::{MAX_RETRY_AFTER, RESPONSE_KEPT, WebhookConfig, payload, sign};
use crate::engine::Ctx;
use crate::net::FetchError;
use crate::store::{AttemptEnd, DueDelivery, WebhookTarget, now_ms};
use scraper_common::time::{format, from_millis};
use scraper_common::{DeliveryAttempt, LogLevel};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

pub async fn run(ctx: Ctx, config: WebhookConfig, shutdown: CancellationToken) {
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    // A message is held for longer than an attempt can take, so no other
    // process takes it meanwhile; a process that dies frees it then.
    let hold = (config.timeout * 3).as_millis() as i64;
    let mut attempts = tokio::task::JoinSet::new();
    loop {
        let free = slots.available_permits() as i64;
        if free > 0 {
            match ctx.store.claim_due_deliveries(hold, free).await {
                Ok(due) => {
                    for delivery in due {
                        let permit = slots.clone().acquire_owned().await.expect("never closed");
                        let (ctx, config) = (ctx.clone(), config.clone());
                        attempts.spawn(async move {
                            attempt(&ctx, &config, delivery).await;
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "looking for webhook deliveries"),
            }
        }
        while attempts.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(config.poll) => {}
            _ = shutdown.cancelled() => break,
        }
    }
    // An attempt under way finishes (at most the timeout); what it held is
    // recorded, or freed when its hold ends.
    while attempts.join_next().await.is_some() {}
}

/// How an attempt went, before it is recorded.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
    response: Option<String>,
    retry_after: Option<Duration>,
}

async fn attempt(ctx: &Ctx, config: &WebhookConfig, due: DueDelivery) {
    if let Err(e) = try_attempt(ctx, config, &due).await {
        // The hold ends by itself; the message is taken again then.
        tracing::error!(delivery = %due.id, error = %e, "a webhook attempt could not be recorded");
    }
}

async fn try_attempt(
    ctx: &Ctx,
    config: &WebhookConfig,
    due: &DueDelivery,
) -> crate::store::Result<()> {
    let store = &ctx.store;
    let target = match store.webhook_target(&due.flow_id).await? {
        None => {
            let why = format!(
                "Webhook {} not sent: the flow has no webhook any more",
                due.event
            );
            return store.drop_delivery(due, &why).await;
        }
        Some(WebhookTarget {
            disabled: Some(why),
            ..
        }) => {
            let why = format!(
                "Webhook {} not sent: deliveries are stopped ({why})",
                due.event
            );
            return store.drop_delivery(due, &why).await;
        }
        Some(target) => target,
    };
    let body = match &due.body {
        Some(body) => body.clone(),
        None => match payload::body(store, due).await? {
            Some(body) => store.keep_delivery_body(&due.id, &body).await?,
            None => {
                return store
                    .drop_delivery(due, "Webhook not sent: its run is gone")
                    .await;
            }
        },
    };

    let number = due.attempts as u32 + 1;
    let at = now_ms();
    let timestamp = at / 1000;
    let started = Instant::now();
    let answer = post(ctx, config, &target, due, timestamp, body).await;
    let latency = started.elapsed();

    let end = match answer.status {
        Some(200..=299) => AttemptEnd::Delivered,
        Some(410) => AttemptEnd::GiveUp,
        _ => match config.retries.get(number as usize - 1) {
            None => AttemptEnd::GiveUp,
            Some(wait) => {
                let wait = match answer.retry_after {
                    Some(asked) => asked.min(MAX_RETRY_AFTER),
                    None => jittered(*wait),
                };
                AttemptEnd::Retry(now_ms() + wait.as_millis() as i64)
            }
        },
    };
    let outcome = match answer.status {
        Some(status) => format!("answered {status}"),
        None => "failed".to_string(),
    };
    let mut line = format!(
        "Webhook {} attempt {number} to {}: {outcome} in {} ms",
        due.event,
        target.url,
        latency.as_millis()
    );
    if let Some(error) = &answer.error {
        line.push_str(&format!(" ({error})"));
    }
    let level = match end {
        AttemptEnd::Delivered => LogLevel::Info,
        AttemptEnd::Retry(next) => {
            line.push_str(&format!("; next attempt at {}", format(&from_millis(next))));
            if answer.retry_after.is_some() {
                line.push_str(" (as its Retry-After asks)");
            }
            LogLevel::Warn
        }
        AttemptEnd::GiveUp if answer.status == Some(410) => {
            line.push_str(
                "; the receiver is gone (410): this flow's webhook is disabled until webhookUrl is set again",
            );
            LogLevel::Error
        }
        AttemptEnd::GiveUp => {
            line.push_str(
                "; no attempts left, given up (POST /api/deliveries/:id/redeliver sends it again)",
            );
            LogLevel::Error
        }
    };
    let record = DeliveryAttempt {
        attempt: number,
        at: from_millis(at),
        status_code: answer.status,
        latency_ms: latency.as_millis() as u64,
        error: answer.error,
        response: answer.response,
    };
    store
        .record_attempt(due, &record, end, (level, &line))
        .await?;
    ctx.metrics.webhook_attempt(&due.event, end);
    if answer.status == Some(410) {
        let why = format!(
            "the receiver answered 410 Gone at {}",
            format(&from_millis(at))
        );
        store.disable_webhook(&due.flow_id, &why).await?;
    }
    Ok(())
}

async fn post(
    ctx: &Ctx,
    config: &WebhookConfig,
    target: &WebhookTarget,
    due: &DueDelivery,
    timestamp: i64,
    body: String,
) -> Answer {
    let signature = sign::signature(&target.secrets, &due.id, timestamp, &body);
    let sent = Instant::now();
    let result = ctx
        .webhook_http
        .post(&target.url)
        .timeout(config.timeout)
        .header("content-type", "application/json")
        .header("webhook-id", &due.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let mut response = match result {
        Ok(response) => response,
        Err(err) => {
            let error = match url::Url::parse(&target.url) {
                Ok(url) => FetchError::from_reqwest(&err, &url, sent.elapsed()).to_string(),
                Err(_) => err.to_string(),
            };
            return Answer {
                status: None,
                error: Some(error),
                response: None,
                retry_after: None,
            };
        }
    };
    let status = response.status().as_u16();
    let retry_after = match status {
        429 | 503 => response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs),
        _ => None,
    };
    // The first 1 KiB is kept; the rest is not read.
    let mut kept = Vec::new();
    while kept.len() < RESPONSE_KEPT {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(RESPONSE_KEPT);
    let text = String::from_utf8_lossy(&kept).into_owned();
    let error = match status {
        200..=299 => None,
        300..=399 => Some("a redirect is not followed: give the receiver's final URL".into()),
        _ => Some(format!("the receiver answered {status}")),
    };
    Answer {
        status: Some(status),
        error,
        response: (!text.is_empty()).then_some(text),
        retry_after,
    }
}

/// `wait` give or take a fifth, so that messages failed together do not
/// all come back at once.
fn jittered(wait: Duration) -> Duration {
    wait.mul_f64(rand::random_range(0.8..1.2))
}
