//! The changes monitor runs found: written with the run's end, read a page at
//! a time for a run or for a flow's history, and kept when retention prunes
//! a run's items.

use super::{Result, Store, StoreError};
use scraper_common::{ChangeCounts, ChangeEntry, ChangeKind, RunChanges};

/// What a finished monitor run found, to be stored with its end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedChanges {
    pub counts: ChangeCounts,
    /// In the order found; `runId` and `detectedAt` are set when stored.
    pub entries: Vec<ChangeEntry>,
}

/// What `run_changes` and `flow_changes` filter on.
#[derive(Debug, Clone, Default)]
pub struct ChangeQuery {
    pub kind: Option<ChangeKind>,
    pub limit: i64,
    pub offset: i64,
}

impl RecordedChanges {
    /// The entries as stored, in the order found: each stamped with the run
    /// and `at` (ms), with its kind and its JSON text.
    pub(super) fn stamped<'a>(
        &'a self,
        run_id: &'a str,
        at: i64,
    ) -> impl Iterator<Item = (ChangeKind, String)> + 'a {
        let detected_at = scraper_common::time::from_millis(at);
        self.entries.iter().map(move |entry| {
            let mut entry = entry.clone();
            entry.run_id = run_id.to_string();
            entry.detected_at = detected_at;
            let data = serde_json::to_string(&entry).expect("change entries serialize");
            (entry.kind, data)
        })
    }
}

/// Change entries from their stored JSON texts.
pub(super) fn parse(texts: Vec<String>) -> Result<Vec<ChangeEntry>> {
    texts
        .iter()
        .map(|text| {
            serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
                table: "run_changes",
                detail: e.to_string(),
            })
        })
        .collect()
}

impl Store {
    /// A page of the changes a run found, in the order found, and how many
    /// match in all.
    pub async fn run_changes(
        &self,
        run_id: &str,
        query: &ChangeQuery,
    ) -> Result<(Vec<ChangeEntry>, u64)> {
        let page = db!(self, run_changes_page(run_id, query))?;
        let total = db!(self, run_change_count(run_id, query.kind))?;
        Ok((page, total))
    }

    /// A page of a flow's change history, newest run first (each run's
    /// changes in the order found), and how many match in all.
    pub async fn flow_changes(
        &self,
        flow_id: &str,
        query: &ChangeQuery,
    ) -> Result<(Vec<ChangeEntry>, u64)> {
        db!(self, flow_changes(flow_id, query))
    }

    /// A run's counts with its first `per_kind` changes of each kind, as a
    /// run read alone and webhooks show them.
    pub async fn run_changes_preview(
        &self,
        run_id: &str,
        counts: ChangeCounts,
        per_kind: i64,
    ) -> Result<RunChanges> {
        let mut changes = RunChanges {
            counts,
            added: Some(Vec::new()),
            removed: Some(Vec::new()),
            changed: Some(Vec::new()),
            text: Some(Vec::new()),
        };
        for kind in ChangeKind::ALL {
            let query = ChangeQuery {
                kind: Some(*kind),
                limit: per_kind,
                offset: 0,
            };
            for entry in db!(self, run_changes_page(run_id, &query))? {
                changes.push(entry);
            }
        }
        Ok(changes)
    }

    /// The flow's newest completed run other than `run_id`: what a monitor's
    /// run is compared with.
    pub async fn previous_completed_run(
        &self,
        flow_id: &str,
        run_id: &str,
    ) -> Result<Option<String>> {
        db!(self, previous_completed_run(flow_id, run_id))
    }
}
