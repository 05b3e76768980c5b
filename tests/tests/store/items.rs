use crate::backend::{backends, flow, queued_run};
use scraper_server::store::{ITEM_PAGE, Store};
use serde_json::{Map, Value, json};

fn item(n: u64) -> Map<String, Value> {
    Map::from_iter([
        ("n".to_string(), json!(n)),
        ("name".to_string(), json!(format!("item {n}"))),
    ])
}

/// Every page `item_pages` gives, read to the end.
async fn pages(store: &Store, run_id: &str, skip: u64, take: Option<u64>) -> Vec<Vec<String>> {
    let mut pages = store.item_pages(run_id, skip, take);
    let mut all = Vec::new();
    while let Some(page) = pages.next().await.unwrap() {
        all.push(page);
    }
    all
}

async fn texts(store: &Store, run_id: &str, skip: u64, take: Option<u64>) -> Vec<String> {
    pages(store, run_id, skip, take).await.concat()
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
        let all = texts(&store, &run.id, 0, None).await;
        assert_eq!(numbers(&all), [1, 2, 3, 4, 5, 6, 7]);
        let stored: Map<String, Value> = serde_json::from_str(&all[4]).unwrap();
        assert_eq!(stored, item(5), "an item reads back as it was given");
        assert_eq!(
            numbers(&texts(&store, &run.id, 2, Some(3)).await),
            [3, 4, 5]
        );
        assert!(texts(&store, &run.id, 7, Some(3)).await.is_empty());
        assert!(texts(&store, &run.id, 70, None).await.is_empty());
        assert_eq!(numbers(&texts(&store, &other.id, 0, None).await), [100]);
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
        assert_eq!(numbers(&texts(&store, &run.id, 0, None).await), [1, 2]);

        assert!(
            store.insert_items("run-0", 1, &[item(1)]).await.is_err(),
            "no such run"
        );
    }
}

#[tokio::test]
async fn pages_go_on_where_the_last_one_ended_however_seqs_are_spaced() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let other = queued_run(&store, &f.id).await;
        // Batches numbered with gaps between them (seq 1.., 5001.., 9001..),
        // so a page cannot be found by arithmetic on the offset.
        let n = 2 * ITEM_PAGE + 500;
        for (batch, first_seq) in [(0..1200, 1), (1200..2000, 5001), (2000..n, 9001)] {
            let items: Vec<_> = batch.map(item).collect();
            store
                .insert_items(&run.id, first_seq, &items)
                .await
                .unwrap();
        }
        store.insert_items(&other.id, 1, &[item(9)]).await.unwrap();

        let all = pages(&store, &run.id, 0, None).await;
        let sizes: Vec<usize> = all.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1000, 1000, 500], "{}", store.backend);
        assert_eq!(numbers(&all.concat()), (0..n).collect::<Vec<_>>());

        let across = texts(&store, &run.id, 999, Some(1002)).await;
        assert_eq!(numbers(&across), (999..2001).collect::<Vec<_>>());
        let tail = texts(&store, &run.id, n - 3, Some(1000)).await;
        assert_eq!(numbers(&tail), [n - 3, n - 2, n - 1]);
        let exact = pages(&store, &run.id, 0, Some(ITEM_PAGE)).await;
        assert_eq!(exact.len(), 1, "a limit of one page reads one page");
    }
}

#[tokio::test]
async fn pages_read_while_items_are_added_miss_none_and_repeat_none() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let first: Vec<_> = (0..ITEM_PAGE + 10).map(item).collect();
        store.insert_items(&run.id, 0, &first).await.unwrap();
        let mut pages = store.item_pages(&run.id, 5, None);
        let page = pages.next().await.unwrap().unwrap();
        assert_eq!(numbers(&page), (5..ITEM_PAGE + 5).collect::<Vec<_>>());
        let more: Vec<_> = (ITEM_PAGE + 10..ITEM_PAGE + 20).map(item).collect();
        store
            .insert_items(&run.id, ITEM_PAGE + 10, &more)
            .await
            .unwrap();
        let page = pages.next().await.unwrap().unwrap();
        assert_eq!(
            numbers(&page),
            (ITEM_PAGE + 5..ITEM_PAGE + 20).collect::<Vec<_>>()
        );
        assert!(pages.next().await.unwrap().is_none());
    }
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn item_keys_come_in_the_order_they_first_appear() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let mut items = vec![
            object(json!({"z": 1, "a": 2})),
            object(json!({"a": 3, "m": 4, "z": 5})),
            object(json!({"b,\"c": null})),
        ];
        items.extend((0..1500).map(|n| object(json!({"z": n}))));
        items.push(object(json!({"late": true, "a": 0})));
        store.insert_items(&run.id, 1, &items).await.unwrap();
        let other = queued_run(&store, &f.id).await;
        store
            .insert_items(&other.id, 1, &[object(json!({"elsewhere": 1}))])
            .await
            .unwrap();

        assert_eq!(
            store.item_keys(&run.id, 0, None).await.unwrap(),
            ["z", "a", "m", "b,\"c", "late"],
            "{}",
            store.backend
        );
        // The whole run's keys are the kept ones; found in the items, the same.
        assert_eq!(
            store.item_keys(&run.id, 0, Some(1_000_000)).await.unwrap(),
            ["z", "a", "m", "b,\"c", "late"]
        );
        // Items stored later (a second batch) add their new keys after.
        store
            .insert_items(&run.id, 2000, &[object(json!({"later": 1, "z": 0}))])
            .await
            .unwrap();
        assert_eq!(
            store.item_keys(&run.id, 0, None).await.unwrap(),
            ["z", "a", "m", "b,\"c", "late", "later"]
        );
        // Only the items a read with the same skip and take gives.
        assert_eq!(
            store.item_keys(&run.id, 1, Some(1)).await.unwrap(),
            ["a", "m", "z"]
        );
        assert_eq!(
            store.item_keys(&run.id, 3, Some(1500)).await.unwrap(),
            ["z"]
        );
        assert_eq!(
            store.item_keys(&run.id, 3, None).await.unwrap(),
            ["z", "late", "a", "later"]
        );
        assert!(
            store
                .item_keys(&run.id, 9999, None)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn item_keys_can_be_asked_again_and_at_once_on_every_connection() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        store
            .insert_items(&run.id, 1, &[object(json!({"b": 1, "a": 2}))])
            .await
            .unwrap();
        // More calls than the pool has connections, one after another and
        // side by side: what one call makes must not be there for the next.
        for _ in 0..20 {
            assert_eq!(store.item_keys(&run.id, 0, None).await.unwrap(), ["b", "a"]);
        }
        let together = (0..20).map(|_| store.item_keys(&run.id, 0, None));
        for keys in futures_util::future::join_all(together).await {
            assert_eq!(keys.unwrap(), ["b", "a"], "{}", store.backend);
        }
    }
}
