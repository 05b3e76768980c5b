//! What a webhook message says: made from the run's final state when the
//! message is first attempted, then kept, so every attempt sends the same.

use crate::store::{self, DueDelivery, PREVIEW_CHANGES, Store, StoreError};
use scraper_common::time::from_millis;
use scraper_common::{WebhookData, WebhookEvent, WebhookMessage};

/// The JSON body of `due`; `None` when its run is gone.
pub async fn body(store: &Store, due: &DueDelivery) -> store::Result<Option<String>> {
    let event: WebhookEvent = due.event.parse().map_err(|detail| StoreError::Corrupt {
        table: "webhook_deliveries",
        detail,
    })?;
    let Some(run_id) = &due.run_id else {
        return Ok(None);
    };
    let Some(run) = store.run(run_id).await? else {
        return Ok(None);
    };
    let changes = match run.changes {
        Some(changes) => Some(
            store
                .run_changes_preview(run_id, changes.counts, PREVIEW_CHANGES)
                .await?,
        ),
        None => None,
    };
    let message = WebhookMessage {
        event,
        timestamp: from_millis(due.created_at),
        data: WebhookData {
            flow_id: run.flow_id,
            flow_name: run.flow_name,
            run_id: run.id,
            status: run.status,
            trigger: run.trigger,
            failure_reason: run.failure_reason,
            error: run.error,
            items_extracted: run.items_extracted,
            pages_fetched: run.pages_fetched,
            finished_at: run.finished_at,
            changes,
        },
    };
    Ok(Some(
        serde_json::to_string(&message).expect("messages serialize"),
    ))
}
