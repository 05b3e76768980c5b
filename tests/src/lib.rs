//! Test harness: the real server, on a free loopback port, with a fresh
//! database (SQLite, or PostgreSQL with `SCRAPER_TEST_DATABASE=postgres`),
//! driven through the real client.

pub mod bench_site;
pub mod browser;
pub mod database;
pub mod site;

use database::{Backend, TestDatabase};
use reqwest::Method;
use scraper_common::{Client, NewKey, Scope};
use scraper_server::engine::EngineConfig;
use scraper_server::monitor::webhook::WebhookConfig;
use scraper_server::store::Store;
use scraper_server::{AdminKey, AppState, Config, LaunchOptions, Running};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

pub struct TestApp {
    pub addr: SocketAddr,
    /// Where `/metrics` is, when it has an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// A client holding the admin key (every scope).
    pub client: Client,
    pub admin_key: String,
    /// The same database the server uses, for checks the API cannot make.
    pub store: Store,
    pub database_url: String,
    /// The server's own state (its engine, policy...), for set-ups the API has no call for.
    pub state: AppState,
    running: Option<Running>,
    /// The database, owned by the first node on it (a second node has none).
    database: Option<TestDatabase>,
}

/// Starts an API-only server (`--workers 0`: it executes no run, so the
/// outside URLs of its flows are never fetched) on 127.0.0.1:0 with a new
/// database file; private networks are refused.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config {
        engine: EngineConfig {
            workers: 0,
            ..test_engine()
        },
        ..Config::default()
    })
    .await
}

/// A server that executes runs and may fetch the sites the tests serve on
/// 127.0.0.1 (and nothing else private).
pub async fn spawn_app_on_loopback() -> TestApp {
    spawn_app_with(loopback_config()).await
}

/// The same, giving up on a page after `timeout` (for tests of slow sites).
pub async fn spawn_app_with_fetch_timeout(timeout: Duration) -> TestApp {
    spawn_app_with(Config {
        fetch: scraper_server::fetch::FetchOptions {
            timeout,
            ..Default::default()
        },
        ..loopback_config()
    })
    .await
}

pub fn loopback_config() -> Config {
    Config {
        private_networks: "127.0.0.1/32".parse().expect("CIDR"),
        engine: test_engine(),
        ..Config::default()
    }
}

/// Short leases and polls, so tests of lost workers and cancels are quick.
pub fn test_engine() -> EngineConfig {
    EngineConfig {
        workers: 2,
        lease: Duration::from_secs(3),
        heartbeat: Duration::from_millis(300),
        cancel_poll: Duration::from_millis(100),
        sweep_every: Duration::from_millis(300),
        idle_poll: Duration::from_millis(200),
        schedule_poll: Duration::from_millis(100),
        min_schedule_interval: Duration::from_secs(1),
        node_heartbeat: Duration::from_millis(200),
        webhooks: WebhookConfig {
            retries: vec![Duration::from_millis(300); 3],
            timeout: Duration::from_secs(3),
            poll: Duration::from_millis(50),
            concurrency: 4,
        },
        ..EngineConfig::default()
    }
}

pub async fn spawn_app_with(config: Config) -> TestApp {
    spawn_app_on(TestDatabase::fresh(Backend::chosen()).await, config).await
}

/// A server on `database`, a fresh one, whatever backend the suite is on.
pub async fn spawn_app_on(database: TestDatabase, config: Config) -> TestApp {
    let running = launch_on(&database.url, config).await;
    let admin_key = running
        .admin_key
        .clone()
        .expect("a fresh database gets an admin key");
    let mut app = TestApp::of(running, admin_key, database.url.clone());
    app.database = Some(database);
    app
}

/// A server on a database that already has keys (`admin_key` among them),
/// as after a `migrate`.
pub async fn spawn_app_on_existing(
    database: TestDatabase,
    admin_key: &str,
    config: Config,
) -> TestApp {
    let running = launch_on(&database.url, config).await;
    let mut app = TestApp::of(running, admin_key.to_string(), database.url.clone());
    app.database = Some(database);
    app
}

