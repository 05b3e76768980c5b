//! What the benches that run processes share.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::time::Duration;

#[path = "../../tests/support/postgres.rs"]
mod postgres;

/// Stops the process when the benchmark ends, however it ends: SIGTERM
/// first (a killed nginx master leaves its workers serving the port), then
/// SIGKILL if it lingers.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a freshly started `scraper-server` printed: its API base URL and the
/// admin key of a new database.
pub struct Started {
    pub api: String,
    pub key: String,
}

/// Reads the start-up lines of `server` (spawned with piped stdout).
pub fn started(mut server: Child) -> (Guard, Started) {
    let mut key = String::new();
    let mut api = String::new();
    for line in BufReader::new(server.stdout.take().expect("piped stdout"))
        .lines()
        .map_while(Result::ok)
    {
        let line = line.trim().to_string();
        if line.starts_with("scr_live_") {
            key = line;
        } else if let Some(rest) = line.split("(API at ").nth(1) {
            api = rest.trim_end_matches(')').to_string();
            break;
        }
    }
    (Guard(server), Started { api, key })
}

/// How many of `items` (each with `url`, `name` and `price`) are products
/// of the bench shop's `expected.json`, exactly, and how many it lists.
#[allow(dead_code)] // Not every bench scores records.
pub fn score(expected: &std::path::Path, items: &[serde_json::Value]) -> (usize, usize) {
    use std::collections::HashSet;
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(expected).expect("expected.json")).expect("JSON");
    let key_of = |v: &serde_json::Value| {
        (
            v["url"].as_str().unwrap_or_default().to_string(),
            v["name"].as_str().unwrap_or_default().to_string(),
            (v["price"].as_f64().unwrap_or(f64::NAN) * 100.0).round() as i64,
        )
    };
    let want: HashSet<_> = expected["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(key_of)
        .collect();
    let correct = items.iter().filter(|v| want.contains(&key_of(v))).count();
    (correct, want.len())
}

/// The memory of `root` and every process under it, in KiB: a crawler with
/// the browser it started. Each process counts its proportional set size
/// (shared pages split between the processes sharing them), as a sum of RSS
/// would count Chromium's shared pages once per process.
#[allow(dead_code)]
pub fn tree_pss_kb(root: u32) -> u64 {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    tree.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
}

/// Samples `tree_pss_kb(root)` every 100 ms until `stop`; the highest seen.
#[allow(dead_code)]
pub fn sample_peak(
    root: u32,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            peak = peak.max(tree_pss_kb(root));
            std::thread::sleep(Duration::from_millis(100));
        }
        peak
    })
}

/// The bench shop of `pages` pages, written under `work` and served by nginx
/// on 127.0.0.1:`port` (`shop/serve.sh`, which installs nginx if missing)
/// until the guard drops. Returns the site's folder, its base URL and nginx.
#[allow(dead_code)]
pub fn serve_shop(
    work: &std::path::Path,
    pages: u64,
    port: u64,
) -> (std::path::PathBuf, String, Guard) {
    use scraper_server::bench_shop::{self, Options};
    let site = work.join("site");
    let base = format!("http://127.0.0.1:{port}");
    let shop = Options {
        pages: pages as usize,
        base: base.clone(),
        seed: 1,
    };
    println!("{}", bench_shop::make(&site, &shop).expect("bench shop"));
    let serve = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/shop/serve.sh");
    let nginx = Guard(
        Command::new(serve)
            .arg(&site)
            .arg(port.to_string())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("shop/serve.sh (nginx)"),
    );
    (site, base, nginx)
}

/// Creates `flow` through the API at `api`, runs it, waits for its end and
/// reads its items; returns the finished run, its items (the `data` of the
/// items answer) and the time from trigger to finish.
#[allow(dead_code)]
pub async fn run_flow(
    api: &str,
    key: &str,
    flow: serde_json::Value,
) -> (serde_json::Value, Vec<serde_json::Value>, Duration) {
    use serde_json::{Value, json};
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http
            .request(method, format!("{api}{path}"))
            .header("X-API-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let flow = call(reqwest::Method::POST, "/flows".into(), Some(flow)).await;
    let flow_id = flow["data"]["id"]
        .as_str()
        .expect("flow created")
        .to_string();
    let started = std::time::Instant::now();
    let run = call(
        reqwest::Method::POST,
        "/runs".into(),
        Some(json!({"flowId": flow_id})),
    )
    .await;
    let run_id = run["data"]["id"].as_str().expect("run queued").to_string();
    let run = loop {
        let detail = call(reqwest::Method::GET, format!("/runs/{run_id}"), None).await;
        let status = detail["data"]["status"].as_str().unwrap_or_default();
        if !matches!(status, "queued" | "running") {
            break detail["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let elapsed = started.elapsed();
    let items = call(reqwest::Method::GET, format!("/runs/{run_id}/items"), None).await;
    let items = items["data"].as_array().cloned().unwrap_or_default();
    (run, items, elapsed)
}

/// The database a bench's server uses: a SQLite file under `work`, or, with
/// BENCH_POSTGRES_URL (a server such as `.ci/postgres start` makes), a fresh
/// database on that PostgreSQL server, dropped when this is.
#[allow(dead_code)]
pub struct BenchDatabase {
    pub url: String,
    pub name: &'static str,
    postgres: Option<(String, String)>,
}

#[allow(dead_code)]
impl BenchDatabase {
    pub fn new(work: &std::path::Path, tag: &str) -> BenchDatabase {
        let Ok(admin) = std::env::var("BENCH_POSTGRES_URL") else {
            return BenchDatabase {
                url: format!("sqlite://{}", work.join(format!("{tag}.db")).display()),
                name: "SQLite",
                postgres: None,
            };
        };
        let db = format!("bench_{tag}_{}", std::process::id());
        let url = postgres::create(&admin, &db);
        BenchDatabase {
            url,
            name: "PostgreSQL",
            postgres: Some((admin, db)),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        if let Some((admin, db)) = self.postgres.take() {
            postgres::drop(&admin, &db);
        }
    }
}
