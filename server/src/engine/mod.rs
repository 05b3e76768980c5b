//! The run engine: a pool of workers that claim queued runs from the
//! database, hold them with a renewed lease while they execute, and a sweeper
//! that fails runs whose worker died. `--workers 0` runs none of it: the node
//! serves the API and runs wait for a node that executes.

mod browse;
mod execute;
mod failure;
mod log;
pub mod plan;
mod sink;

pub use execute::{Ctx, Outcome, Prices};

use crate::monitor::webhook::WebhookConfig;
use crate::store::Claimed;
use scraper_common::{FailureReason, Flow, FlowMode, LogLevel, RunStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Runs executed at once by this process.
    pub workers: usize,
    /// A running run whose lease is older than this is failed as `worker_lost`.
    pub lease: Duration,
    /// How often a worker renews its lease: a write per run, so every few
    /// seconds, well inside `lease`.
    pub heartbeat: Duration,
    /// How often a worker looks whether its run was cancelled (or failed as
    /// lost) through another process: a read, so often enough for a cancel
    /// anywhere to stop the run within two seconds.
    pub cancel_poll: Duration,
    /// How often expired leases are looked for.
    pub sweep_every: Duration,
    /// How often idle workers look for runs queued by another process.
    pub idle_poll: Duration,
    /// `POST /api/runs` answers 429 when more runs than this wait.
    pub max_queued: u64,
    pub prices: Prices,
    /// Log lines kept per run.
    pub log_cap: u64,
    /// How often the scheduler looks for due ticks.
    pub schedule_poll: Duration,
    /// Schedules firing more often than this are refused.
    pub min_schedule_interval: Duration,
    /// Runs of a monitor (or scheduled flow) that keep their items and logs,
    /// unless its `monitor.keepRuns` says otherwise (`--keep-runs`).
    pub keep_runs: u32,
    /// What this node is called (`--node-name`); host:port when `None`.
    pub node_name: Option<String>,
    /// How often the node tells the database it is alive.
    pub node_heartbeat: Duration,
    pub webhooks: WebhookConfig,
}

impl EngineConfig {
    /// `lease`, with the renewal and the sweep kept well inside it: every
    /// third of it, five seconds at most (each renewal is a write per run).
    pub fn with_lease(self, lease: Duration) -> EngineConfig {
        let inside = (lease / 3).min(Duration::from_secs(5));
        EngineConfig {
            lease,
            heartbeat: inside,
            sweep_every: inside,
            ..self
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            workers: 4,
            lease: Duration::from_secs(15),
            heartbeat: Duration::from_secs(5),
            cancel_poll: Duration::from_secs(1),
            sweep_every: Duration::from_secs(5),
            idle_poll: Duration::from_secs(1),
            max_queued: 1000,
            prices: Prices::default(),
            log_cap: 10_000,
            schedule_poll: Duration::from_secs(1),
            min_schedule_interval: Duration::from_secs(60),
            keep_runs: 100,
            node_name: None,
            node_heartbeat: Duration::from_secs(2),
            webhooks: WebhookConfig::default(),
        }
    }
}

