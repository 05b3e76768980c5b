//! Monitor change detection on two runs of N product-like items, given as
//! raw JSON texts the way the database returns them: the time to index the
//! previous run, compare the current one and finish, and the peak RSS.
//!
//! Two cases: typical (1% of prices change, 0.5% of products go, 0.5% are
//! new) and worst (every price changes, so every record is parsed on both
//! sides and gives a change). Each runs in a process of its own, so its
//! peak RSS is its own; the counts are checked against what was generated.
//!
//! A third case does what a monitor's run does when it ends, on a real
//! SQLite file: read both runs' items from the store a page at a time,
//! compare them, and store the changes with the run's end.
//!
//! `cargo bench -p scraper-server --bench monitor_diff`
//! Env: BENCH_ITEMS (100000).

use scraper_common::ChangeCounts;
use scraper_server::monitor::diff::{Baseline, Change, Compare, default_key};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// Set in the child process: which case it runs.
const CASE: &str = "MONITOR_DIFF_CASE";

fn main() {
    let items: u64 = std::env::var("BENCH_ITEMS")
        .unwrap_or_else(|_| "100000".into())
        .trim()
        .parse()
        .expect("BENCH_ITEMS: a number");
    match std::env::var(CASE).as_deref() {
        Ok("typical") => measure("typical: 1% prices up, 0.5% gone, 0.5% new", items, typical),
        Ok("worst") => measure("worst: every price up", items, worst),
        Ok("stored") => stored(items),
        Ok(other) => panic!("{CASE}: unknown case {other}"),
        Err(_) => {
            println!("monitor diff: two runs of {items} items each");
            for case in ["typical", "worst", "stored"] {
                let me = std::env::current_exe().expect("own path");
                let status = Command::new(me)
                    .env(CASE, case)
                    .status()
                    .expect("run a case");
                assert!(status.success(), "case {case} failed: {status}");
            }
        }
    }
}

/// The two runs and what comparing them must find.
struct Runs {
    previous: Vec<String>,
    current: Vec<String>,
    expected: ChangeCounts,
}

fn price(i: u64) -> f64 {
    ((i * 37) % 10_000) as f64 / 100.0 + 0.99
}

fn product(i: u64, price: f64) -> String {
    let stock = if i.is_multiple_of(13) {
        "Out of stock"
    } else {
        "In stock"
    };
    json!({
        "name": format!("Product {i:05}"),
        "url": format!("https://shop.example/p/{i}"),
        "price": price,
        "stock": stock,
        "rating": (i % 5) as f64 * 0.5 + 2.5,
    })
    .to_string()
}

/// 1 in 100 prices up by 1, 1 in 200 products gone, one new product after
/// every 200th.
fn typical(n: u64) -> Runs {
    let previous: Vec<String> = (0..n).map(|i| product(i, price(i))).collect();
    let mut current = Vec::with_capacity(previous.len());
    let mut expected = ChangeCounts::default();
    for i in 0..n {
        if i % 200 == 7 {
            expected.removed += 1;
        } else if i % 100 == 3 {
            current.push(product(i, price(i) + 1.0));
            expected.changed += 1;
        } else {
            current.push(product(i, price(i)));
            expected.unchanged += 1;
        }
        if i % 200 == 199 {
            let new = n + i / 200;
            current.push(product(new, price(new)));
            expected.added += 1;
        }
    }
    Runs {
        previous,
        current,
        expected,
    }
}

/// Every price up by 1.
fn worst(n: u64) -> Runs {
    Runs {
        previous: (0..n).map(|i| product(i, price(i))).collect(),
        current: (0..n).map(|i| product(i, price(i) + 1.0)).collect(),
        expected: ChangeCounts {
            changed: n,
            ..ChangeCounts::default()
        },
    }
}

