use super::Postgres;
use crate::store::changes::parse;
use crate::store::{ChangeQuery, RecordedChanges, Result};
use scraper_common::{ChangeEntry, ChangeKind};
use sqlx::PgConnection;

/// Writes a run's change entries, stamped with the run and `at`.
pub(super) async fn insert(
    conn: &mut PgConnection,
    run_id: &str,
    at: i64,
    changes: &RecordedChanges,
) -> sqlx::Result<()> {
    if changes.entries.is_empty() {
        return Ok(());
    }
    let flow_id: String = sqlx::query_scalar("SELECT flow_id FROM runs WHERE id = $1")
        .bind(run_id)
        .fetch_one(&mut *conn)
        .await?;
    for (seq, (kind, data)) in changes.stamped(run_id, at).enumerate() {
        sqlx::query(
            "INSERT INTO run_changes (run_id, seq, flow_id, kind, data) \
             VALUES ($1, $2, $3, $4, $5::json)",
        )
        .bind(run_id)
        .bind(seq as i64 + 1)
        .bind(&flow_id)
        .bind(kind.as_str())
        .bind(data)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Postgres {
    pub(crate) async fn run_changes_page(
        &self,
        run_id: &str,
        query: &ChangeQuery,
    ) -> Result<Vec<ChangeEntry>> {
        let kind = query.kind.map(ChangeKind::as_str);
        let texts: Vec<String> = sqlx::query_scalar(
            "SELECT data::text FROM run_changes WHERE run_id = $1 AND ($2::text IS NULL OR kind = $3) \
             ORDER BY seq LIMIT $4 OFFSET $5",
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

    pub(crate) async fn run_change_count(
        &self,
        run_id: &str,
        kind: Option<ChangeKind>,
    ) -> Result<u64> {
        let kind = kind.map(ChangeKind::as_str);
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM run_changes WHERE run_id = $1 AND ($2::text IS NULL OR kind = $3)",
        )
        .bind(run_id)
        .bind(kind)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok(total as u64)
    }

    pub(crate) async fn flow_changes(
        &self,
        flow_id: &str,
        query: &ChangeQuery,
    ) -> Result<(Vec<ChangeEntry>, u64)> {
        let kind = query.kind.map(ChangeKind::as_str);
        let texts: Vec<String> = sqlx::query_scalar(
            "SELECT c.data::text FROM run_changes c JOIN runs r ON r.id = c.run_id \
             WHERE c.flow_id = $1 AND ($2::text IS NULL OR c.kind = $3) \
             ORDER BY r.finished_at DESC, r.id DESC, c.seq LIMIT $4 OFFSET $5",
        )
        .bind(flow_id)
        .bind(kind)
        .bind(kind)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM run_changes WHERE flow_id = $1 AND ($2::text IS NULL OR kind = $3)",
        )
        .bind(flow_id)
        .bind(kind)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok((parse(texts)?, total as u64))
    }

    pub(crate) async fn previous_completed_run(
        &self,
        flow_id: &str,
        run_id: &str,
    ) -> Result<Option<String>> {
        let id = sqlx::query_scalar(
            "SELECT id FROM runs WHERE flow_id = $1 AND status = 'completed' AND id <> $2 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(flow_id)
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id)
    }
}
