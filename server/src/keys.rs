//! API keys: made from a CSPRNG, stored only as a hash, compared in constant time.

use crate::store::{self, NewKeyRecord, Store};
use rand::Rng;
use rand::distr::Alphanumeric;
use scraper_common::{ApiKey, Scope};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

pub const PREFIX: &str = "scr_live_";
/// 40 alphanumeric characters: about 238 bits of entropy.
const RANDOM_CHARS: usize = 40;

/// A fresh key: `scr_live_` and 40 characters from the thread-local CSPRNG
/// (ChaCha, seeded and reseeded from the operating system).
pub fn generate() -> String {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(RANDOM_CHARS)
        .map(char::from)
        .collect();
    format!("{PREFIX}{random}")
}

/// The stored form of a key. Keys are long random strings, so a plain SHA-256
/// is enough: there is nothing to guess that a slow hash would protect.
pub fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a key, stores its hash and returns the full key (to be shown once)
/// with its masked record.
pub async fn issue(store: &Store, name: &str, scopes: &[Scope]) -> store::Result<(String, ApiKey)> {
    let key = generate();
    let key_hash = hash(&key);
    let last4 = &key[key.len() - 4..];
    let record = store
        .create_key(NewKeyRecord {
            name,
            key_hash: &key_hash,
            last4,
            scopes,
        })
        .await?;
    Ok((key, record))
}

/// The live key that `presented` is, if any.
pub async fn verify(store: &Store, presented: &str) -> store::Result<Option<store::KeyRecord>> {
    if !presented.starts_with(PREFIX) {
        return Ok(None);
    }
    let presented_hash = hash(presented);
    let found = store.key_by_hash(&presented_hash).await?;
    // The lookup is by hash, so timing tells nothing about the key itself;
    // the final comparison is constant-time all the same.
    Ok(found
        .filter(|record| bool::from(record.key_hash.as_bytes().ct_eq(presented_hash.as_bytes()))))
}

/// How late a revoke made by another process (the `keys revoke` command,
/// another server) takes effect here; one made through this server's API
/// takes effect at once.
pub const FRESH_FOR: Duration = Duration::from_millis(500);
/// Keys remembered; beyond it the memory starts over.
const MAX_KEYS: usize = 10_000;

/// Keys found live in the store within [`FRESH_FOR`], by hash, so that a
/// client's steady requests do not each read the keys table. Unknown keys
/// are not remembered: each is looked up again.
#[derive(Default)]
pub struct VerifiedKeys {
    by_hash: Mutex<HashMap<String, (store::KeyRecord, Instant)>>,
    /// Moved by every forget: a lookup that began before one must not
    /// remember what it found, which may be a key revoked since.
    forgets: AtomicU64,
}

// Not the remembered keys' hashes: a debug print of the state stays short.
impl std::fmt::Debug for VerifiedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedKeys").finish_non_exhaustive()
    }
}

impl VerifiedKeys {
    /// Like [`verify`], from memory when the key was found live just now.
    pub async fn verify(
        &self,
        store: &Store,
        presented: &str,
    ) -> store::Result<Option<store::KeyRecord>> {
        if !presented.starts_with(PREFIX) {
            return Ok(None);
        }
        let presented_hash = hash(presented);
        if let Some((record, checked)) =
            self.by_hash.lock().expect("keys lock").get(&presented_hash)
            && checked.elapsed() < FRESH_FOR
        {
            return Ok(Some(record.clone()));
        }
        let before = self.forgets.load(Ordering::Acquire);
        let found = verify(store, presented).await?;
        if let Some(record) = &found {
            let mut keys = self.by_hash.lock().expect("keys lock");
            if self.forgets.load(Ordering::Acquire) != before {
                return Ok(found);
            }
            if keys.len() >= MAX_KEYS {
                keys.clear();
            }
            keys.insert(presented_hash, (record.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// After a revoke: every key is looked up again.
    pub fn forget_all(&self) {
        let mut keys = self.by_hash.lock().expect("keys lock");
        self.forgets.fetch_add(1, Ordering::AcqRel);
        keys.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_documented_form() {
        let key = generate();
        assert!(key.starts_with("scr_live_"));
        let random = &key[PREFIX.len()..];
        assert!(random.len() >= 32);
        assert!(random.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(generate(), key);
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
