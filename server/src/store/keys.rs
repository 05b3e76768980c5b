use super::{Result, Store, StoreError};
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

/// A key as every database reads it; scopes are kept space-separated.
#[derive(sqlx::FromRow)]
pub(super) struct KeyRow {
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

    pub(super) fn into_api_key(self) -> Result<ApiKey> {
        Ok(ApiKey {
            scopes: self.scopes()?,
            key: mask(&self.last4),
            created_at: from_millis(self.created_at),
            id: self.id,
            name: self.name,
        })
    }

    pub(super) fn into_record(self) -> Result<KeyRecord> {
        Ok(KeyRecord {
            scopes: self.scopes()?,
            id: self.id,
            name: self.name,
            key_hash: self.key_hash,
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
        let (id, created_at) = db!(self, insert_key(&new, &scopes))?;
        Ok(ApiKey {
            id,
            name: new.name.to_string(),
            key: mask(new.last4),
            created_at: from_millis(created_at),
            scopes: new.scopes.to_vec(),
        })
    }

    /// The live (not revoked) key with this hash.
    pub async fn key_by_hash(&self, key_hash: &str) -> Result<Option<KeyRecord>> {
        db!(self, key_by_hash(key_hash))
    }

    /// Live keys, newest first, masked.
    pub async fn keys(&self) -> Result<Vec<ApiKey>> {
        db!(self, keys())
    }

    /// Revokes a live key. `false` if there is no live key with this id.
    pub async fn revoke_key(&self, id: &str) -> Result<bool> {
        db!(self, revoke_key(id))
    }

    /// Whether any key was ever made (revoked ones count: the admin key is
    /// made on the very first start only).
    pub async fn has_keys(&self) -> Result<bool> {
        db!(self, has_keys())
    }
}
