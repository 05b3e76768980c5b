//! Retention: a monitor's history stays small while its change timeline
//! stays whole. Old runs lose their items, logs and screenshots, never their
//! row or the changes they found.

use super::{Result, Store, now_ms};

/// Runs pruned per statement, so a first prune of a long history does not
/// hold the database for long.
const BATCH: i64 = 50;

impl Store {
    /// Removes the items and logs of `flow_id`'s finished runs beyond its
    /// newest `keep`, except its last completed run (the next run is compared
    /// with it). Returns how many runs were pruned.
    pub async fn prune_runs(&self, flow_id: &str, keep: u32) -> Result<u64> {
        let mut pruned = 0;
        loop {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM runs \
                 WHERE flow_id = ? AND pruned_at IS NULL \
                   AND status IN ('completed', 'failed', 'cancelled') \
                   AND id NOT IN (SELECT id FROM runs WHERE flow_id = ? \
                                  ORDER BY created_at DESC, id DESC LIMIT ?) \
                   AND id IS NOT (SELECT id FROM runs WHERE flow_id = ? AND status = 'completed' \
                                  ORDER BY created_at DESC, id DESC LIMIT 1) \
                 LIMIT ?",
            )
            .bind(flow_id)
            .bind(flow_id)
            .bind(i64::from(keep))
            .bind(flow_id)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            if ids.is_empty() {
                return Ok(pruned);
            }
            let mut tx = self.pool.begin().await?;
            for id in &ids {
                for sql in [
                    "DELETE FROM run_items WHERE run_id = ?",
                    "DELETE FROM run_item_keys WHERE run_id = ?",
                    "DELETE FROM run_logs WHERE run_id = ?",
                    "DELETE FROM run_screenshots WHERE run_id = ?",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE runs SET pruned_at = ? WHERE id = ?")
                    .bind(now_ms())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            pruned += ids.len() as u64;
        }
    }
}
