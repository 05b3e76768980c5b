//! A run's log, as the worker writes it: capped per run, and the cap is logged.

use crate::store::{Result, Store};
use scraper_common::LogLevel;

pub struct RunLog {
    store: Store,
    run_id: String,
    written: u64,
    cap: u64,
}

impl RunLog {
    /// `already` lines exist (the queue line).
    pub fn new(store: Store, run_id: &str, already: u64, cap: u64) -> RunLog {
        RunLog {
            store,
            run_id: run_id.to_string(),
            written: already,
            cap,
        }
    }

    pub async fn info(&mut self, message: impl AsRef<str>) -> Result<()> {
        self.write(LogLevel::Info, message.as_ref()).await
    }

    pub async fn warn(&mut self, message: impl AsRef<str>) -> Result<()> {
        self.write(LogLevel::Warn, message.as_ref()).await
    }

    /// Lines past the cap are dropped, except that the one reaching it says so.
    /// `force` lines (the summary) are written even past the cap.
    pub async fn write(&mut self, level: LogLevel, message: &str) -> Result<()> {
        if self.written + 1 < self.cap {
            self.written += 1;
            return self.store.append_log(&self.run_id, level, message).await;
        }
        if self.written + 1 == self.cap {
            self.written += 1;
            let note = format!(
                "Log cap of {} lines reached: further lines of this run are dropped \
                 (the summary is still written)",
                self.cap
            );
            return self
                .store
                .append_log(&self.run_id, LogLevel::Warn, &note)
                .await;
        }
        Ok(())
    }

    pub async fn force(&mut self, level: LogLevel, message: &str) -> Result<()> {
        self.written += 1;
        self.store.append_log(&self.run_id, level, message).await
    }
}
