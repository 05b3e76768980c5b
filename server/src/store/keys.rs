use super::{Result, Store, StoreError, ids, now_ms};
use scraper_common::time::from_millis;
use scraper_common::{ApiKey, Scope};

/// A key as the store keeps it: never the key itself, only its hash.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    pub key_hash: String,
    pub scopes: Vec<Scope>,
}

/// What `create_key` stores; the caller made the key and hashed it.
pub struct NewKeyRecord<'a> {
    pub name: &'a str,
    pub key_hash: &'a str,
    pub last4: &'a str,
    pub scopes: &'a [Scope],
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    name: String,
    key_hash: String,
    last4: String,
    scopes: String,
    created_at: i64,
}

impl KeyRow {
    fn scopes(&self) -> Result<Vec<Scope>> {
        self.scopes
            .split_whitespace()
            .map(|s| {
                s.parse().map_err(|detail| StoreError::Corrupt {
                    table: "api_keys",
                    detail,
                })
            })
            .collect()
    }

    fn into_api_key(self) -> Result<ApiKey> {
        Ok(ApiKey {
            scopes: self.scopes()?,
            key: mask(&self.last4),
            created_at: from_millis(self.created_at),
            id: self.id,
            name: self.name,
        })
    }
}

/// How lists show a key: `scr_live_****` and its last four characters.
pub fn mask(last4: &str) -> String {
    format!("scr_live_****{last4}")
}

impl Store {
    /// Stores a new key; returns it masked (the caller alone holds the full key).
    pub async fn create_key(&self, new: NewKeyRecord<'_>) -> Result<ApiKey> {
        let scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
        let scopes = scopes.join(" ");
        let (pool, scopes) = (&self.pool, &scopes);
        let (id, now) = ids::insert_with_fresh_id("key", |id| async move {
            let now = now_ms();
            sqlx::query(
                "INSERT INTO api_keys (id, name, key_hash, last4, scopes, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
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
        .await?;
        Ok(ApiKey {
            id,
            name: new.name.to_string(),
            key: mask(new.last4),
            created_at: from_millis(now),
            scopes: new.scopes.to_vec(),
        })
    }

    /// The live (not revoked) key with this hash.
    pub async fn key_by_hash(&self, key_hash: &str) -> Result<Option<KeyRecord>> {
        let row: Option<KeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, last4, scopes, created_at FROM api_keys \
             WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(KeyRecord {
                scopes: row.scopes()?,
                id: row.id,
                name: row.name,
                key_hash: row.key_hash,
            })
        })
        .transpose()
    }

    /// Live keys, newest first, masked.
    pub async fn keys(&self) -> Result<Vec<ApiKey>> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, last4, scopes, created_at FROM api_keys \
             WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(KeyRow::into_api_key).collect()
    }

    /// Revokes a live key. `false` if there is no live key with this id.
    pub async fn revoke_key(&self, id: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether any key was ever made (revoked ones count: the admin key is
    /// made on the very first start only).
    pub async fn has_keys(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}
