//! Items go to the database in batches as they come, so a long run never
//! holds its items in memory.

use crate::store::{Result, Store};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

const BATCH: usize = 500;
/// Items never wait longer than this for the database (once another page comes).
const MAX_WAIT: Duration = Duration::from_millis(500);

pub struct ItemSink {
    store: Store,
    run_id: String,
    buffer: Vec<Map<String, Value>>,
    /// Items stored so far.
    pub stored: u64,
    /// `None` until the first flush, so the first items are visible at once.
    last_flush: Option<Instant>,
}

impl ItemSink {
    pub fn new(store: Store, run_id: &str) -> ItemSink {
        ItemSink {
            store,
            run_id: run_id.to_string(),
            buffer: Vec::with_capacity(BATCH),
            stored: 0,
            last_flush: None,
        }
    }

    /// Items seen, stored or waiting.
    pub fn count(&self) -> u64 {
        self.stored + self.buffer.len() as u64
    }

    pub async fn push(&mut self, items: Vec<Map<String, Value>>) -> Result<()> {
        self.buffer.extend(items);
        let waited = self.last_flush.is_none_or(|at| at.elapsed() >= MAX_WAIT);
        if self.buffer.len() >= BATCH || waited {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.store
            .insert_items(&self.run_id, self.stored + 1, &self.buffer)
            .await?;
        self.stored += self.buffer.len() as u64;
        self.buffer.clear();
        self.last_flush = Some(Instant::now());
        Ok(())
    }
}
