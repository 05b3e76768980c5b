//! `GET /api/flows` answered from memory while nothing it shows has changed.
//!
//! Dashboards poll the flow list; re-reading and re-encoding fifty flows for
//! each poll is most of what the server would do. An encoded page is kept
//! with the store's `flows_version` it was read at and served again while
//! that version holds (no write through this process since) and it is
//! younger than [`FRESH_FOR`], which bounds how late the list shows writes
//! made by another process on the same database.

use crate::store::FlowQuery;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most a cached page can lag a write made by another process.
pub const FRESH_FOR: Duration = Duration::from_millis(500);
/// Distinct queries kept; beyond it the cache starts over (queries are few:
/// filters and pages a person clicks through).
const MAX_QUERIES: usize = 256;

#[derive(Debug)]
struct Page {
    version: u64,
    made: Instant,
    body: Bytes,
}

#[derive(Debug, Default)]
pub struct ListCache {
    pages: Mutex<HashMap<FlowQuery, Page>>,
}

impl ListCache {
    /// The page of `query` encoded at `version`, if still fresh.
    pub fn get(&self, query: &FlowQuery, version: u64) -> Option<Bytes> {
        let pages = self.pages.lock().expect("cache lock");
        let page = pages.get(query)?;
        (page.version == version && page.made.elapsed() < FRESH_FOR).then(|| page.body.clone())
    }

    /// Keeps `body`, read when the store's version was `version` (read the
    /// version before the rows, so a write in between makes it stale).
    pub fn put(&self, query: FlowQuery, version: u64, body: Bytes) {
        let mut pages = self.pages.lock().expect("cache lock");
        if pages.len() >= MAX_QUERIES && !pages.contains_key(&query) {
            pages.clear();
        }
        pages.insert(
            query,
            Page {
                version,
                made: Instant::now(),
                body,
            },
        );
    }
}
