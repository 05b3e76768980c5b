use super::Postgres;
use crate::store::screenshots::{ScreenshotRow, into_screenshot};
use crate::store::{Result, now_ms};
use scraper_common::Screenshot;

impl Postgres {
    pub(crate) async fn add_screenshot(
        &self,
        run_id: &str,
        step: Option<usize>,
        label: &str,
        png: &[u8],
    ) -> Result<u32> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO run_screenshots (run_id, n, step, label, taken_at, png) \
             SELECT $1, COALESCE(MAX(n), 0) + 1, $2, $3, $4, $5 FROM run_screenshots WHERE run_id = $6 \
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

    pub(crate) async fn screenshots(&self, run_id: &str) -> Result<Vec<Screenshot>> {
        let rows: Vec<ScreenshotRow> = sqlx::query_as(
            "SELECT n, step, label, taken_at, octet_length(png)::bigint FROM run_screenshots \
             WHERE run_id = $1 ORDER BY n",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(into_screenshot).collect())
    }

    pub(crate) async fn screenshot_png(&self, run_id: &str, n: u32) -> Result<Option<Vec<u8>>> {
        let png =
            sqlx::query_scalar("SELECT png FROM run_screenshots WHERE run_id = $1 AND n = $2")
                .bind(run_id)
                .bind(i64::from(n))
                .fetch_optional(&self.pool)
                .await?;
        Ok(png)
    }
}
