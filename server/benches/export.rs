//! Exports of one large run: 1,000,000 items written straight into the
//! database of a real `scraper-server`, then `GET /api/runs/:id/items` in
//! each format read to the end on loopback, with the time to the first byte
//! of the body, the total time, the bytes, and the server's RSS before and
//! at its peak during the export (VmRSS sampled every 2 ms, and VmHWM after
//! resetting it through /proc/PID/clear_refs).
//!
//! `cargo bench -p scraper-server --bench export`
//! Env: BENCH_ITEMS (1000000).

mod support;

use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::Started;

const SERVER: &str = env!("CARGO_BIN_EXE_scraper-server");
const RUN: &str = "run-bench-export";

fn main() {
    let items: u64 = std::env::var("BENCH_ITEMS")
        .unwrap_or_else(|_| "1000000".into())
        .trim()
        .parse()
        .expect("BENCH_ITEMS: a number");
    let work = tempfile::tempdir().expect("temp dir");
    let db = work.path().join("bench.db");
    let url = format!("sqlite://{}", db.display());
    let server = Command::new(SERVER)
        .args(["--listen", "127.0.0.1:0", "--workers", "0"])
        .args(["--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scraper-server");
    let pid = server.id();
    let (_server, Started { api, key }) = support::started(server);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    rt.block_on(async {
        let flow = json!({
            "name": "export bench",
            "url": "https://example.com/",
            "outputSchema": {"name": "string", "price": "number"},
        });
        let created: serde_json::Value = http
            .post(format!("{api}/flows"))
            .header("X-API-Key", &key)
            .json(&flow)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seeded = Instant::now();
        seed(&url, created["data"]["id"].as_str().unwrap(), items).await;
        eprintln!(
            "seeded {items} items in {:.1} s",
            seeded.elapsed().as_secs_f64()
        );
    });

    println!("items | format | first byte | total | MB | server RSS before | peak | rise");
    for format in ["json", "ndjson", "csv"] {
        let before = status_kb(pid, "VmRSS:");
        // Peak RSS from here on, not since the server started.
        let hwm_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        let sampling = Arc::new(AtomicBool::new(true));
        let sampled_peak = Arc::new(AtomicU64::new(before));
        let sampler = {
            let (sampling, peak) = (sampling.clone(), sampled_peak.clone());
            std::thread::spawn(move || {
                while sampling.load(Ordering::Relaxed) {
                    peak.fetch_max(status_kb(pid, "VmRSS:"), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        let got = rt.block_on(export(&http, &api, &key, format));
        sampling.store(false, Ordering::Relaxed);
        sampler.join().unwrap();
        let mut peak = sampled_peak.load(Ordering::Relaxed);
        if hwm_reset {
            peak = peak.max(status_kb(pid, "VmHWM:"));
        }
        check(format, &got, items);
        let mb = |kb: u64| kb as f64 / 1024.0;
        println!(
            "{items} | {format:<6} | {:>7.1} ms | {:>5.2} s | {:>6.1} | {:>14.1} MB | {:>5.1} MB | {:>+5.1} MB",
            got.first_byte.as_secs_f64() * 1000.0,
            got.total.as_secs_f64(),
            got.bytes as f64 / 1e6,
            mb(before),
            mb(peak),
            mb(peak) - mb(before),
        );
    }
}

/// A finished run and its items, written straight into the database the
/// server uses (a crawl of a million items would take the bench over).
/// Every tenth name needs CSV quoting, and every thousandth item has a key
/// the others lack, so the CSV columns come from the whole data set.
async fn seed(url: &str, flow_id: &str, items: u64) {
    let mut conn = SqliteConnectOptions::from_str(url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at, finished_at, \
         items_extracted) VALUES (?, ?, 'completed', 'api', 1700000000000, 1700000000000, \
         1700000600000, ?)",
    )
    .bind(RUN)
    .bind(flow_id)
    .bind(items as i64)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         INSERT INTO run_items (run_id, seq, data) \
         SELECT ?, i, CASE WHEN i % 1000 = 0 THEN json_insert(item, '$.sale', json('true')) \
                      ELSE item END \
         FROM (SELECT i, json_object( \
                   'name', printf(CASE WHEN i % 10 = 0 THEN 'Product %d, \"deluxe\"' \
                                  ELSE 'Product %d' END, i), \
                   'price', (i % 50000) / 100.0, \
                   'url', printf('https://shop.example/products/%d', i), \
                   'sku', printf('SKU-%08d', i)) AS item FROM n)",
    )
    .bind(items as i64)
    .bind(RUN)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

struct Got {
    first_byte: Duration,
    total: Duration,
    bytes: u64,
    /// Line ends in the body (`\n`), to tell that every item came.
    lines: u64,
    end: Vec<u8>,
}

async fn export(http: &reqwest::Client, api: &str, key: &str, format: &str) -> Got {
    let started = Instant::now();
    let mut response = http
        .get(format!("{api}/runs/{RUN}/items?format={format}"))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{format}");
    let mut got = Got {
        first_byte: Duration::ZERO,
        total: Duration::ZERO,
        bytes: 0,
        lines: 0,
        end: Vec::new(),
    };
    while let Some(chunk) = response.chunk().await.expect("the whole body") {
        if got.bytes == 0 {
            got.first_byte = started.elapsed();
        }
        got.bytes += chunk.len() as u64;
        got.lines += memchr::memchr_iter(b'\n', &chunk).count() as u64;
        got.end.extend_from_slice(&chunk);
        let keep = got.end.len().saturating_sub(64);
        got.end.drain(..keep);
    }
    got.total = started.elapsed();
    got
}

/// That the body is all there: a figure for a short body would mean nothing.
fn check(format: &str, got: &Got, items: u64) {
    let end = String::from_utf8_lossy(&got.end);
    let whole = match format {
        "json" => end.ends_with(&format!("],\"total\":{items}}}")),
        "ndjson" => got.lines == items,
        _ => got.lines == items + 1 && end.ends_with("\r\n"),
    };
    assert!(whole, "{format}: {} lines, ending {end:?}", got.lines);
}

/// A `kB` line of /proc/PID/status (0 if it cannot be read).
fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
