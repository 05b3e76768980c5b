use super::Sqlite;
use crate::store::logs::LogRow;
use crate::store::{Result, now_ms};
use scraper_common::{LogEntry, LogLevel};
use sqlx::SqliteConnection;

/// Appends a line as the run's next one. `conn` must be inside a transaction,
/// which holds the run's counter until it ends.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    run_id: &str,
    ts: i64,
    level: LogLevel,
    message: &str,
) -> sqlx::Result<()> {
    let seq: i64 =
        sqlx::query_scalar("UPDATE runs SET log_seq = log_seq + 1 WHERE id = ? RETURNING log_seq")
            .bind(run_id)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query("INSERT INTO run_logs (run_id, seq, ts, level, message) VALUES (?, ?, ?, ?, ?)")
        .bind(run_id)
        .bind(seq)
        .bind(ts)
        .bind(level.as_str())
        .bind(message)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Sqlite {
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
            "SELECT seq, ts, level, message FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(run_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(LogRow::into_entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::old_database;
    use crate::store::Store;
    use scraper_common::LogLevel;

    /// A database written before runs counted their lines goes on numbering
    /// each run's lines after its last one.
    #[tokio::test]
    async fn the_migration_starts_each_counter_at_the_last_line() {
        let (_dir, url) = old_database(
            2,
            "INSERT INTO flows (id, name, url, mode, status, created_at, updated_at) \
             VALUES ('flow-1', 'f', 'https://example.com/', 'extract', 'draft', 1, 1); \
             INSERT INTO runs (id, flow_id, status, trigger, created_at) \
             VALUES ('run-1', 'flow-1', 'running', 'api', 1), ('run-2', 'flow-1', 'queued', 'api', 2); \
             INSERT INTO run_logs (run_id, seq, ts, level, message) \
             VALUES ('run-1', 1, 1, 'info', 'a'), ('run-1', 2, 1, 'info', 'b'), ('run-1', 3, 1, 'info', 'c');",
        )
        .await;
        let store = Store::open(&url).await.unwrap();
        store
            .append_log("run-1", LogLevel::Info, "d")
            .await
            .unwrap();
        store
            .append_log("run-2", LogLevel::Info, "e")
            .await
            .unwrap();
        let seqs = |lines: Vec<scraper_common::LogEntry>| -> Vec<(u64, String)> {
            lines.into_iter().map(|l| (l.seq, l.message)).collect()
        };
        let run1 = seqs(store.logs_after("run-1", 0).await.unwrap());
        let expected: Vec<(u64, String)> = [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
            .map(|(seq, m)| (seq, m.to_string()))
            .into();
        assert_eq!(run1, expected);
        let run2 = seqs(store.logs_after("run-2", 0).await.unwrap());
        assert_eq!(run2, [(1, "e".to_string())]);
    }
}
