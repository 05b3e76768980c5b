//! Items go to the database in batches as they come, so a long run never
//! holds its items in memory.

use crate::store::{Result, Store};
use serde_json::{Map, Value};

const BATCH: usize = 500;

pub struct ItemSink {
    store: Store,
    run_id: String,
    buffer: Vec<Map<String, Value>>,
    /// Items stored so far.
    pub stored: u64,
}

impl ItemSink {
    pub fn new(store: Store, run_id: &str) -> ItemSink {
        ItemSink {
            store,
            run_id: run_id.to_string(),
            buffer: Vec::with_capacity(BATCH),
            stored: 0,
        }
    }

    /// Items seen, stored or waiting.
    pub fn count(&self) -> u64 {
        self.stored + self.buffer.len() as u64
    }

    pub async fn push(&mut self, items: Vec<Map<String, Value>>) -> Result<()> {
        self.buffer.extend(items);
        if self.buffer.len() >= BATCH {
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
        Ok(())
    }
}
