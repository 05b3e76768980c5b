//! The scheduler: a loop in every server process that fires the ticks that
//! have come. Which process fires a tick is decided by the store's
//! compare-and-set, so any number of them may share a database.

use super::schedule::Schedule;
use crate::engine::Engine;
use crate::store::{Due, Fired, Store, now_ms};
use scraper_common::time::from_millis;
use tokio_util::sync::CancellationToken;

pub async fn run(engine: Engine, store: Store, shutdown: CancellationToken) {
    let poll = engine.config().schedule_poll;
    loop {
        match store.due_flows(now_ms()).await {
            Ok(due) => {
                for tick in due {
                    fire(&engine, &store, tick).await;
                }
            }
            Err(e) => tracing::error!(error = %e, "looking for scheduled runs"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

async fn fire(engine: &Engine, store: &Store, due: Due) {
    let next = match Schedule::parse(&due.schedule, due.timezone.as_deref()) {
        Ok(schedule) => schedule
            .following(from_millis(due.tick), from_millis(now_ms()))
            .map(|t| t.timestamp_millis()),
        // Saved schedules were valid; one this version cannot read stops
        // rather than firing forever.
        Err(e) => {
            tracing::error!(flow = %due.flow_id, error = %e, "a saved schedule no longer parses; it stops");
            None
        }
    };
    match store.fire_tick(&due.flow_id, due.tick, next).await {
        Ok(Fired::Queued(run)) => {
            tracing::info!(flow = %due.flow_id, %run, "scheduled run queued");
            engine.wake();
        }
        Ok(Fired::Skipped { busy }) => {
            tracing::info!(flow = %due.flow_id, %busy, "scheduled run skipped: the last one is still going");
        }
        Ok(Fired::Taken) => {}
        Err(e) => tracing::error!(flow = %due.flow_id, error = %e, "firing a scheduled run"),
    }
}
