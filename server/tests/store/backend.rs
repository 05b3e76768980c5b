//! The databases the store tests run against, and what tests share.

use scraper_common::{Flow, FlowInput, Run, Trigger};
use scraper_server::store::Store;
use std::ops::Deref;
use tempfile::TempDir;

/// A store on a database of its own, gone when this is dropped.
pub struct TestStore {
    pub backend: &'static str,
    store: Store,
    _dir: TempDir,
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// A handle for a spawned task.
    pub fn handle(&self) -> Store {
        self.store.clone()
    }
}

/// A fresh, empty store on every backend.
pub async fn backends() -> Vec<TestStore> {
    vec![sqlite().await]
}

/// A real file (WAL, a pool of connections), not `sqlite::memory:`: there,
/// concurrent writers meet the locking a deployment meets.
async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let store = Store::open(&url).await.expect("open the SQLite store");
    TestStore {
        backend: "sqlite",
        store,
        _dir: dir,
    }
}

pub async fn flow(store: &Store, name: &str) -> Flow {
    store
        .create_flow(&FlowInput::new(name, "https://example.com/"), None)
        .await
        .expect("create flow")
}

/// A new queued run of `flow_id`, started through the API.
pub async fn queued_run(store: &Store, flow_id: &str) -> Run {
    store
        .create_run(flow_id, Trigger::Api)
        .await
        .expect("create run")
        .expect("the flow exists")
}
