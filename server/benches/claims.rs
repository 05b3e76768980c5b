//! Runs claimed and finished per second by 1 and by 3 `scraper-server`
//! processes on one database: 100 short runs (one page each, answered after
//! BENCH_PAGE_MS) triggered through the nodes' APIs, timed from the first
//! trigger to the last run's end. With one queue in PostgreSQL and claims
//! that skip locked rows, three nodes should take the work about three
//! times as fast while pages wait on the network; on one machine they share
//! its cores, so with instant pages (BENCH_PAGE_MS=0) the CPU is the limit.
//!
//! `BENCH_POSTGRES_URL=postgres://... cargo bench -p scraper-server --bench claims`
//! Env: BENCH_RUNS (100), BENCH_WORKERS (4 a node), BENCH_PAGE_MS (100),
//! BENCH_NODES (1,3). Without BENCH_POSTGRES_URL the nodes share a SQLite file.

mod support;

use serde_json::{Value, json};
use std::convert::Infallible;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{BenchDatabase, Guard, Started};
use warp::Filter;

const SERVER: &str = env!("CARGO_BIN_EXE_scraper-server");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runs = env_or("BENCH_RUNS", 100);
    let workers = env_or("BENCH_WORKERS", 4);
    let page_ms = env_or("BENCH_PAGE_MS", 100);
    let counts: Vec<usize> = std::env::var("BENCH_NODES")
        .unwrap_or_else(|_| "1,3".into())
        .split(',')
        .map(|n| n.trim().parse().expect("BENCH_NODES: numbers"))
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = rt.block_on(site(page_ms));
    let work = tempfile::tempdir().expect("temp dir");
    println!("{runs} runs of one page ({page_ms} ms), {workers} workers a node");
    println!("nodes | database | seconds | runs/s");
    for nodes in counts {
        let db = BenchDatabase::new(work.path(), &format!("claims{nodes}"));
        let (guards, apis, key) = start(&db, nodes, workers);
        let elapsed = rt.block_on(drive(&apis, &key, &site, runs));
        drop(guards);
        println!(
            "{nodes:>5} | {:<10} | {:>7.2} | {:>6.1}",
            db.name,
            elapsed.as_secs_f64(),
            runs as f64 / elapsed.as_secs_f64()
        );
    }
}

/// A page of two cards that answers after `delay_ms`.
async fn site(delay_ms: u64) -> String {
    let page = warp::path!("page").and_then(move || async move {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        Ok::<_, Infallible>(warp::reply::html(
            "<html><body><div class=\"card\"><h2>Lamp</h2><span>$10</span></div>\
             <div class=\"card\"><h2>Desk</h2><span>$99</span></div></body></html>",
        ))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(warp::serve(page).incoming(listener).run());
    format!("http://{addr}/page")
}

/// `count` nodes on `db`, one after the other (the first makes the key).
fn start(db: &BenchDatabase, count: usize, workers: u64) -> (Vec<Guard>, Vec<String>, String) {
    let mut guards = Vec::new();
    let mut apis = Vec::new();
    let mut key = String::new();
    for i in 0..count {
        let server = Command::new(SERVER)
            .args(["--listen", "127.0.0.1:0", "--workers", &workers.to_string()])
            .args(["--allow-private-networks", "127.0.0.1/32"])
            .args(["--node-name", &format!("node-{i}")])
            .args(["--database-url", &db.url])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("scraper-server");
        let (guard, Started { api, key: made }) = support::started(server);
        if i == 0 {
            key = made;
        }
        guards.push(guard);
        apis.push(api);
    }
    (guards, apis, key)
}

/// Triggers `runs` runs round the nodes at once and waits for all to end.
async fn drive(apis: &[String], key: &str, site: &str, runs: u64) -> Duration {
    let http = reqwest::Client::new();
    let flow: Value = http
        .post(format!("{}/flows", apis[0]))
        .header("X-API-Key", key)
        .json(&json!({
            "name": "short", "url": site, "status": "active",
            "outputSchema": {"name": "string", "price": "number"},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flow_id = flow["data"]["id"].as_str().expect("flow").to_string();
    let started = Instant::now();
    let mut triggers = tokio::task::JoinSet::new();
    for i in 0..runs {
        let request = http
            .post(format!("{}/runs", apis[i as usize % apis.len()]))
            .header("X-API-Key", key)
            .json(&json!({"flowId": flow_id}));
        triggers.spawn(async move { request.send().await.unwrap().status() });
    }
    while let Some(status) = triggers.join_next().await {
        assert!(status.unwrap().is_success());
    }
    loop {
        let finished: u64 = ["completed", "failed", "cancelled"]
            .iter()
            .map(|status| {
                let http = http.clone();
                let url = format!("{}/runs?status={status}&limit=1", apis[0]);
                let key = key.to_string();
                async move {
                    let page: Value = http
                        .get(url)
                        .header("X-API-Key", key)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    page["total"].as_u64().unwrap_or(0)
                }
            })
            .collect::<futures_util::future::JoinAll<_>>()
            .await
            .into_iter()
            .sum();
        if finished >= runs {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
