//! Screenshots of browser runs: stored with the run, pruned with its items.

use super::{Result, Store};
use scraper_common::Screenshot;
use scraper_common::time::from_millis;

/// A screenshot as every database lists it: n, step, label, taken_at, and
/// the PNG's length.
pub(super) type ScreenshotRow = (i64, Option<i64>, String, i64, i64);

pub(super) fn into_screenshot(row: ScreenshotRow) -> Screenshot {
    let (n, step, label, taken_at, bytes) = row;
    Screenshot {
        n: n as u32,
        step: step.map(|s| s as u32),
        label,
        taken_at: from_millis(taken_at),
        bytes: bytes.max(0) as u64,
    }
}

impl Store {
    /// Keeps a PNG a run took; returns its number in the run (1, 2...).
    pub async fn add_screenshot(
        &self,
        run_id: &str,
        step: Option<usize>,
        label: &str,
        png: &[u8],
    ) -> Result<u32> {
        db!(self, add_screenshot(run_id, step, label, png))
    }

    /// A run's screenshots, without their pictures, in the order taken.
    pub async fn screenshots(&self, run_id: &str) -> Result<Vec<Screenshot>> {
        db!(self, screenshots(run_id))
    }

    /// The PNG of a run's screenshot `n`.
    pub async fn screenshot_png(&self, run_id: &str, n: u32) -> Result<Option<Vec<u8>>> {
        db!(self, screenshot_png(run_id, n))
    }
}
