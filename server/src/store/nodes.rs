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

impl Store {
    /// Records that the node is alive, with its figures; forgets nodes
    /// silent for a day.
    pub async fn node_heartbeat(&self, beat: &NodeBeat<'_>) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO nodes (id, name, version, started_at, heartbeat_at, workers, running) \
             VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, \
             workers = excluded.workers, running = excluded.running",
        )
        .bind(beat.id)
        .bind(beat.name)
        .bind(beat.version)
        .bind(beat.started_at)
        .bind(now)
        .bind(beat.workers)
        .bind(beat.running)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM nodes WHERE heartbeat_at < ?")
            .bind(now - 86_400_000)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The node stopped.
    pub async fn node_gone(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM nodes WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Nodes whose heartbeat is younger than `within_ms`, by name.
    pub async fn live_nodes(&self, within_ms: i64) -> Result<Vec<Node>> {
        type Row = (String, String, String, i64, i64, i64, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, version, started_at, heartbeat_at, workers, running FROM nodes \
             WHERE heartbeat_at >= ? ORDER BY name, id",
        )
        .bind(now_ms() - within_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, version, started_at, heartbeat_at, workers, running)| Node {
                    id,
                    name,
                    version,
                    started_at: from_millis(started_at),
                    heartbeat_at: from_millis(heartbeat_at),
                    workers: workers.max(0) as u32,
                    runs_in_progress: running.max(0) as u32,
                },
            )
            .collect())
    }
}
