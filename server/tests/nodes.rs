//! Three `scraper-server` processes on one PostgreSQL database, as a user
//! scales out: they share the queue (each run executed once, by whichever
//! node is free), a node killed with SIGKILL has its run failed as
//! `worker_lost` within the lease by the others, cancels and live logs cross
//! nodes, and a schedule fires once per tick whatever the number of nodes.
//! Skipped without `SCRAPER_TEST_POSTGRES_URL` (a failure under CI).

mod support;

use scraper_common::{Client, LogEvent, Run, RunFilter, RunStatus};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{PgDatabase, Running, admin_key, start};
use warp::Filter;

const WAIT: Duration = Duration::from_secs(30);
const LEASE_SECS: u64 = 3;

/// The site the flows crawl: `/list` (counted), `/slow` (answers after a
/// minute), and `/p/N`, five pages chained by a next link, 200 ms each.
struct Site {
    addr: SocketAddr,
    list_hits: Arc<AtomicUsize>,
}

impl Site {
    async fn start() -> Site {
        let list_hits = Arc::new(AtomicUsize::new(0));
        let hits = list_hits.clone();
        let list = warp::path!("list").and_then(move || {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok::<_, Infallible>(warp::reply::html(cards(
                    &[("Lamp", "$10"), ("Desk", "$99")],
                    "",
                )))
            }
        });
        let slow = warp::path!("slow").and_then(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, Infallible>(warp::reply::html(String::new()))
        });
        let paged = warp::path!("p" / u32).and_then(|n: u32| async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let next = if n < 5 {
                format!("<a class=\"next\" href=\"/p/{}\">next</a>", n + 1)
            } else {
                String::new()
            };
            let name = format!("Item {n}");
            Ok::<_, Infallible>(warp::reply::html(cards(&[(&name, "$1")], &next)))
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(
            warp::serve(list.or(slow).or(paged))
                .incoming(listener)
                .run(),
        );
        Site { addr, list_hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn cards(items: &[(&str, &str)], next: &str) -> String {
    let cards: String = items
        .iter()
        .map(|(name, price)| {
            format!(
                "<div class=\"card\"><h2 class=\"name\">{name}</h2>\
                 <span class=\"price\">{price}</span></div>"
            )
        })
        .collect();
    format!("<html><body>{cards}{next}</body></html>")
}

/// Nodes `node-0`, `node-1`... on `db`, each with `workers` workers, each
/// in a folder of its own (its log is `server.log` there).
struct Cluster {
    nodes: Vec<Option<Running>>,
    clients: Vec<Client>,
    _dirs: Vec<tempfile::TempDir>,
}

impl Cluster {
    async fn start(db: &PgDatabase, count: usize, workers: usize) -> Cluster {
        let mut nodes = Vec::new();
        let mut dirs = Vec::new();
        let mut key = None;
        // One after the other: the first makes the admin key.
        for i in 0..count {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().to_path_buf();
            let args = [
                "--database-url".to_string(),
                db.url.clone(),
                "--node-name".into(),
                format!("node-{i}"),
                "--workers".into(),
                workers.to_string(),
                "--lease-secs".into(),
                LEASE_SECS.to_string(),
                "--allow-private-networks".into(),
                "127.0.0.1/32".into(),
                "--min-schedule-interval".into(),
                "1s".into(),
            ];
            let running = tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                start(&path, &args)
            })
            .await
            .unwrap();
            if i == 0 {
                key = Some(admin_key(&running.stdout).expect("the first node makes the admin key"));
            }
            nodes.push(Some(running));
            dirs.push(dir);
        }
        let key = key.unwrap();
        let clients = nodes
            .iter()
            .map(|n| Client::new(&n.as_ref().unwrap().base, &key).unwrap())
            .collect();
        Cluster {
            nodes,
            clients,
            _dirs: dirs,
        }
    }

    /// SIGKILL: no goodbye, no lease given back.
    fn kill(&mut self, i: usize) {
        let mut node = self.nodes[i].take().expect("a live node");
        node.child.kill().unwrap();
        node.child.wait().unwrap();
    }

    /// Waits for `runs` to finish, asking each time through the next live node.
    async fn wait_finished(&self, runs: &[String]) -> Vec<Run> {
        let deadline = Instant::now() + WAIT;
        let mut done = Vec::new();
        for (i, id) in runs.iter().enumerate() {
            loop {
                let client = self.live_client(i);
                let run = client.get_run(id).await.unwrap().run;
                if run.status.is_finished() {
                    done.push(run);
                    break;
                }
                assert!(Instant::now() < deadline, "run {id} still {}", run.status);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        done
    }

    fn live_client(&self, i: usize) -> &Client {
        let live: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].is_some())
            .collect();
        &self.clients[live[i % live.len()]]
    }
}

