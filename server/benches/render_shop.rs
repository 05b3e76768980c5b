//! The render benchmark: a `render: true` crawl of the bench shop (500 pages
//! by default) by a real `scraper-server` with its Chromium, beside Crawlee's
//! PlaywrightCrawler driving the same Debian Chromium on the same site
//! (`peers/crawlee_playwright.sh`, which installs Crawlee and Playwright under
//! /tmp with no browser download). The shop is served by nginx on 127.0.0.1
//! (`shop/serve.sh`). Prints, for each, pages/s, the peak memory of the
//! crawler and its browser together (the RSS of its whole process tree,
//! sampled every 100 ms) and the records correct against `expected.json`.
//!
//! `cargo bench -p scraper-server --bench render_shop`
//! Env: BENCH_PAGES (500), BENCH_CONCURRENCY (8), BENCH_PORT (18091),
//! BENCH_PEER (`crawlee`, or `none` to measure only ours), CHROME_BIN.

use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod support;

use support::Started;

const SERVER: &str = env!("CARGO_BIN_EXE_scraper-server");
const PEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/peers/crawlee_playwright.sh"
);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one crawler did.
struct Result {
    name: &'static str,
    pages: u64,
    seconds: f64,
    peak_mb: f64,
    correct: usize,
    records: usize,
}

fn main() {
    let pages = env_or("BENCH_PAGES", 500);
    let concurrency = env_or("BENCH_CONCURRENCY", 8);
    let port = env_or("BENCH_PORT", 18091);
    let work = tempfile::tempdir().expect("temp dir");
    let (site, base, _nginx) = support::serve_shop(work.path(), pages, port);
    wait_for(&format!("{base}/"));
    let expected = site.join("expected.json");

    let mut results = vec![ours(work.path(), &base, pages, concurrency, &expected)];
    if std::env::var("BENCH_PEER").as_deref() != Ok("none") {
        results.push(crawlee(work.path(), &base, concurrency, &expected));
    }
    println!(
        "\n{pages}-page bench shop, every page rendered in Chromium, concurrency {concurrency}, {} CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "crawler                      | pages | seconds | pages/s | peak PSS (with browser) | records correct"
    );
    for r in &results {
        println!(
            "{:<28} | {:>5} | {:>7.2} | {:>7.1} | {:>20.0} MB | {}/{}",
            r.name,
            r.pages,
            r.seconds,
            r.pages as f64 / r.seconds,
            r.peak_mb,
            r.correct,
            r.records
        );
    }
}

fn wait_for(url: &str) {
    for _ in 0..100 {
        if Command::new("curl")
            .args(["-fso", "/dev/null", url])
            .status()
            .is_ok_and(|s| s.success())
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{url} never answered (nginx)");
}

fn ours(
    work: &std::path::Path,
    base: &str,
    pages: u64,
    concurrency: u64,
    expected: &std::path::Path,
) -> Result {
    let db = work.join("bench.db");
    let server = Command::new(SERVER)
        .args(["--listen", "127.0.0.1:0", "--workers", "1"])
        .args(["--allow-private-networks", "127.0.0.1/32"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scraper-server");
    let pid = server.id();
    let (_server, Started { api, key }) = support::started(server);
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = support::sample_peak(pid, stop.clone());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (run, got, _) = rt.block_on(support::run_flow(
        &api,
        &key,
        json!({
            "name": "render bench",
            "url": format!("{base}/"),
            "steps": [
                {"type": "crawl", "maxPages": pages * 2, "concurrency": concurrency, "render": true},
                {"type": "extract", "pages": "/product/"}
            ],
            "outputSchema": {"name": "string", "price": "number", "url": "url"}
        }),
    ));
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.join().unwrap_or(0);
    if run["status"] != "completed" {
        println!("our run: {} {}", run["status"], run["error"]);
    }
    let (correct, records) = support::score(expected, &got);
    Result {
        name: "scraper-server (render: true)",
        pages: run["pagesFetched"].as_u64().unwrap_or(0),
        seconds: run["duration"].as_u64().unwrap_or(1) as f64 / 1000.0,
        peak_mb: peak as f64 / 1024.0,
        correct,
        records,
    }
}

fn crawlee(
    work: &std::path::Path,
    base: &str,
    concurrency: u64,
    expected: &std::path::Path,
) -> Result {
    let installed = Command::new(PEER).arg("--install").status();
    assert!(
        installed.is_ok_and(|s| s.success()),
        "installing Crawlee and Playwright failed (npm needs the network); BENCH_PEER=none skips them"
    );
    let out = work.join("crawlee.jsonl");
    let started = Instant::now();
    let child = Command::new(PEER)
        .arg(format!("{base}/"))
        .arg(&out)
        .env("CONCURRENCY", concurrency.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("crawlee_playwright.sh");
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = support::sample_peak(child.id(), stop.clone());
    let output = child.wait_with_output().expect("Crawlee ran");
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.join().unwrap_or(0);
    let text = String::from_utf8_lossy(&output.stdout);
    let pages = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("pages="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let crawled = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("elapsed="))
        .and_then(|s| s.trim_end_matches('s').parse().ok())
        .unwrap_or(seconds);
    let got: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let (correct, records) = support::score(expected, &got);
    Result {
        name: "Crawlee PlaywrightCrawler",
        pages,
        seconds: crawled,
        peak_mb: peak as f64 / 1024.0,
        correct,
        records,
    }
}
