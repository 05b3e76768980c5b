use super::Sqlite;
use crate::store::Result;
use crate::store::items::PageStart;
use serde_json::{Map, Value};

/// A count as SQLite's LIMIT and OFFSET take it (where a negative LIMIT is "no limit").
fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Sqlite {
    pub(crate) async fn insert_items(
        &self,
        run_id: &str,
        first_seq: u64,
        items: &[Map<String, Value>],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (i, item) in items.iter().enumerate() {
            let text = serde_json::to_string(item).expect("JSON maps serialize");
            sqlx::query("INSERT INTO run_items (run_id, seq, data) VALUES (?, ?, ?)")
                .bind(run_id)
                .bind((first_seq + i as u64) as i64)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
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
                "SELECT seq, data FROM run_items WHERE run_id = ? ORDER BY seq LIMIT ? OFFSET ?",
            )
            .bind(run_id)
            .bind(sql_count(take))
            .bind(sql_count(skip)),
            PageStart::After(after) => sqlx::query_as(
                "SELECT seq, data FROM run_items WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
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
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_items WHERE run_id = ?")
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
                "SELECT key FROM run_item_keys WHERE run_id = ? ORDER BY first_seq, pos",
            )
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
            return Ok(keys);
        }
        // A slice's are found in its items. Each key's first place is kept in a temporary table as the texts
        // are walked, so the database holds one row a key; a GROUP BY would
        // sort every (item, key) pair, spilling to disk for a large run.
        // The transaction is never committed: the table is gone when this
        // returns, however it returns. It writes only the temp schema, so
        // it takes no lock that a run storing items would wait for.
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "CREATE TEMP TABLE item_keys              (key TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, pos INTEGER NOT NULL) WITHOUT ROWID",
        )
        .execute(&mut *tx)
        .await?;
        // `j.id` grows with a member's place in its object. CASE, which is
        // lazy, keeps json_each from text that would make it fail. The
        // `WHERE true` tells SQLite's parser that ON CONFLICT is no join's ON.
        sqlx::query(
            "INSERT INTO temp.item_keys (key, first_seq, pos)              SELECT j.key, i.seq, j.id              FROM (SELECT seq, data FROM run_items WHERE run_id = ?                    ORDER BY seq LIMIT ? OFFSET ?) AS i,                   json_each(CASE WHEN json_valid(i.data) THEN                                  CASE WHEN json_type(i.data) = 'object' THEN i.data END                             END) AS j              WHERE true              ON CONFLICT (key) DO UPDATE SET first_seq = excluded.first_seq, pos = excluded.pos              WHERE (excluded.first_seq, excluded.pos) < (item_keys.first_seq, item_keys.pos)",
        )
        .bind(run_id)
        .bind(take.map_or(-1, sql_count))
        .bind(sql_count(skip))
        .execute(&mut *tx)
        .await?;
        let keys = sqlx::query_scalar("SELECT key FROM temp.item_keys ORDER BY first_seq, pos")
            .fetch_all(&mut *tx)
            .await?;
        tx.rollback().await?;
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::super::old_database;
    use crate::store::Store;

    /// Runs stored before the keys were kept get them from their items.
    #[tokio::test]
    async fn the_migration_finds_the_keys_of_items_already_there() {
        let (_dir, url) = old_database(
            4,
            "INSERT INTO flows (id, name, url, mode, status, created_at, updated_at) \
             VALUES ('flow-1', 'f', 'https://example.com/', 'extract', 'active', 1, 1); \
             INSERT INTO runs (id, flow_id, status, trigger, created_at) \
             VALUES ('run-1', 'flow-1', 'completed', 'api', 10); \
             INSERT INTO run_items (run_id, seq, data) VALUES \
             ('run-1', 1, '{\"b\": 1, \"a\": 2}'), ('run-1', 2, 'not json'), \
             ('run-1', 3, '[1]'), ('run-1', 4, '{\"c\": 1, \"a\": 3}');",
        )
        .await;
        let store = Store::open(&url).await.unwrap();
        assert_eq!(
            store.item_keys("run-1", 0, None).await.unwrap(),
            ["b", "a", "c"]
        );
    }
}
