//! The changes monitor runs found: written with the run's end, read a page at
//! a time for a run or for a flow's history, and kept when retention prunes
//! a run's items.

use super::{Result, Store, StoreError};
use scraper_common::{ChangeCounts, ChangeEntry, ChangeKind, RunChanges};
use sqlx::SqliteConnection;

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

/// Writes a run's change entries, stamped with the run and `at`.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    run_id: &str,
    at: i64,
    changes: &RecordedChanges,
) -> sqlx::Result<()> {
    if changes.entries.is_empty() {
        return Ok(());
    }
    let flow_id: String = sqlx::query_scalar("SELECT flow_id FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_one(&mut *conn)
        .await?;
    let detected_at = scraper_common::time::from_millis(at);
    for (seq, entry) in changes.entries.iter().enumerate() {
        let mut entry = entry.clone();
        entry.run_id = run_id.to_string();
        entry.detected_at = detected_at;
        let data = serde_json::to_string(&entry).expect("change entries serialize");
        sqlx::query(
            "INSERT INTO run_changes (run_id, seq, flow_id, kind, data) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(run_id)
        .bind(seq as i64 + 1)
        .bind(&flow_id)
        .bind(entry.kind.as_str())
        .bind(data)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn parse(texts: Vec<String>) -> Result<Vec<ChangeEntry>> {
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
        let kind = query.kind.map(ChangeKind::as_str);
        let page = self.run_changes_page(run_id, query).await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM run_changes WHERE run_id = ? AND (? IS NULL OR kind = ?)",
        )
        .bind(run_id)
        .bind(kind)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok((page, total as u64))
    }

    async fn run_changes_page(
        &self,
        run_id: &str,
        query: &ChangeQuery,
    ) -> Result<Vec<ChangeEntry>> {
        let kind = query.kind.map(ChangeKind::as_str);
        let texts: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM run_changes WHERE run_id = ? AND (? IS NULL OR kind = ?) \
             ORDER BY seq LIMIT ? OFFSET ?",
        )
        .bind(run_id)
        .bind(kind)
        .bind(kind)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        parse(texts)
    }

    /// A page of a flow's change history, newest run first (each run's
    /// changes in the order found), and how many match in all.
    pub async fn flow_changes(
        &self,
        flow_id: &str,
        query: &ChangeQuery,
    ) -> Result<(Vec<ChangeEntry>, u64)> {
        let kind = query.kind.map(ChangeKind::as_str);
        let texts: Vec<String> = sqlx::query_scalar(
            "SELECT c.data FROM run_changes c JOIN runs r ON r.id = c.run_id \
             WHERE c.flow_id = ? AND (? IS NULL OR c.kind = ?) \
             ORDER BY r.finished_at DESC, r.id DESC, c.seq LIMIT ? OFFSET ?",
        )
        .bind(flow_id)
        .bind(kind)
        .bind(kind)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM run_changes WHERE flow_id = ? AND (? IS NULL OR kind = ?)",
        )
        .bind(flow_id)
        .bind(kind)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok((parse(texts)?, total as u64))
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
            for entry in self.run_changes_page(run_id, &query).await? {
                changes.push(entry);
            }
        }
        Ok(changes)
    }
}

impl Store {
    /// The flow's newest completed run other than `run_id`: what a monitor's
    /// run is compared with.
    pub async fn previous_completed_run(
        &self,
        flow_id: &str,
        run_id: &str,
    ) -> Result<Option<String>> {
        let id = sqlx::query_scalar(
            "SELECT id FROM runs WHERE flow_id = ? AND status = 'completed' AND id <> ? \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(flow_id)
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id)
    }
}
