//! The databases the store tests run against, and what tests share.

use scraper_common::{Flow, FlowInput, Run, Trigger};
use scraper_server::store::Store;
use scraper_tests::database::{self, Backend, TestDatabase};
use std::ops::Deref;

/// A store on a database of its own, gone when this is dropped.
pub struct TestStore {
    pub backend: &'static str,
    pub url: String,
    store: Store,
    _db: TestDatabase,
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

/// A fresh, empty store on every backend: SQLite always (a real file, WAL
/// and a pool, where concurrent writers meet the locking a deployment
/// meets), PostgreSQL when `SCRAPER_TEST_POSTGRES_URL` names a server.
pub async fn backends() -> Vec<TestStore> {
    let mut stores = vec![open(TestDatabase::fresh(Backend::Sqlite).await).await];
    if database::postgres_url().is_some() {
        stores.push(open(TestDatabase::fresh(Backend::Postgres).await).await);
    } else {
        static SAID: std::sync::Once = std::sync::Once::new();
        // Past the test harness's capture, so that it shows in a passing run.
        SAID.call_once(|| {
            use std::io::Write;
            let line = format!(
                "{} is not set: the PostgreSQL store tests were skipped\n",
                database::POSTGRES_URL_VAR
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        });
    }
    stores
}

async fn open(db: TestDatabase) -> TestStore {
    let store = Store::open(&db.url)
        .await
        .unwrap_or_else(|e| panic!("open the {} store: {e}", db.backend.name()));
    TestStore {
        backend: db.backend.name(),
        url: db.url.clone(),
        store,
        _db: db,
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