async fn flow(client: &Client, name: &str, url: String, extra: serde_json::Value) -> String {
    let mut body = json!({
        "name": name, "url": url, "status": "active",
        "outputSchema": {"name": "string", "price": "number"},
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    client.create_flow_json(&body).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_runs_through_three_nodes_are_each_executed_once() {
    let Some(db) = PgDatabase::fresh("nodes_sixty") else {
        return;
    };
    let site = Site::start().await;
    let cluster = Cluster::start(&db, 3, 2).await;
    let flow = flow(&cluster.clients[0], "list", site.url("/list"), json!({})).await;

    // Twenty through each node's API.
    let mut runs = Vec::new();
    for i in 0..60 {
        let run = cluster.clients[i % 3].create_run(&flow).await.unwrap();
        runs.push(run.id);
    }
    let done = cluster.wait_finished(&runs).await;
    let mut by_node: BTreeMap<String, usize> = BTreeMap::new();
    for run in &done {
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
        assert_eq!(run.items_extracted, 2, "{run:?}");
        *by_node.entry(run.node.clone().unwrap()).or_default() += 1;
    }
    // Executed once each: one fetch of the page per run, two items per run.
    assert_eq!(site.list_hits.load(Ordering::SeqCst), 60);
    for id in &runs {
        let items = cluster.clients[1].run_items(id, None, None).await.unwrap();
        assert_eq!(items.data.len(), 2, "run {id}");
    }
    eprintln!("runs by node: {by_node:?}");
    assert!(by_node.len() >= 2, "all on one node: {by_node:?}");
    let total = cluster.clients[2]
        .list_runs(&RunFilter::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_node_has_its_run_failed_within_the_lease_and_the_others_go_on() {
    let Some(db) = PgDatabase::fresh("nodes_kill") else {
        return;
    };
    let site = Site::start().await;
    let mut cluster = Cluster::start(&db, 3, 1).await;
    let slow = flow(&cluster.clients[0], "slow", site.url("/slow"), json!({})).await;
    let fast = flow(&cluster.clients[0], "fast", site.url("/list"), json!({})).await;

    let stuck = cluster.clients[0].create_run(&slow).await.unwrap().id;
    let node = loop {
        let run = cluster.clients[1].get_run(&stuck).await.unwrap().run;
        if run.status == RunStatus::Running {
            break run.node.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let victim: usize = node.strip_prefix("node-").unwrap().parse().unwrap();
    cluster.kill(victim);
    let killed = Instant::now();

    // The other two take new work meanwhile.
    let mut others = Vec::new();
    for i in 0..4 {
        let run = cluster.live_client(i).create_run(&fast).await.unwrap();
        others.push(run.id);
    }
    let lost = loop {
        let run = cluster.live_client(0).get_run(&stuck).await.unwrap().run;
        if run.status.is_finished() {
            break run;
        }
        // The lease, then one sweep (a third of it), with room for a slow machine.
        assert!(
            killed.elapsed() < Duration::from_secs(LEASE_SECS * 2 + 2),
            "the killed node's run is still {}",
            run.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(lost.status, RunStatus::Failed);
    assert_eq!(
        lost.failure_reason,
        Some(scraper_common::FailureReason::WorkerLost)
    );
    for run in cluster.wait_finished(&others).await {
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
        assert_ne!(run.node.as_deref(), Some(node.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancels_and_live_logs_cross_nodes() {
    let Some(db) = PgDatabase::fresh("nodes_cross") else {
        return;
    };
    let site = Site::start().await;
    let cluster = Cluster::start(&db, 3, 1).await;
    let paged = flow(
        &cluster.clients[0],
        "paged",
        site.url("/p/1"),
        json!({"steps": [{"type": "paginate", "nextSelector": "a.next", "maxPages": 5}]}),
    )
    .await;

    // Live logs, tailed through a node that is not the one executing.
    let run = cluster.clients[0].create_run(&paged).await.unwrap().id;
    let executor = loop {
        let r = cluster.clients[0].get_run(&run).await.unwrap().run;
        if let Some(node) = r.node {
            break node;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let tail = (0..3).find(|i| format!("node-{i}") != executor).unwrap();
    let mut stream = cluster.clients[tail].stream_logs(&run, None).await.unwrap();
    let mut seqs = Vec::new();
    let end = loop {
        match tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("an event in time")
        {
            Some(Ok(LogEvent::Line(line))) => seqs.push(line.seq),
            Some(Ok(LogEvent::End(end))) => break end,
            other => panic!("the stream broke: {other:?}"),
        }
    };
    assert_eq!(end.status, RunStatus::Completed);
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every line, in order"
    );
    let detail = cluster.clients[tail].get_run(&run).await.unwrap();
    assert_eq!(detail.run.items_extracted, 5);
    assert_eq!(detail.logs.len(), seqs.len());

    // A cancel through a node that does not execute the run stops it there.
    let run = cluster.clients[1].create_run(&paged).await.unwrap().id;
    let executor = loop {
        let r = cluster.clients[1].get_run(&run).await.unwrap().run;
        if r.status == RunStatus::Running {
            break r.node.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let other = (0..3).find(|i| format!("node-{i}") != executor).unwrap();
    let cancelled = cluster.clients[other].cancel_run(&run).await.unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    let asked = Instant::now();
    // The executing node lets go within two seconds: it fetches no more pages.
    let busy = |nodes: &scraper_common::ListResponse<scraper_common::Node>| {
        nodes
            .data
            .iter()
            .find(|n| n.name == executor)
            .map_or(0, |n| n.runs_in_progress)
    };
    while busy(&cluster.clients[other].nodes().await.unwrap()) > 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "{executor} still runs it"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let read = cluster.clients[other].get_run(&run).await.unwrap().run;
    assert_eq!(read.status, RunStatus::Cancelled);
    assert!(read.items_extracted < 5, "{read:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_one_second_schedule_fires_once_per_tick_across_three_nodes() {
    let Some(db) = PgDatabase::fresh("nodes_schedule") else {
        return;
    };
    let site = Site::start().await;
    let cluster = Cluster::start(&db, 3, 2).await;
    let flow = flow(
        &cluster.clients[0],
        "every second",
        site.url("/list"),
        json!({"schedule": "every 1s"}),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    cluster.clients[1]
        .update_flow(&flow, &json!({"status": "paused"}))
        .await
        .unwrap();
    let runs = cluster.clients[2]
        .list_runs(&RunFilter {
            flow_id: Some(flow.clone()),
            limit: Some(100),
            ..RunFilter::default()
        })
        .await
        .unwrap();
    // Each run names its tick in its first log line; no tick twice.
    let mut ticks = HashSet::new();
    for run in &runs.data {
        let detail = cluster.clients[0].get_run(&run.id).await.unwrap();
        let first = &detail.logs[0].message;
        assert!(
            first.starts_with("Run queued (trigger: schedule, tick "),
            "{first}"
        );
        assert!(ticks.insert(first.clone()), "tick fired twice: {first}");
    }
    eprintln!("{} ticks fired in 6 s", ticks.len());
    // About one a second over six seconds (a tick whose previous run is
    // still going is skipped, so a few may be missing; three nodes firing
    // each tick would give three times as many).
    assert!(
        (3..=7).contains(&ticks.len()),
        "{} runs: {ticks:?}",
        ticks.len()
    );
}
