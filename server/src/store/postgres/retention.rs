use super::Postgres;
use crate::store::{Result, now_ms};

impl Postgres {
    /// Up to `limit` of the runs `prune_runs(flow_id, keep)` prunes that are
    /// not pruned yet.
    pub(crate) async fn runs_to_prune(
        &self,
        flow_id: &str,
        keep: u32,
        limit: i64,
    ) -> Result<Vec<String>> {
        let ids = sqlx::query_scalar(
            "SELECT id FROM runs \
             WHERE flow_id = $1 AND pruned_at IS NULL \
               AND status IN ('completed', 'failed', 'cancelled') \
               AND id NOT IN (SELECT id FROM runs WHERE flow_id = $2 \
                              ORDER BY created_at DESC, id DESC LIMIT $3) \
               AND id IS DISTINCT FROM (SELECT id FROM runs WHERE flow_id = $4 AND status = 'completed' \
                              ORDER BY created_at DESC, id DESC LIMIT 1) \
             LIMIT $5",
        )
        .bind(flow_id)
        .bind(flow_id)
        .bind(i64::from(keep))
        .bind(flow_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    /// Deletes the runs' items, logs and screenshots and marks them pruned,
    /// in one transaction.
    pub(crate) async fn prune(&self, ids: &[String]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            for sql in [
                "DELETE FROM run_items WHERE run_id = $1",
                "DELETE FROM run_item_keys WHERE run_id = $1",
                "DELETE FROM run_logs WHERE run_id = $1",
                "DELETE FROM run_screenshots WHERE run_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE runs SET pruned_at = $1 WHERE id = $2")
                .bind(now_ms())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
