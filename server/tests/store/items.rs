use crate::backend::{backends, flow, queued_run};
use serde_json::{Map, Value, json};

fn item(n: u64) -> Map<String, Value> {
    Map::from_iter([
        ("n".to_string(), json!(n)),
        ("name".to_string(), json!(format!("item {n}"))),
    ])
}

fn numbers(texts: &[String]) -> Vec<u64> {
    texts
        .iter()
        .map(|t| {
            serde_json::from_str::<Value>(t).unwrap()["n"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn items_are_kept_in_order_per_run_and_paged() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let other = queued_run(&store, &f.id).await;
        let first: Vec<_> = (1..=3).map(item).collect();
        let second: Vec<_> = (4..=7).map(item).collect();
        store.insert_items(&run.id, 1, &first).await.unwrap();
        store.insert_items(&run.id, 4, &second).await.unwrap();
        store
            .insert_items(&other.id, 1, &[item(100)])
            .await
            .unwrap();

        assert_eq!(
            store.item_count(&run.id).await.unwrap(),
            7,
            "{}",
            store.backend
        );
        assert_eq!(store.item_count(&other.id).await.unwrap(), 1);
        let all = store.item_texts(&run.id, 100, 0).await.unwrap();
        assert_eq!(numbers(&all), [1, 2, 3, 4, 5, 6, 7]);
        let stored: Map<String, Value> = serde_json::from_str(&all[4]).unwrap();
        assert_eq!(stored, item(5), "an item reads back as it was given");
        assert_eq!(
            numbers(&store.item_texts(&run.id, 3, 2).await.unwrap()),
            [3, 4, 5]
        );
        assert!(store.item_texts(&run.id, 3, 7).await.unwrap().is_empty());
        assert_eq!(
            numbers(&store.item_texts(&other.id, 10, 0).await.unwrap()),
            [100]
        );
    }
}

#[tokio::test]
async fn a_batch_that_fails_is_stored_not_at_all() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        store
            .insert_items(&run.id, 1, &[item(1), item(2)])
            .await
            .unwrap();
        // Numbered 0, 1, 2: the 0 is new, the 1 is taken, so none is kept.
        let clash = store
            .insert_items(&run.id, 0, &[item(10), item(11), item(12)])
            .await;
        assert!(clash.is_err());
        assert_eq!(
            store.item_count(&run.id).await.unwrap(),
            2,
            "{}",
            store.backend
        );
        assert_eq!(
            numbers(&store.item_texts(&run.id, 10, 0).await.unwrap()),
            [1, 2]
        );

        assert!(
            store.insert_items("run-0", 1, &[item(1)]).await.is_err(),
            "no such run"
        );
    }
}