async fn launch_on(database_url: &str, config: Config) -> Running {
    scraper_server::launch(LaunchOptions {
        database_url: database_url.to_string(),
        listen: (Ipv4Addr::LOCALHOST, 0).into(),
        config,
        admin_key: AdminKey::FirstStart,
    })
    .await
    .expect("launch")
}

impl TestApp {
    fn of(running: Running, admin_key: String, database_url: String) -> TestApp {
        let addr = running.addr;
        let client = Client::new(&format!("http://{addr}"), &admin_key).expect("client");
        TestApp {
            addr,
            metrics_addr: running.metrics_addr,
            client,
            admin_key,
            store: running.store().clone(),
            database_url,
            state: running.state.clone(),
            running: Some(running),
            database: None,
        }
    }

    /// Which database the server is on.
    pub fn backend(&self) -> Backend {
        Backend::of_url(&self.database_url)
    }

    /// The SQLite file, for tests of what that file holds; `None` on PostgreSQL
    /// and on a second node.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.database.as_ref()?.sqlite_path()
    }

    /// Another server process's worth on this one's database, as a second
    /// node would be (same admin key).
    pub async fn second_node(&self, config: Config) -> TestApp {
        let running = launch_on(&self.database_url, config).await;
        TestApp::of(running, self.admin_key.clone(), self.database_url.clone())
    }

    /// After `stop`: the server starts again on the same database, on a new
    /// port, as after a restart.
    pub async fn start_again(&mut self, config: Config) {
        assert!(self.running.is_none(), "stop the server first");
        let running = launch_on(&self.database_url, config).await;
        let database = self.database.take();
        *self = TestApp::of(running, self.admin_key.clone(), self.database_url.clone());
        self.database = database;
    }

    pub fn base(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// A client for another key (or no valid key at all).
    pub fn client_with_key(&self, key: &str) -> Client {
        Client::new(&format!("http://{}", self.addr), key).expect("client")
    }

    /// Makes a key with `scopes` through the API and returns a client holding it.
    pub async fn client_with_scopes(&self, scopes: &[Scope]) -> Client {
        let key = self
            .client
            .create_key(&NewKey {
                name: format!("test {scopes:?}"),
                scopes: scopes.to_vec(),
            })
            .await
            .expect("create key");
        self.client_with_key(&key.key)
    }

    /// A raw request with the admin key, for bodies the typed client would never send.
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.base()))
            .header("X-API-Key", &self.admin_key)
    }

    /// Sends a raw request; returns the status and the JSON body.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"));
        (status, body)
    }

    /// Polls a run until it has finished (or panics after `within`).
    pub async fn wait_finished(&self, run_id: &str, within: Duration) -> scraper_common::RunDetail {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let detail = self.client.get_run(run_id).await.expect("get run");
            if detail.run.status.is_finished() {
                return detail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "run {run_id} still {} after {within:?}: {:#?}",
                detail.run.status,
                detail.logs
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls a run until it is `running`.
    pub async fn wait_running(&self, run_id: &str) {
        for _ in 0..200 {
            let run = self.client.get_run(run_id).await.expect("get run").run;
            if run.status == scraper_common::RunStatus::Running {
                return;
            }
            assert!(
                !run.status.is_finished(),
                "run {run_id} ended {}",
                run.status
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("run {run_id} never started");
    }

    /// Stops the server gracefully and waits for it. `store` then holds a
    /// new handle on the same database, for checks of what the server left.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
            self.store = Store::open(&self.database_url).await.expect("reopen store");
        }
    }
}

/// Asserts an error envelope: status, code, and words the message must hold.
#[track_caller]
pub fn assert_error(got: &(u16, serde_json::Value), status: u16, code: &str, words: &[&str]) {
    let (got_status, body) = got;
    assert_eq!(*got_status, status, "status of {body}");
    assert_eq!(body["error"]["code"], code, "code of {body}");
    let message = body["error"]["message"].as_str().expect("message");
    for word in words {
        assert!(
            message.contains(word),
            "`{message}` should mention `{word}`"
        );
    }
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(1),
        "only `error` in {body}"
    );
}
