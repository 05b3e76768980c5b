use super::Postgres;
use crate::store::keys::KeyRow;
use crate::store::{KeyRecord, NewKeyRecord, Result, ids, now_ms};
use scraper_common::ApiKey;

impl Postgres {
    /// Stores the key with `scopes` as they are kept; returns its id and
    /// creation time.
    pub(crate) async fn insert_key(
        &self,
        new: &NewKeyRecord<'_>,
        scopes: &str,
    ) -> Result<(String, i64)> {
        let pool = &self.pool;
        ids::insert_with_fresh_id("key", |id| async move {
            let now = now_ms();
            sqlx::query(
                "INSERT INTO api_keys (id, name, key_hash, last4, scopes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(new.name)
            .bind(new.key_hash)
            .bind(new.last4)
            .bind(scopes)
            .bind(now)
            .execute(pool)
            .await?;
            Ok((id, now))
        })
        .await
    }

    pub(crate) async fn key_by_hash(&self, key_hash: &str) -> Result<Option<KeyRecord>> {
        let row: Option<KeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, last4, scopes, created_at FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(KeyRow::into_record).transpose()
    }

    pub(crate) async fn keys(&self) -> Result<Vec<ApiKey>> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, last4, scopes, created_at FROM api_keys \
             WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(KeyRow::into_api_key).collect()
    }

    pub(crate) async fn revoke_key(&self, id: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn has_keys(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}
