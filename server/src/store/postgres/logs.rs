use super::Postgres;
use crate::store::logs::LogRow;
use crate::store::{Result, now_ms};
use scraper_common::{LogEntry, LogLevel};
use sqlx::PgConnection;

/// Appends a line as the run's next one. `conn` must be inside a transaction,
/// which holds the run's counter until it ends.
pub(super) async fn append(
    conn: &mut PgConnection,
    run_id: &str,
    ts: i64,
    level: LogLevel,
    message: &str,
) -> sqlx::Result<()> {
    let seq: i64 =
        sqlx::query_scalar("UPDATE runs SET log_seq = log_seq + 1 WHERE id = $1 RETURNING log_seq")
            .bind(run_id)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(
        "INSERT INTO run_logs (run_id, seq, ts, level, message) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(run_id)
    .bind(seq)
    .bind(ts)
    .bind(level.as_str())
    .bind(message)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Postgres {
    pub(crate) async fn append_log(
        &self,
        run_id: &str,
        level: LogLevel,
        message: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        append(&mut tx, run_id, now_ms(), level, message).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn logs_after(&self, run_id: &str, after: i64) -> Result<Vec<LogEntry>> {
        let rows: Vec<LogRow> = sqlx::query_as(
            "SELECT seq, ts, level, message FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(run_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(LogRow::into_entry).collect()
    }
}
