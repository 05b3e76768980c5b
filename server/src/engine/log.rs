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

    /// Written even past the cap: the summary a reader looks for last.
    pub async fn force(&mut self, level: LogLevel, message: &str) -> Result<()> {
        self.written += 1;
        self.store.append_log(&self.run_id, level, message).await
    }
}

#[cfg(test)]
mod tests {
    use super::RunLog;
    use crate::store::Store;
    use scraper_common::{FlowInput, LogLevel, Trigger};

    #[tokio::test]
    async fn the_cap_is_logged_and_the_summary_still_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        let flow = store
            .create_flow(&FlowInput::new("f", "https://example.com/"), None)
            .await
            .unwrap();
        let run = store
            .create_run(&flow.id, Trigger::Api)
            .await
            .unwrap()
            .unwrap();
        // One line (the queue line) exists; a cap of 5 leaves room for 3 more
        // and the line that says the cap was reached.
        let mut log = RunLog::new(store.clone(), &run.id, 1, 5);
        for i in 0..10 {
            log.info(format!("line {i}")).await.unwrap();
        }
        log.force(LogLevel::Info, "Summary").await.unwrap();
        let lines = store.logs_after(&run.id, 0).await.unwrap();
        let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(messages.len(), 6, "{messages:?}");
        assert_eq!(&messages[1..4], ["line 0", "line 1", "line 2"]);
        assert!(
            messages[4].starts_with("Log cap of 5 lines reached"),
            "{messages:?}"
        );
        assert_eq!(lines[4].level, LogLevel::Warn);
        assert_eq!(messages[5], "Summary");
    }
}
