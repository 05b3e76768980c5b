//! The run queue: atomic claims, leases, and the sweep for lost workers.
//!
//! Every transition is one guarded statement, so two server processes on
//! one database can never both take a run, and a cancelled run is never
//! turned back into a finished one by a worker that has not noticed yet.

use super::{Db, Result, Store, StoreError};
use scraper_common::{FlowStatus, LogLevel, RunStatus};

/// A run a worker has just taken.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub flow_id: String,
}

/// Counters a worker reports as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub pages_fetched: u64,
    pub pages_failed: u64,
    pub items_extracted: u64,
    pub bytes_downloaded: u64,
    pub cost: f64,
}

/// A stream of "a run was queued" notices. A notice is a hint, not a
/// promise: one may be lost (while the connection is re-established) and
/// several runs may share one, so a worker claims until the queue is empty
/// and polls besides.
pub struct RunQueuedSignals(sqlx::postgres::PgListener);

impl RunQueuedSignals {
    /// Waits for the next notice (reconnecting after a lost connection).
    pub async fn recv(&mut self) -> Result<()> {
        self.0.recv().await?;
        Ok(())
    }
}

/// The `error` of a run failed because its lease ran out.
pub(super) const LOST_ERROR: &str =
    "the worker running it stopped (crash or restart) before it finished";

/// A row of the kept per-status run counts.
pub(super) fn run_count(status: String, n: i64) -> Result<(RunStatus, u64)> {
    let status = status
        .parse::<RunStatus>()
        .map_err(|detail| StoreError::Corrupt {
            table: "run_counts",
            detail,
        })?;
    Ok((status, n.max(0) as u64))
}

impl Store {
    /// Takes the oldest queued run for `worker`, or `None` when there is none.
    pub async fn claim_run(&self, worker: &str, lease_ms: i64) -> Result<Option<Claimed>> {
        self.claim_run_on(None, worker, lease_ms).await
    }

    /// `claim_run`, recording `node` (its name) as the node executing it.
    pub async fn claim_run_on(
        &self,
        node: Option<&str>,
        worker: &str,
        lease_ms: i64,
    ) -> Result<Option<Claimed>> {
        let claimed = db!(self, claim_run(node, worker, lease_ms))?;
        if claimed.is_some() {
            self.flows_written();
        }
        Ok(claimed)
    }

    /// Renews the lease. `false` when the run is no longer this worker's to
    /// run (cancelled, or failed as lost): the worker must stop.
    pub async fn renew_lease(&self, id: &str, worker: &str, lease_ms: i64) -> Result<bool> {
        db!(self, renew_lease(id, worker, lease_ms))
    }

    /// Whether `worker` still holds run `id` (it was not cancelled or failed
    /// as lost meanwhile): a read, cheaper than renewing the lease.
    pub async fn holds_run(&self, id: &str, worker: &str) -> Result<bool> {
        db!(self, holds_run(id, worker))
    }

    /// Records counters (whatever the status: a cancelled run keeps what it did).
    pub async fn record_progress(&self, id: &str, p: &Progress) -> Result<()> {
        db!(self, record_progress(id, p))
    }

    /// Fails every running run whose lease has expired, with a log line each.
    /// Returns their ids.
    pub async fn fail_lost_runs(&self) -> Result<Vec<String>> {
        let lost = db!(self, fail_expired_leases())?;
        if !lost.is_empty() {
            self.flows_written();
        }
        for id in &lost {
            self.append_log(
                id,
                LogLevel::Error,
                "Run failed: its worker stopped (crash or restart) before it finished; \
                 items stored until then are kept",
            )
            .await?;
            self.mark_flow_after_run(id, RunStatus::Failed).await?;
        }
        Ok(lost)
    }

    /// Notices that a run was queued through any node on this database, so
    /// idle workers start it at once. `None` where the database cannot tell
    /// (SQLite: one process wakes its own workers, others poll).
    pub async fn run_queued_signals(&self) -> Result<Option<RunQueuedSignals>> {
        match &self.db {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(pg) => Ok(Some(RunQueuedSignals(pg.listen_run_queued().await?))),
        }
    }

    /// How many runs wait in the queue, from the kept counts (no scan).
    pub async fn queued_count(&self) -> Result<u64> {
        db!(self, queued_count())
    }

    /// An `active` flow whose run failed turns `error`; an `error` flow whose
    /// run completed turns `active` again. Paused and draft flows keep their status.
    pub async fn mark_flow_after_run(&self, run_id: &str, outcome: RunStatus) -> Result<()> {
        let (from, to) = match outcome {
            RunStatus::Failed => (FlowStatus::Active, FlowStatus::Error),
            RunStatus::Completed => (FlowStatus::Error, FlowStatus::Active),
            _ => return Ok(()),
        };
        db!(self, turn_flow_of_run(run_id, from, to))?;
        self.flows_written();
        Ok(())
    }

    /// How many runs each status has, from the counts kept as runs change
    /// (no scan of the runs).
    pub async fn run_counts(&self) -> Result<Vec<(RunStatus, u64)>> {
        db!(self, run_counts())
    }
}
