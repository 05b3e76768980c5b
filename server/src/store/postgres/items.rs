use super::Postgres;
use crate::store::Result;
use crate::store::items::PageStart;
use serde_json::{Map, Value};

/// A count as LIMIT and OFFSET take it.
fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Postgres {
    pub(crate) async fn insert_items(
        &self,
        run_id: &str,
        first_seq: u64,
        items: &[Map<String, Value>],
    ) -> Result<()> {
        // One statement for the batch: a round trip, and one pass of the
        // item-keys trigger.
        let seqs: Vec<i64> = (0..items.len())
            .map(|i| (first_seq + i as u64) as i64)
            .collect();
        let texts: Vec<String> = items
            .iter()
            .map(|item| serde_json::to_string(item).expect("JSON maps serialize"))
            .collect();
        sqlx::query(
            "INSERT INTO run_items (run_id, seq, data) \
             SELECT $1, s, d::json FROM UNNEST($2::bigint[], $3::text[]) AS t(s, d)",
        )
        .bind(run_id)
        .bind(seqs)
        .bind(texts)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn item_page(
        &self,
        run_id: &str,
        start: PageStart,
        take: u64,
    ) -> Result<Vec<(i64, String)>> {
        let rows = match start {
            PageStart::Skip(skip) => sqlx::query_as(
                "SELECT seq, data::text FROM run_items WHERE run_id = $1 ORDER BY seq LIMIT $2 OFFSET $3",
            )
            .bind(run_id)
            .bind(sql_count(take))
            .bind(sql_count(skip)),
            PageStart::After(after) => sqlx::query_as(
                "SELECT seq, data::text FROM run_items WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(run_id)
            .bind(after)
            .bind(sql_count(take)),
        }
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub(crate) async fn item_count(&self, run_id: &str) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_items WHERE run_id = $1")
            .bind(run_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    pub(crate) async fn item_keys(
        &self,
        run_id: &str,
        skip: u64,
        take: Option<u64>,
    ) -> Result<Vec<String>> {
        // A whole run's keys are kept as its items are stored.
        if skip == 0 && take.is_none() {
            let keys = sqlx::query_scalar(
                "SELECT key FROM run_item_keys WHERE run_id = $1 ORDER BY first_seq, pos",
            )
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
            return Ok(keys);
        }
        // A slice's are found in its items: each key's first place.
        let keys = sqlx::query_scalar(
            "SELECT key FROM ( \
                 SELECT DISTINCT ON (k.key) k.key, i.seq, k.pos \
                 FROM (SELECT seq, data FROM run_items WHERE run_id = $1 \
                       ORDER BY seq LIMIT $2 OFFSET $3) AS i \
                 CROSS JOIN LATERAL json_object_keys( \
                     CASE WHEN json_typeof(i.data) = 'object' THEN i.data END \
                 ) WITH ORDINALITY AS k(key, pos) \
                 ORDER BY k.key, i.seq, k.pos) AS firsts \
             ORDER BY seq, pos",
        )
        .bind(run_id)
        .bind(take.map(sql_count))
        .bind(sql_count(skip))
        .fetch_all(&self.pool)
        .await?;
        Ok(keys)
    }
}
