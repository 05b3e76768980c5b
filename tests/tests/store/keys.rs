use crate::backend::backends;
use scraper_common::Scope;
use scraper_server::store::{NewKeyRecord, mask};

fn record<'a>(name: &'a str, key_hash: &'a str, scopes: &'a [Scope]) -> NewKeyRecord<'a> {
    NewKeyRecord {
        name,
        key_hash,
        last4: &key_hash[key_hash.len() - 4..],
        scopes,
    }
}

#[tokio::test]
async fn an_issued_key_is_found_by_its_hash_until_revoked() {
    for store in backends().await {
        assert!(!store.has_keys().await.unwrap());
        let scopes = [Scope::FlowsRead, Scope::RunsWrite];
        let key = store
            .create_key(record("ci", "hash-one-abcd", &scopes))
            .await
            .unwrap();
        assert!(key.id.starts_with("key-"), "{}", key.id);
        assert_eq!(key.key, mask("abcd"));
        assert_eq!(key.name, "ci");
        assert_eq!(key.scopes, scopes);

        let found = store
            .key_by_hash("hash-one-abcd")
            .await
            .unwrap()
            .expect("live");
        assert_eq!(
            (found.id.as_str(), found.name.as_str()),
            (key.id.as_str(), "ci")
        );
        assert_eq!(found.key_hash, "hash-one-abcd");
        assert_eq!(found.scopes, scopes);
        assert!(store.key_by_hash("hash-unknown").await.unwrap().is_none());

        assert!(store.revoke_key(&key.id).await.unwrap());
        assert!(
            store.key_by_hash("hash-one-abcd").await.unwrap().is_none(),
            "{}",
            store.backend
        );
        assert!(!store.revoke_key(&key.id).await.unwrap(), "already revoked");
        assert!(!store.revoke_key("key-0").await.unwrap());
        assert!(store.keys().await.unwrap().is_empty());
        assert!(
            store.has_keys().await.unwrap(),
            "a revoked key still counts as made"
        );
    }
}

#[tokio::test]
async fn live_keys_are_listed_newest_first_and_masked() {
    for store in backends().await {
        let one = store
            .create_key(record("one", "hash-1-aaaa", &[Scope::KeysRead]))
            .await
            .unwrap();
        let two = store
            .create_key(record("two", "hash-2-bbbb", &[]))
            .await
            .unwrap();
        let three = store
            .create_key(record("three", "hash-3-cccc", Scope::ALL))
            .await
            .unwrap();
        store.revoke_key(&two.id).await.unwrap();

        let listed = store.keys().await.unwrap();
        assert_eq!(listed, [three.clone(), one.clone()], "{}", store.backend);
        assert_eq!(listed[0].key, "scr_live_****cccc");
        assert_eq!(listed[0].scopes, Scope::ALL);
        assert!(listed[1].created_at <= listed[0].created_at);
    }
}

#[tokio::test]
async fn a_hash_is_stored_once() {
    for store in backends().await {
        store
            .create_key(record("a", "hash-same-1234", &[]))
            .await
            .unwrap();
        let twice = store.create_key(record("b", "hash-same-1234", &[])).await;
        assert!(twice.is_err(), "{}", store.backend);
        let listed = store.keys().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "a");
    }
}
