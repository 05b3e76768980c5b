use super::Postgres;
use crate::store::nodes::{NodeRow, into_node};
use crate::store::{NodeBeat, Result};
use scraper_common::Node;

impl Postgres {
    pub(crate) async fn node_beat(&self, beat: &NodeBeat<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO nodes (id, name, version, started_at, heartbeat_at, workers, running) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, \
             workers = excluded.workers, running = excluded.running",
        )
        .bind(beat.id)
        .bind(beat.name)
        .bind(beat.version)
        .bind(beat.started_at)
        .bind(now)
        .bind(i64::from(beat.workers))
        .bind(i64::from(beat.running))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn forget_nodes(&self, before: i64) -> Result<()> {
        sqlx::query("DELETE FROM nodes WHERE heartbeat_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn node_gone(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM nodes WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn nodes_since(&self, since: i64) -> Result<Vec<Node>> {
        let rows: Vec<NodeRow> = sqlx::query_as(
            "SELECT id, name, version, started_at, heartbeat_at, workers, running FROM nodes \
             WHERE heartbeat_at >= $1 ORDER BY name, id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(into_node).collect())
    }
}