/// The handle the API uses: wake workers, cancel a run here at once.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Ctx,
    config: EngineConfig,
    /// Unique per process, so a lease names the process that holds it.
    node: String,
    /// What people call this node: runs show it.
    name: String,
    started_at: i64,
    wake: Notify,
    running: Mutex<HashMap<String, CancellationToken>>,
    shutdown: CancellationToken,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("node", &self.inner.node)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Engine {
    /// `shutdown` stops the workers (and fails the runs they hold).
    pub fn new(ctx: Ctx, config: EngineConfig, shutdown: CancellationToken) -> Engine {
        let node = format!(
            "node-{}-{}",
            std::process::id(),
            &crate::keys::generate()[9..17]
        );
        let name = config.node_name.clone().unwrap_or_else(|| node.clone());
        Engine {
            inner: Arc::new(Inner {
                ctx,
                config,
                node,
                name,
                started_at: crate::store::now_ms(),
                wake: Notify::new(),
                running: Mutex::new(HashMap::new()),
                shutdown,
            }),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// This node's name (`--node-name`).
    pub fn node_name(&self) -> &str {
        &self.inner.name
    }

    /// Says the node is alive now (before it serves, so that it is listed
    /// from its first answer on).
    pub async fn announce(&self) {
        beat(&self.inner).await;
    }

    /// A run was queued: an idle worker here takes it now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops a run this process executes, at once (the store already says
    /// `cancelled`; other processes notice at their next heartbeat).
    pub fn cancel_local(&self, run_id: &str) {
        if let Some(token) = self.inner.running.lock().expect("lock").get(run_id) {
            token.cancel();
        }
    }

    /// Starts the sweeper and the workers; they stop when the shutdown token
    /// fires, failing the runs they held so none stays `running`.
    pub fn start(&self) -> JoinSet<()> {
        let mut tasks = JoinSet::new();
        let sweeper = self.inner.clone();
        tasks.spawn(async move { sweep(sweeper).await });
        let beating = self.inner.clone();
        tasks.spawn(async move { heartbeat(beating).await });
        let listening = self.inner.clone();
        tasks.spawn(async move { listen(listening).await });
        tasks.spawn(crate::monitor::scheduler::run(
            self.clone(),
            self.inner.ctx.store.clone(),
            self.inner.shutdown.clone(),
        ));
        tasks.spawn(crate::monitor::webhook::deliver::run(
            self.inner.ctx.clone(),
            self.inner.config.webhooks.clone(),
            self.inner.shutdown.clone(),
        ));
        for i in 0..self.inner.config.workers {
            let inner = self.inner.clone();
            tasks.spawn(async move { work(inner, i).await });
        }
        tasks
    }
}

async fn sweep(inner: Arc<Inner>) {
    loop {
        match inner.ctx.store.fail_lost_runs().await {
            Ok(lost) if !lost.is_empty() => {
                tracing::warn!(runs = ?lost, "failed runs whose worker was lost");
                for _ in &lost {
                    inner
                        .ctx
                        .metrics
                        .run_finished(RunStatus::Failed, Some(FailureReason::WorkerLost));
                }
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "sweeping lost runs"),
        }
        tokio::select! {
            _ = tokio::time::sleep(inner.config.sweep_every) => {}
            _ = inner.shutdown.cancelled() => return,
        }
    }
}

/// Wakes an idle worker here whenever a run is queued through any node (on
/// databases that can say so), so a run waits less than the idle poll.
async fn listen(inner: Arc<Inner>) {
    let mut signals = match inner.ctx.store.run_queued_signals().await {
        Ok(Some(signals)) => signals,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "listening for queued runs; polling only");
            return;
        }
    };
    loop {
        tokio::select! {
            got = signals.recv() => match got {
                Ok(()) => inner.wake.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for queued runs");
                    tokio::select! {
                        _ = tokio::time::sleep(inner.config.idle_poll) => {}
                        _ = inner.shutdown.cancelled() => return,
                    }
                }
            },
            _ = inner.shutdown.cancelled() => return,
        }
    }
}

/// Tells the database this node is alive (and how busy) until it stops,
/// then that it is gone.
async fn heartbeat(inner: Arc<Inner>) {
    loop {
        beat(&inner).await;
        tokio::select! {
            _ = tokio::time::sleep(inner.config.node_heartbeat) => {}
            _ = inner.shutdown.cancelled() => break,
        }
    }
    if let Err(e) = inner.ctx.store.node_gone(&inner.node).await {
        tracing::warn!(error = %e, "removing the node");
    }
}

async fn beat(inner: &Inner) {
    let running = inner.running.lock().expect("lock").len() as u32;
    let beat = crate::store::NodeBeat {
        id: &inner.node,
        name: &inner.name,
        version: env!("CARGO_PKG_VERSION"),
        started_at: inner.started_at,
        workers: inner.config.workers as u32,
        running,
    };
    if let Err(e) = inner.ctx.store.node_heartbeat(&beat).await {
        tracing::warn!(error = %e, "the node's heartbeat");
    }
}

