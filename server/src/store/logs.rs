//! A run's log lines, numbered 1, 2, 3... per run.
//!
//! The next number comes from the run's own counter (`runs.log_seq`), bumped
//! in the transaction that inserts the line. Bumping it locks the run's row
//! until that transaction ends, so writers of one run take turns: numbers are
//! distinct and gapless, and lines become visible in `seq` order, which the
//! log stream relies on (it reads on from the last `seq` it sent, so a line 4
//! committed after line 5 would never be sent). `MAX(seq) + 1` gives that only
//! where there is a single writer.

use super::{Result, Store, StoreError};
use scraper_common::time::from_millis;
use scraper_common::{LogEntry, LogLevel};

/// A log line as every database reads it.
#[derive(sqlx::FromRow)]
pub(super) struct LogRow {
    seq: i64,
    ts: i64,
    level: String,
    message: String,
}

impl LogRow {
    pub(super) fn into_entry(self) -> Result<LogEntry> {
        Ok(LogEntry {
            seq: self.seq as u64,
            timestamp: from_millis(self.ts),
            level: self.level.parse().map_err(|detail| StoreError::Corrupt {
                table: "run_logs",
                detail,
            })?,
            message: self.message,
        })
    }
}

impl Store {
    pub async fn append_log(&self, run_id: &str, level: LogLevel, message: &str) -> Result<()> {
        db!(self, append_log(run_id, level, message))
    }

    /// The log lines of a run with `seq` above `after`, in order.
    pub async fn logs_after(&self, run_id: &str, after: i64) -> Result<Vec<LogEntry>> {
        db!(self, logs_after(run_id, after))
    }
}
