use super::{Postgres, logs};
use crate::store::schedules::{queued_line, skipped_line};
use crate::store::{Due, Fired, Result, ids, now_ms};
use scraper_common::LogLevel;

impl Postgres {
    pub(crate) async fn due_flows(&self, now: i64) -> Result<Vec<Due>> {
        let due = sqlx::query_as(
            "SELECT id AS flow_id, schedule, timezone, next_run_at AS tick FROM flows \
             WHERE next_run_at <= $1 AND status IN ('active', 'error') AND schedule IS NOT NULL \
             ORDER BY next_run_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(due)
    }

    pub(crate) async fn fire_tick(
        &self,
        flow_id: &str,
        tick: i64,
        next: Option<i64>,
    ) -> Result<Fired> {
        let pool = &self.pool;
        ids::insert_with_fresh_id("run", |id| async move {
            let now = now_ms();
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query(
                "UPDATE flows SET next_run_at = $1 \
                 WHERE id = $2 AND next_run_at = $3 AND status IN ('active', 'error')",
            )
            .bind(next)
            .bind(flow_id)
            .bind(tick)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                return Ok(Fired::Taken);
            }
            let busy: Option<(String, String)> = sqlx::query_as(
                "SELECT id, status FROM runs WHERE flow_id = $1 AND status IN ('queued', 'running') \
                 ORDER BY created_at LIMIT 1",
            )
            .bind(flow_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((busy, status)) = busy {
                let note = skipped_line(tick, &status);
                logs::append(&mut tx, &busy, now, LogLevel::Warn, &note).await?;
                tx.commit().await?;
                return Ok(Fired::Skipped { busy });
            }
            sqlx::query(
                "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at) \
                 VALUES ($1, $2, 'queued', 'schedule', $3, $4)",
            )
            .bind(&id)
            .bind(flow_id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            logs::append(&mut tx, &id, now, LogLevel::Info, &queued_line(tick)).await?;
            tx.commit().await?;
            Ok(Fired::Queued(id))
        })
        .await
    }
}