async fn work(inner: Arc<Inner>, index: usize) {
    let worker = format!("{}-w{index}", inner.node);
    let lease_ms = inner.config.lease.as_millis() as i64;
    while !inner.shutdown.is_cancelled() {
        match inner
            .ctx
            .store
            .claim_run_on(Some(&inner.name), &worker, lease_ms)
            .await
        {
            Ok(Some(claimed)) => run(&inner, &worker, claimed).await,
            Ok(None) => {
                tokio::select! {
                    _ = inner.wake.notified() => {}
                    _ = tokio::time::sleep(inner.config.idle_poll) => {}
                    _ = inner.shutdown.cancelled() => return,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming a run");
                tokio::time::sleep(inner.config.idle_poll).await;
            }
        }
    }
}

/// Executes one claimed run with its heartbeat, then records how it ended.
async fn run(inner: &Arc<Inner>, worker: &str, claimed: Claimed) {
    let store = &inner.ctx.store;
    let token = inner.shutdown.child_token();
    inner
        .running
        .lock()
        .expect("lock")
        .insert(claimed.id.clone(), token.clone());

    // The heartbeat renews the lease now and then and looks for a cancel in
    // between; a refused renewal, or a run no longer this worker's, means it
    // was cancelled (or failed as lost) elsewhere, so the work stops.
    let heartbeat = Holding {
        inner,
        run_id: &claimed.id,
        heartbeat: {
            let (store, token, id, worker) = (
                store.clone(),
                token.clone(),
                claimed.id.clone(),
                worker.to_string(),
            );
            let (every, poll, lease_ms) = (
                inner.config.heartbeat,
                inner.config.cancel_poll.min(inner.config.heartbeat),
                inner.config.lease.as_millis() as i64,
            );
            tokio::spawn(async move {
                let mut renew_at = tokio::time::Instant::now() + every;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = token.cancelled() => return,
                    }
                    let renew = tokio::time::Instant::now() >= renew_at;
                    let held = if renew {
                        renew_at += every;
                        store.renew_lease(&id, &worker, lease_ms).await
                    } else {
                        store.holds_run(&id, &worker).await
                    };
                    match held {
                        Ok(true) => {}
                        Ok(false) => return token.cancel(),
                        Err(e) => tracing::warn!(run = %id, error = %e, "checking a run's lease"),
                    }
                }
            })
        },
    };

    let (flow, result) = match store.flow(&claimed.flow_id).await {
        Ok(Some(flow)) => {
            let result = execute::execute(&inner.ctx, &claimed.id, &flow, &token).await;
            (Some(flow), result)
        }
        Ok(None) => (
            None,
            Ok(Outcome {
                status: RunStatus::Failed,
                failure_reason: Some(FailureReason::Internal),
                error: Some("its flow was deleted".into()),
            }),
        ),
        Err(e) => (None, Err(e)),
    };

    let outcome = match result {
        Ok(outcome) if inner.shutdown.is_cancelled() && outcome.status != RunStatus::Completed => Outcome {
            status: RunStatus::Failed,
            failure_reason: Some(FailureReason::WorkerLost),
            error: Some("the server shut down before the run finished; items stored until then are kept".into()),
        },
        Ok(outcome) => outcome,
        // Deleting a flow deletes its runs, a running one too: the writes that
        // find its row gone end the work, which is then nobody's to record.
        Err(_) if matches!(store.run(&claimed.id).await, Ok(None)) => {
            tracing::info!(run = %claimed.id, "run deleted with its flow while it ran; stopped");
            return;
        }
        Err(e) => {
            tracing::error!(run = %claimed.id, error = %e, "run stopped by a database error");
            Outcome {
                status: RunStatus::Failed,
                failure_reason: Some(FailureReason::Internal),
                error: Some("a database error stopped the run; the server log has the details".into()),
            }
        }
    };
    // A run cancelled through the API is already `cancelled`: nothing to record.
    if outcome.status == RunStatus::Cancelled {
        return;
    }
    // Compared while the lease is still renewed: a large run takes a while.
    let changes = match &flow {
        Some(flow) if flow.mode == FlowMode::Monitor && outcome.status == RunStatus::Completed => {
            detect_changes(inner, &claimed.id, flow).await
        }
        _ => None,
    };
    drop(heartbeat);
    let recorded = store
        .finish_run_with_changes(
            &claimed.id,
            outcome.status,
            outcome.failure_reason,
            outcome.error.as_deref(),
            changes.as_ref(),
        )
        .await;
    match recorded {
        Ok(true) => {
            inner
                .ctx
                .metrics
                .run_finished(outcome.status, outcome.failure_reason);
            if let Err(e) = store.mark_flow_after_run(&claimed.id, outcome.status).await {
                tracing::error!(run = %claimed.id, error = %e, "updating the flow's status");
            }
            if let Some(flow) = &flow {
                prune(inner, flow).await;
            }
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(run = %claimed.id, error = %e, "recording the end of a run");
            let _ = store
                .append_log(
                    &claimed.id,
                    LogLevel::Error,
                    "could not record the end of the run",
                )
                .await;
        }
    }
}

