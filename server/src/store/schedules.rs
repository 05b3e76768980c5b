//! Scheduled flows: which ticks are due, and firing one tick exactly once
//! however many processes share the database.

use super::{Result, Store};
use scraper_common::time::{format, from_millis};

/// A tick that has come: the flow's stored `next_run_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub flow_id: String,
    pub schedule: String,
    pub timezone: Option<String>,
    pub tick: i64,
}

/// What became of a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// A run was queued; its id.
    Queued(String),
    /// The flow's previous run was still queued or running: no run was
    /// stacked behind it, and that run's log says so.
    Skipped { busy: String },
    /// Another process fired it first (or the flow was paused, changed or
    /// deleted meanwhile).
    Taken,
}

/// The line a busy run's log gets for the tick it made skip.
pub(super) fn skipped_line(tick: i64, status: &str) -> String {
    format!(
        "Scheduled run at {} skipped: this run is still {status}",
        format(&from_millis(tick))
    )
}

/// The first line of a scheduled run's log.
pub(super) fn queued_line(tick: i64) -> String {
    format!(
        "Run queued (trigger: schedule, tick {})",
        format(&from_millis(tick))
    )
}

impl Store {
    /// Scheduled flows whose tick is at or before `now`, oldest first: the
    /// active ones, and those in `error` (a failed run marks a flow so; its
    /// schedule goes on, or a broken monitor would stop in silence).
    pub async fn due_flows(&self, now: i64) -> Result<Vec<Due>> {
        db!(self, due_flows(now))
    }

    /// Fires `tick` of `flow_id` and moves the flow on to `next`, in one
    /// transaction. The move is a compare-and-set on the stored tick: of two
    /// processes that saw the same tick due, one fires it, the other gets
    /// `Taken`; a crash before the commit fires nothing and loses nothing.
    pub async fn fire_tick(&self, flow_id: &str, tick: i64, next: Option<i64>) -> Result<Fired> {
        let fired = db!(self, fire_tick(flow_id, tick, next))?;
        self.flows_written();
        Ok(fired)
    }
}
