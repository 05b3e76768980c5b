//! Retention: a monitor's history stays small while its change timeline
//! stays whole. Old runs lose their items, logs and screenshots, never their
//! row or the changes they found.

use super::{Result, Store};

/// Runs pruned per transaction, so a first prune of a long history does not
/// hold the database for long.
const BATCH: i64 = 50;

impl Store {
    /// Removes the items and logs of `flow_id`'s finished runs beyond its
    /// newest `keep`, except its last completed run (the next run is compared
    /// with it). Returns how many runs were pruned.
    pub async fn prune_runs(&self, flow_id: &str, keep: u32) -> Result<u64> {
        let mut pruned = 0;
        loop {
            let ids = db!(self, runs_to_prune(flow_id, keep, BATCH))?;
            if ids.is_empty() {
                return Ok(pruned);
            }
            db!(self, prune(&ids))?;
            pruned += ids.len() as u64;
        }
    }
}
