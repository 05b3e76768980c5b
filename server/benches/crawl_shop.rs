//! End-to-end crawl benchmark: the bench shop (`scraper_server::bench_shop`,
//! 5,000 pages by default) served by nginx on 127.0.0.1 (`shop/serve.sh`,
//! which installs nginx if missing), crawled by a real
//! `scraper-server` process through its API (create a flow, run it, wait,
//! read the items). Prints pages/s, the server's peak RSS and how many records
//! match `expected.json`.
//!
//! `cargo bench -p scraper-server --bench crawl_shop`
//! Env: BENCH_PAGES (5000), BENCH_CONCURRENCY (16), BENCH_PORT (18090),
//! BENCH_SERVER_WRAP (a tool to run the server under), BENCH_POSTGRES_URL
//! (a PostgreSQL server to use instead of a SQLite file).

use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;

use support::Started;

const SERVER: &str = env!("CARGO_BIN_EXE_scraper-server");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// User + system CPU seconds the process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ")".
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    // `cargo bench` passes --bench; the harness is ours.
    let pages = env_or("BENCH_PAGES", 5000);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let port = env_or("BENCH_PORT", 18090);
    let work = tempfile::tempdir().expect("temp dir");
    let (site, base, nginx) = support::serve_shop(work.path(), pages, port);

    let db = support::BenchDatabase::new(work.path(), "crawl");
    println!("database          {}", db.name);
    // BENCH_SERVER_WRAP runs the server under a tool, e.g.
    // "valgrind --tool=callgrind" (counts instructions, repeatable).
    let wrap = std::env::var("BENCH_SERVER_WRAP").unwrap_or_default();
    let mut command = match wrap.split_whitespace().collect::<Vec<_>>().split_first() {
        Some((tool, args)) => {
            let mut c = Command::new(tool);
            c.args(args).arg(SERVER);
            c
        }
        None => Command::new(SERVER),
    };
    let server = command
        .args(["--listen", "127.0.0.1:0", "--workers", "1"])
        .args(["--allow-private-networks", "127.0.0.1/32"])
        .args(["--database-url", &db.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scraper-server");
    let pid = server.id();
    let (server, Started { api, key }) = support::started(server);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (run, items, elapsed) = rt.block_on(async {
        for _ in 0..100 {
            if reqwest::get(format!("{base}/")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        support::run_flow(
            &api,
            &key,
            json!({
                "name": "bench shop",
                "url": format!("{base}/"),
                // Like the peers, no page budget in the way: maxPages counts
                // every request, 404s and repeated redirect targets included.
                "steps": [
                    {"type": "crawl", "maxPages": pages * 2, "concurrency": concurrency},
                    {"type": "extract", "pages": "/product/"}
                ],
                "outputSchema": {"name": "string", "price": "number", "url": "url"}
            }),
        )
        .await
    });
    let rss = peak_rss_mb(pid);
    let cpu = cpu_seconds(pid);
    drop(server);
    drop(nginx);

    let (correct, records) = support::score(&site.join("expected.json"), &items);
    let fetched = run["pagesFetched"].as_u64().unwrap_or(0);
    let run_ms = run["duration"]
        .as_u64()
        .unwrap_or(elapsed.as_millis() as u64)
        .max(1);

    println!(
        "status            {} {}",
        run["status"], run["failureReason"]
    );
    if let Some(error) = run["error"].as_str() {
        println!("error             {error}");
    }
    println!(
        "pages fetched     {fetched} (failed {})",
        run["pagesFailed"]
    );
    println!(
        "run duration      {:.2} s (trigger to finish {:.2} s)",
        run_ms as f64 / 1000.0,
        elapsed.as_secs_f64()
    );
    println!(
        "pages/s           {:.0}",
        fetched as f64 * 1000.0 / run_ms as f64
    );
    println!("peak RSS (server) {rss:.1} MB");
    println!(
        "CPU (server)      {cpu:.2} s, {:.0} µs a page",
        cpu * 1e6 / fetched.max(1) as f64
    );
    println!(
        "records           {} returned, {correct}/{records} correct",
        items.len()
    );
}
