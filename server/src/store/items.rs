use super::{Result, Store};
use serde_json::{Map, Value};

impl Store {
    /// Stores a batch of a run's items, numbered from `first_seq`, in one transaction.
    pub async fn insert_items(
        &self,
        run_id: &str,
        first_seq: u64,
        items: &[Map<String, Value>],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (i, item) in items.iter().enumerate() {
            let text = serde_json::to_string(item).expect("JSON maps serialize");
            sqlx::query("INSERT INTO run_items (run_id, seq, data) VALUES (?, ?, ?)")
                .bind(run_id)
                .bind((first_seq + i as u64) as i64)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A page of a run's items as their stored JSON texts, in order.
    pub async fn item_texts(&self, run_id: &str, limit: i64, offset: i64) -> Result<Vec<String>> {
        let texts = sqlx::query_scalar(
            "SELECT data FROM run_items WHERE run_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        )
        .bind(run_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(texts)
    }

    pub async fn item_count(&self, run_id: &str) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_items WHERE run_id = ?")
            .bind(run_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }
}