/// A run this worker holds: while it lives the run's lease is renewed and a
/// cancel through the API reaches it; dropped, both stop.
struct Holding<'a> {
    inner: &'a Inner,
    run_id: &'a str,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.heartbeat.abort();
        self.inner.running.lock().expect("lock").remove(self.run_id);
    }
}

/// What a monitor's completed run changed, with a line in its log; `None`
/// (and the reason in the log) when the comparison could not be made: the
/// run still completes, and the next one compares with it.
async fn detect_changes(
    inner: &Arc<Inner>,
    run_id: &str,
    flow: &Flow,
) -> Option<crate::store::RecordedChanges> {
    let store = &inner.ctx.store;
    match crate::monitor::detect::detect(store, flow, run_id).await {
        Ok(changes) => {
            let line = crate::monitor::detect::summary(&changes);
            if let Err(e) = store.append_log(run_id, LogLevel::Info, &line).await {
                tracing::warn!(run = %run_id, error = %e, "logging a run's changes");
            }
            Some(changes)
        }
        Err(e) => {
            tracing::error!(run = %run_id, error = %e, "comparing a monitor's run with the previous one");
            let _ = store
                .append_log(
                    run_id,
                    LogLevel::Error,
                    "Changes: could not compare with the previous run (a database error; the server log has it)",
                )
                .await;
            None
        }
    }
}

/// Retention, for monitors and scheduled flows (whose history grows by
/// itself): runs beyond the newest `keepRuns` lose their items and logs.
async fn prune(inner: &Arc<Inner>, flow: &Flow) {
    if flow.mode != FlowMode::Monitor && flow.schedule.is_none() {
        return;
    }
    let keep = flow
        .monitor
        .as_ref()
        .and_then(|m| m.keep_runs)
        .unwrap_or(inner.config.keep_runs)
        .max(1);
    match inner.ctx.store.prune_runs(&flow.id, keep).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(flow = %flow.id, runs = n, keep, "pruned old runs' items and logs"),
        Err(e) => tracing::warn!(flow = %flow.id, error = %e, "pruning old runs"),
    }
}

#[cfg(test)]
mod tests {
    use super::EngineConfig;
    use std::time::Duration;

    #[test]
    fn a_lease_is_renewed_and_swept_well_inside_itself() {
        for (lease, inside) in [(2, 666), (6, 2000), (15, 5000), (600, 5000)] {
            let c = EngineConfig::default().with_lease(Duration::from_secs(lease));
            assert_eq!(c.lease, Duration::from_secs(lease));
            assert_eq!(c.heartbeat.as_millis(), inside, "lease {lease} s");
            assert_eq!(c.sweep_every, c.heartbeat);
        }
    }
}
