//! Screenshots of browser runs: stored with the run, pruned with its items.

use super::{Result, Store, now_ms};
use scraper_common::Screenshot;
use scraper_common::time::from_millis;

impl Store {
    /// Keeps a PNG a run took; returns its number in the run (1, 2...).
    pub async fn add_screenshot(
        &self,
        run_id: &str,
        step: Option<usize>,
        label: &str,
        png: &[u8],
    ) -> Result<u32> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO run_screenshots (run_id, n, step, label, taken_at, png) \
             SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ? FROM run_screenshots WHERE run_id = ? \
             RETURNING n",
        )
        .bind(run_id)
        .bind(step.map(|s| s as i64))
        .bind(label)
        .bind(now_ms())
        .bind(png)
        .bind(run_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u32)
    }

    /// A run's screenshots, without their pictures, in the order taken.
    pub async fn screenshots(&self, run_id: &str) -> Result<Vec<Screenshot>> {
        let rows: Vec<(i64, Option<i64>, String, i64, i64)> = sqlx::query_as(
            "SELECT n, step, label, taken_at, length(png) FROM run_screenshots \
             WHERE run_id = ? ORDER BY n",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(n, step, label, taken_at, bytes)| Screenshot {
                n: n as u32,
                step: step.map(|s| s as u32),
                label,
                taken_at: from_millis(taken_at),
                bytes: bytes.max(0) as u64,
            })
            .collect())
    }

    /// The PNG of a run's screenshot `n`.
    pub async fn screenshot_png(&self, run_id: &str, n: u32) -> Result<Option<Vec<u8>>> {
        let png = sqlx::query_scalar("SELECT png FROM run_screenshots WHERE run_id = ? AND n = ?")
            .bind(run_id)
            .bind(i64::from(n))
            .fetch_optional(&self.pool)
            .await?;
        Ok(png)
    }
}