fn measure(case: &str, n: u64, generate: fn(u64) -> Runs) {
    let start_rss = memory("VmRSS");
    let Runs {
        previous,
        current,
        expected,
    } = generate(n);
    let input_bytes: usize = previous.iter().chain(&current).map(String::len).sum();
    let (previous_len, current_len) = (previous.len(), current.len());
    let generated_rss = memory("VmRSS");
    let generated_peak = memory("VmHWM");
    // From here VmHWM is the diff's peak (the inputs included, as they are
    // in the server too); without the reset it is the process's.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

    let key = serde_json::from_str(previous.first().map_or("{}", String::as_str)).ok();
    let compare = Compare {
        key: default_key(None, key.as_ref()),
        ..Compare::default()
    };
    let started = Instant::now();
    let mut baseline = Baseline::new(compare);
    for raw in previous {
        baseline.push(raw);
    }
    let indexed = started.elapsed();
    let mut differ = baseline.differ();
    for raw in &current {
        differ.push(raw);
    }
    let compared = started.elapsed();
    let diff = differ.finish();
    let total = started.elapsed();
    let peak = memory("VmHWM");
    let end_rss = memory("VmRSS");

    println!("\n{case}");
    println!(
        "  inputs    previous {previous_len} + current {current_len} texts, {}",
        mb(input_bytes as u64 / 1024)
    );
    println!(
        "  time      index previous {}, compare current {}, finish {}: total {}",
        ms(indexed),
        ms(compared - indexed),
        ms(total - compared),
        ms(total)
    );
    println!(
        "  rss       before generating {}, after generating {} (peak {}), end {}",
        mb(start_rss),
        mb(generated_rss),
        mb(generated_peak),
        mb(end_rss)
    );
    if reset {
        println!(
            "  peak rss  during the diff {} (+{} over the generated inputs)",
            mb(peak),
            mb(peak.saturating_sub(generated_rss))
        );
    } else {
        println!(
            "  peak rss  of the process {} (could not reset VmHWM)",
            mb(peak)
        );
    }
    let c = &diff.counts;
    println!(
        "  counts    added {} / {}, removed {} / {}, changed {} / {}, unchanged {} / {} (found / generated)",
        c.added,
        expected.added,
        c.removed,
        expected.removed,
        c.changed,
        expected.changed,
        c.unchanged,
        expected.unchanged
    );

    assert_eq!(
        diff.counts, expected,
        "the diff found other counts than were generated"
    );
    let listed = |kind| diff.changes.iter().filter(|c| c.kind() == kind).count() as u64;
    use scraper_common::ChangeKind::{Added, Changed, Removed};
    assert_eq!(
        (listed(Added), listed(Removed), listed(Changed)),
        (expected.added, expected.removed, expected.changed)
    );
    for change in &diff.changes {
        if let Change::Changed(change) = change {
            assert_eq!(
                (change.field.as_str(), change.delta),
                ("price", Some(1.0)),
                "{change:?}"
            );
        }
    }
}

/// The typical case as a server meets it: both runs' items in a SQLite
/// file, read, compared, and the changes stored with the run's end.
fn stored(n: u64) {
    use scraper_common::{FlowInput, FlowMode, RunStatus, Trigger};
    use scraper_server::store::Store;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::open(&url).await.expect("store");
        let mut input = FlowInput::new("bench", "https://shop.example/");
        input.mode = FlowMode::Monitor;
        input.output_schema = Some(
            serde_json::from_value(json!({"name": "string", "url": "url", "price": "number",
                "stock": "string", "rating": "number"}))
            .expect("schema"),
        );
        let flow = store.create_flow(&input, None).await.expect("flow");
        let Runs {
            previous,
            current,
            expected,
        } = typical(n);
        let mut runs = Vec::new();
        for items in [previous, current] {
            let run = store
                .create_run(&flow.id, Trigger::Api)
                .await
                .expect("run")
                .expect("its flow");
            store.claim_run("bench", 60_000).await.expect("claim");
            for (i, chunk) in items.chunks(1000).enumerate() {
                let maps: Vec<serde_json::Map<String, serde_json::Value>> = chunk
                    .iter()
                    .map(|t| serde_json::from_str(t).expect("an object"))
                    .collect();
                store
                    .insert_items(&run.id, (i * 1000) as u64 + 1, &maps)
                    .await
                    .expect("items");
            }
            runs.push(run.id);
        }
        store
            .finish_run(&runs[0], RunStatus::Completed, None, None)
            .await
            .expect("finish");
        let rss = memory("VmRSS");
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let started = Instant::now();
        let changes = scraper_server::monitor::detect::detect(&store, &flow, &runs[1])
            .await
            .expect("detect");
        let detected = started.elapsed();
        store
            .finish_run_with_changes(&runs[1], RunStatus::Completed, None, None, Some(&changes))
            .await
            .expect("finish with changes");
        let total = started.elapsed();
        let peak = memory("VmHWM");
        println!("\nstored: the typical case read from and written to a SQLite file");
        println!(
            "  time      read both runs and compare {}, store {} changes with the run's end {}: total {}",
            ms(detected),
            changes.entries.len(),
            ms(total - detected),
            ms(total)
        );
        if reset {
            println!(
                "  peak rss  {} (+{} over the process before)",
                mb(peak),
                mb(peak.saturating_sub(rss))
            );
        }
        let mut found = changes.counts.clone();
        found.notified = false;
        assert_eq!(found, expected, "the stored diff found other counts");
        let first = scraper_server::store::ChangeQuery {
            limit: 1,
            ..Default::default()
        };
        let (listed, total) = store
            .run_changes(&runs[1], &first)
            .await
            .expect("read back");
        assert_eq!(listed.len(), 1);
        assert_eq!(total, changes.entries.len() as u64, "every change is stored");
    });
}

/// A `/proc/self/status` figure, in KiB (0 where there is none).
fn memory(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

fn ms(time: Duration) -> String {
    format!("{:.0} ms", time.as_secs_f64() * 1000.0)
}
