//! The list endpoints as history grows: 50 flows, then 0, 100,000 and
//! 1,000,000 runs between them, with `GET /api/flows` and `GET /api/runs`
//! (first page, key checked) measured by wrk on loopback (2 threads, 32
//! connections) against a real `scraper-server` process.
//!
//! `cargo bench -p scraper-server --bench api_lists`
//! Env: BENCH_RUNS (0,100000,1000000), BENCH_SECS (5), BENCH_PIN (1: the
//! server on CPU 0 and wrk on CPU 1, so that the load generator does not
//! take the server's core, as a client on another machine would not; with
//! `taskset`), BENCH_POSTGRES_URL (a PostgreSQL server to use instead of a
//! SQLite file). Needs `wrk` (`apt-get install wrk`).

mod support;

use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::process::{Command, Stdio};
use std::str::FromStr;
use support::Started;

const SERVER: &str = env!("CARGO_BIN_EXE_scraper-server");
const FLOWS: usize = 50;

fn main() {
    let sizes: Vec<u64> = std::env::var("BENCH_RUNS")
        .unwrap_or_else(|_| "0,100000,1000000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("BENCH_RUNS: numbers"))
        .collect();
    let secs = std::env::var("BENCH_SECS").unwrap_or_else(|_| "5".into());
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("api_lists needs wrk: apt-get install wrk");
        std::process::exit(1);
    }
    let work = tempfile::tempdir().expect("temp dir");
    let db = support::BenchDatabase::new(work.path(), "lists");
    let url = db.url.clone();
    println!("database: {}", db.name);
    let server = pinned(0, SERVER)
        .args(["--listen", "127.0.0.1:0", "--workers", "0"])
        .args(["--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scraper-server");
    let (_server, Started { api, key }) = support::started(server);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let flow_ids: Vec<String> = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut ids = Vec::new();
        for n in 0..FLOWS {
            let body = json!({"name": format!("flow {n}"), "url": "https://example.com/"});
            let created: serde_json::Value = http
                .post(format!("{api}/flows"))
                .header("X-API-Key", &key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.push(created["data"]["id"].as_str().unwrap().to_string());
        }
        ids
    });

    let pin = std::env::var("BENCH_PIN").as_deref() == Ok("1");
    println!(
        "{}",
        if pin {
            "server on CPU 0, wrk on CPU 1"
        } else {
            "server and wrk share the CPUs"
        }
    );
    println!("runs in the database | endpoint | req/s | p99");
    let mut have = 0;
    for size in sizes {
        if size > have {
            if db.is_postgres() {
                rt.block_on(add_runs_postgres(&url, &flow_ids, have, size - have));
            } else {
                rt.block_on(add_runs(&url, &flow_ids, have, size - have));
            }
            have = size;
        }
        for path in ["/flows", "/runs"] {
            let (rate, p99) = wrk(&format!("{api}{path}"), &key, &secs);
            println!("{size:>20} | GET /api{path:<6} | {rate:>8.0} | {p99}");
        }
    }
}

/// Finished runs written straight into the database the server uses (the
/// API would take hours for a million), spread over the flows; the
/// database's own triggers keep the counters as for any run.
async fn add_runs(url: &str, flows: &[String], from: u64, count: u64) {
    let mut conn = SqliteConnectOptions::from_str(url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut tx = conn.begin().await.unwrap();
    for (i, flow) in flows.iter().enumerate() {
        let share = count / flows.len() as u64 + u64::from((i as u64) < count % flows.len() as u64);
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
             INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at, finished_at) \
             SELECT printf('run-bench-%d-%d-%d', ?2, ?3, i), ?4, \
                    CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END, 'api', \
                    1700000000000 + i, 1700000000000 + i, 1700000000500 + i FROM n",
        )
        .bind(share as i64)
        .bind(from as i64)
        .bind(i as i64)
        .bind(flow)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// `add_runs` on PostgreSQL, a thousand runs a transaction: in one
/// transaction each counter row would pile up a version a run that every
/// later update walks past.
async fn add_runs_postgres(url: &str, flows: &[String], from: u64, count: u64) {
    const CHUNK: u64 = 1000;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    for (i, flow) in flows.iter().enumerate() {
        let share = count / flows.len() as u64 + u64::from((i as u64) < count % flows.len() as u64);
        let mut done = 0;
        while done < share {
            let n = CHUNK.min(share - done);
            sqlx::query(
                "INSERT INTO runs (id, flow_id, status, trigger, created_at, started_at, finished_at) \
                 SELECT format('run-bench-%s-%s-%s', $2::bigint, $3::bigint, i), $4, \
                        CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END, 'api', \
                        1700000000000 + i, 1700000000000 + i, 1700000000500 + i \
                 FROM generate_series($5::bigint + 1, $5::bigint + $1::bigint) AS i",
            )
            .bind(n as i64)
            .bind(from as i64)
            .bind(i as i64)
            .bind(flow)
            .bind(done as i64)
            .execute(&mut conn)
            .await
            .unwrap();
            done += n;
        }
    }
    // Runs that come one a transaction leave the counter rows compact: an
    // update prunes the dead versions on its page (measured: 20,000 runs so
    // kept `run_counts` at 2 pages and `flows` at 1). Seeded a thousand a
    // transaction, they leave hundreds of pages that a sum over the counters
    // reads; compact them as time would have, and analyze as autovacuum does.
    sqlx::query("VACUUM FULL run_counts, flows")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("VACUUM ANALYZE")
        .execute(&mut conn)
        .await
        .unwrap();
}

/// `program`, on CPU `cpu` alone when BENCH_PIN=1.
fn pinned(cpu: u32, program: &str) -> Command {
    if std::env::var("BENCH_PIN").as_deref() == Ok("1") {
        let mut command = Command::new("taskset");
        command.args(["-c", &cpu.to_string(), program]);
        command
    } else {
        Command::new(program)
    }
}

/// Requests/s and the 99th percentile latency wrk reports.
fn wrk(url: &str, key: &str, secs: &str) -> (f64, String) {
    let out = pinned(1, "wrk")
        .args(["-t2", "-c32", &format!("-d{secs}s"), "--latency"])
        .args(["-H", &format!("X-API-Key: {key}"), url])
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map_or("?".to_string(), |v| v.trim().to_string());
    (rate, p99)
}
