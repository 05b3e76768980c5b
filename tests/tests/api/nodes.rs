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

#[tokio::test]
async fn a_cancel_through_one_node_stops_the_run_on_another_within_two_seconds() {
    let site = TestSite::pages(vec![(
        "/",
        Reply::html(cards(&[("A", "$1")], None)).slow(Duration::from_secs(30)),
    )])
    .await;
    // The lease is renewed rarely here; only the cancel poll can notice.
    let mut executes = named("executor", 1);
    executes.engine.heartbeat = Duration::from_secs(20);
    executes.engine.lease = Duration::from_secs(60);
    executes.engine.cancel_poll = Duration::from_secs(1);
    let api_only = spawn_app_with(named("api-only", 0)).await;
    let executor = api_only.second_node(executes).await;
    let mut input = FlowInput::new("slow", site.url("/"));
    input.status = Some(FlowStatus::Active);
    let flow = api_only.client.create_flow(&input).await.unwrap();
    let run = api_only.client.create_run(&flow.id).await.unwrap();
    api_only.wait_running(&run.id).await;
    let busy = |nodes: &scraper_common::ListResponse<scraper_common::Node>| {
        nodes
            .data
            .iter()
            .find(|n| n.name == "executor")
            .map_or(0, |n| n.runs_in_progress)
    };
    for _ in 0..50 {
        if busy(&api_only.client.nodes().await.unwrap()) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = std::time::Instant::now();
    let cancelled = api_only.client.cancel_run(&run.id).await.unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    // The executing node lets go of it: its worker is free again.
    loop {
        if busy(&executor.client.nodes().await.unwrap()) == 0 {
            break;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "the other node still runs it"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = executor.client.get_run(&run.id).await.unwrap();
    assert_eq!(done.run.status, RunStatus::Cancelled);
}

#[tokio::test]
async fn live_logs_of_a_run_on_another_node_stream_as_they_are_written() {
    let site = TestSite::slow_shop(4, Duration::from_millis(300)).await;
    let api_only = spawn_app_with(named("api-only", 0)).await;
    let _executor = api_only.second_node(named("executor", 1)).await;
    let mut input = FlowInput::new("paged", site.url("/p1"));
    input.status = Some(FlowStatus::Active);
    input.steps = serde_json::from_value(serde_json::json!([
        {"type": "paginate", "nextSelector": "a.next", "maxPages": 4}
    ]))
    .unwrap();
    input.output_schema = Some(
        serde_json::from_value(serde_json::json!({"name": "string", "price": "number"})).unwrap(),
    );
    let flow = api_only.client.create_flow(&input).await.unwrap();
    let run = api_only.client.create_run(&flow.id).await.unwrap();
    // Tailed through the node that does not execute it.
    let mut stream = api_only.client.stream_logs(&run.id, None).await.unwrap();
    let mut lines = Vec::new();
    let end = loop {
        match tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("an event in time")
        {
            Some(Ok(scraper_common::LogEvent::Line(line))) => lines.push(line),
            Some(Ok(scraper_common::LogEvent::End(end))) => break end,
            other => panic!("the stream broke: {other:?}"),
        }
    };
    assert_eq!(end.status, RunStatus::Completed);
    let seqs: Vec<u64> = lines.iter().map(|l| l.seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every line, in order"
    );
    assert!(lines.iter().any(|l| l.message.starts_with("Run started")));
    let done = api_only.client.get_run(&run.id).await.unwrap();
    assert_eq!(done.run.node.as_deref(), Some("executor"));
    assert_eq!(done.logs.len(), lines.len());
}

#[tokio::test]
async fn a_run_queued_through_one_node_wakes_an_idle_worker_on_another() {
    let app = spawn_app_with(named("api-only", 0)).await;
    if app.backend() != scraper_tests::database::Backend::Postgres {
        // SQLite has no notifications between processes: other nodes poll.
        eprintln!("skipped: notifications between nodes are PostgreSQL's");
        return;
    }
    let site = TestSite::pages(vec![("/", Reply::html(cards(&[("A", "$1")], None)))]).await;
    // Polling alone would take a minute: only the notification can be quick.
    let mut sleepy = named("executor", 1);
    sleepy.engine.idle_poll = Duration::from_secs(60);
    let executor = app.second_node(sleepy).await;
    // Its worker has found the queue empty and sleeps.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut input = FlowInput::new("n", site.url("/"));
    input.status = Some(FlowStatus::Active);
    let flow = app.client.create_flow(&input).await.unwrap();
    for _ in 0..3 {
        let run = app.client.create_run(&flow.id).await.unwrap();
        let done = executor.wait_finished(&run.id, WAIT).await;
        assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
        assert_eq!(done.run.node.as_deref(), Some("executor"));
    }
}

#[tokio::test]
async fn each_webhook_message_is_sent_once_whichever_nodes_deliver() {
    let site = TestSite::pages(vec![("/", Reply::html(cards(&[("A", "$1")], None)))]).await;
    // The first answer fails, so every node's delivery loop sees the
    // retries come due too.
    let receiver = scraper_tests::site::Receiver::start(vec![Reply::status(500)]).await;
    let first = spawn_app_with(named("a", 2)).await;
    let _b = first.second_node(named("b", 2)).await;
    let _c = first.second_node(named("c", 2)).await;
    let flow = first
        .client
        .create_flow_json(&serde_json::json!({
            "name": "hooked", "url": site.url("/"), "status": "active",
            "webhookUrl": receiver.url(),
        }))
        .await
        .unwrap();
    for _ in 0..8 {
        let run = first.client.create_run(&flow.id).await.unwrap();
        first.wait_finished(&run.id, WAIT).await;
    }
    // 8 messages, one of them twice (its first attempt got the 500).
    receiver.wait_for(9, WAIT).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = receiver.received();
    let mut ids: Vec<String> = got
        .iter()
        .map(|r| r.header("webhook-id").to_string())
        .collect();
    assert_eq!(ids.len(), 9, "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "one message a run");
    let deliveries = first.client.deliveries(&flow.id, None, None).await.unwrap();
    assert_eq!(deliveries.total, 8);
    let attempts: usize = deliveries.data.iter().map(|d| d.attempts.len()).sum();
    assert_eq!(attempts, 9, "each attempt made once");
}
