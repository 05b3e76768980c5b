//! A server whose runs may use the browser, and what the tests ask of it.

use scraper_common::{FlowInput, FlowMode, FlowStatus, RunDetail, RunStatus};
use scraper_server::Config;
use scraper_server::interact::BrowserConfig;
use scraper_server::interact::browser::processes_under;
use scraper_tests::{TestApp, loopback_config, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(60);

/// The tests' server settings, with a browser closed as soon as no run
/// uses it (so that a test can see its processes go).
pub fn config() -> Config {
    Config {
        browser: BrowserConfig {
            executable: scraper_tests::browser::chromium(),
            idle: Duration::from_millis(100),
            ..BrowserConfig::default()
        },
        ..loopback_config()
    }
}

pub async fn app() -> TestApp {
    spawn_app_with(config()).await
}

/// An active interact flow on `url` with these steps and schema.
pub async fn flow(app: &TestApp, url: &str, steps: Value, schema: Value) -> String {
    let mut input = FlowInput::new("interact", url);
    input.mode = FlowMode::Interact;
    input.status = Some(FlowStatus::Active);
    input.steps = serde_json::from_value(steps).expect("steps");
    input.output_schema = Some(serde_json::from_value(schema).expect("schema"));
    app.client.create_flow(&input).await.expect("flow").id
}

/// Runs the flow to its end.
pub async fn run(app: &TestApp, flow: &str) -> RunDetail {
    let run = app.client.create_run(flow).await.expect("run");
    app.wait_finished(&run.id, WAIT).await
}

pub fn completed(detail: &RunDetail) {
    assert_eq!(
        detail.run.status,
        RunStatus::Completed,
        "{:?}: {:#?}",
        detail.run.error,
        detail.logs
    );
}

pub async fn items(app: &TestApp, run: &str) -> Vec<serde_json::Map<String, Value>> {
    app.client
        .run_items(run, Some(1000), None)
        .await
        .expect("items")
        .data
}

/// Waits until none of the server's browser processes is left.
pub async fn no_browser_left(app: &TestApp, within: Duration) {
    let root = app.state.browsers.root().to_path_buf();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = processes_under(&root);
        if left.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Chromium processes still there after {within:?}: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn schema() -> Value {
    json!({"name": "string", "price": "number"})
}
