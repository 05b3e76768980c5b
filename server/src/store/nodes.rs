//! The server processes on this database, as their heartbeats say.

use super::{Result, Store, now_ms};
use scraper_common::Node;
use scraper_common::time::from_millis;

/// What a node says of itself at each heartbeat.
#[derive(Debug, Clone)]
pub struct NodeBeat<'a> {
    /// Unique per process (leases name it).
    pub id: &'a str,
    /// What people call it (`--node-name`).
    pub name: &'a str,
    pub version: &'a str,
    pub started_at: i64,
    pub workers: u32,
    pub running: u32,
}

/// How long a silent node is remembered.
const FORGET_AFTER_MS: i64 = 86_400_000;

/// A node as every database reads it: id, name, version, started_at,
/// heartbeat_at, workers, running.
pub(super) type NodeRow = (String, String, String, i64, i64, i64, i64);

pub(super) fn into_node(row: NodeRow) -> Node {
    let (id, name, version, started_at, heartbeat_at, workers, running) = row;
    Node {
        id,
        name,
        version,
        started_at: from_millis(started_at),
        heartbeat_at: from_millis(heartbeat_at),
        workers: workers.max(0) as u32,
        runs_in_progress: running.max(0) as u32,
    }
}

impl Store {
    /// Records that the node is alive, with its figures; forgets nodes
    /// silent for a day.
    pub async fn node_heartbeat(&self, beat: &NodeBeat<'_>) -> Result<()> {
        let now = now_ms();
        db!(self, node_beat(beat, now))?;
        db!(self, forget_nodes(now - FORGET_AFTER_MS))
    }

    /// The node stopped.
    pub async fn node_gone(&self, id: &str) -> Result<()> {
        db!(self, node_gone(id))
    }

    /// Nodes whose heartbeat is younger than `within_ms`, by name.
    pub async fn live_nodes(&self, within_ms: i64) -> Result<Vec<Node>> {
        db!(self, nodes_since(now_ms() - within_ms))
    }
}
