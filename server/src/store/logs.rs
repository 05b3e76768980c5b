use super::{Result, Store, now_ms};
use scraper_common::LogLevel;

/// Appends with the next `seq` of the run, in one statement, so concurrent
/// writers of one run never take the same number.
pub(super) const APPEND: &str = "INSERT INTO run_logs (run_id, seq, ts, level, message) \
    SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM run_logs WHERE run_id = ?";

impl Store {
    pub async fn append_log(&self, run_id: &str, level: LogLevel, message: &str) -> Result<()> {
        sqlx::query(APPEND)
            .bind(run_id)
            .bind(now_ms())
            .bind(level.as_str())
            .bind(message)
            .bind(run_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
