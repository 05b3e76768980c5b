//! Nodes: every server process on a database says it is alive; runs say
//! which node executed them.

use scraper_common::{FlowInput, FlowStatus, RunStatus};
use scraper_server::Config;
use scraper_server::engine::EngineConfig;
use scraper_tests::site::{Reply, TestSite, cards};
use scraper_tests::{loopback_config, spawn_app_with, test_engine};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn named(name: &str, workers: usize) -> Config {
    Config {
        engine: EngineConfig {
            node_name: Some(name.into()),
            workers,
            ..test_engine()
        },
        ..loopback_config()
    }
}

#[tokio::test]
async fn nodes_on_one_database_are_listed_and_runs_name_theirs() {
    let site = TestSite::pages(vec![("/", Reply::html(cards(&[("A", "$1")], None)))]).await;
    let first = spawn_app_with(loopback_config()).await;
    // By default a node is called after its host and port.
    let nodes = first.client.nodes().await.unwrap();
    assert_eq!(nodes.total, 1);
    let one = &nodes.data[0];
    assert!(
        one.name.ends_with(&format!(":{}", first.addr.port())),
        "{one:?}"
    );
    assert_eq!((one.workers, one.runs_in_progress), (2, 0));
    assert_eq!(one.version, env!("CARGO_PKG_VERSION"));

    // An API-only node, and one that executes, on the same file.
    let mut api_only = first.second_node(named("api-only", 0)).await;
    let executor = first.second_node(named("executor", 2)).await;
    let names = |list: &scraper_common::ListResponse<scraper_common::Node>| {
        list.data.iter().map(|n| n.name.clone()).collect::<Vec<_>>()
    };
    let all = api_only.client.nodes().await.unwrap();
    assert_eq!(all.total, 3, "{:?}", names(&all));
    assert!(names(&all).contains(&"api-only".to_string()));
    let quiet = all.data.iter().find(|n| n.name == "api-only").unwrap();
    assert_eq!(quiet.workers, 0);

    // Runs queued through the API-only node are executed elsewhere, and say where.
    let mut input = FlowInput::new("n", site.url("/"));
    input.status = Some(FlowStatus::Active);
    input.output_schema = Some(
        serde_json::from_value(serde_json::json!({"name": "string", "price": "number"})).unwrap(),
    );
    let flow = api_only.client.create_flow(&input).await.unwrap();
    for _ in 0..4 {
        let run = api_only.client.create_run(&flow.id).await.unwrap();
        assert_eq!(run.node, None, "queued: no node yet");
        let done = executor.wait_finished(&run.id, WAIT).await;
        assert_eq!(done.run.status, RunStatus::Completed);
        let node = done.run.node.clone().unwrap();
        assert!(node == "executor" || node == one.name, "{node}");
        assert_ne!(node, "api-only");
    }

    // A node that stops is gone from the list at once.
    api_only.stop().await;
    let left = executor.client.nodes().await.unwrap();
    assert_eq!(left.total, 2, "{:?}", names(&left));
    assert!(!names(&left).contains(&"api-only".to_string()));
}
