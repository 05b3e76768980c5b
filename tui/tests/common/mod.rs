//! Data for the tests that run the app without a server: answers shaped
//! as the API sends them (built from JSON), at a fixed "now", handed to
//! the app for the requests it makes.

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scraper_common::{
    ApiKey, ChangeEntry, Delivery, Flow, ListResponse, LogEntry, Run, RunDetail, RunStatus,
    Screenshot,
};
use scraper_tui::app::action::{
    ApiResult, Command, Incoming, LogEvent, LogUpdate, Reply, Request, Stats, Subject,
};
use scraper_tui::app::nav::Target;
use scraper_tui::{App, Settings};
use serde_json::{Map, Value, json};

pub fn now() -> DateTime<Utc> {
    "2026-03-18T12:00:00Z".parse().unwrap()
}

fn at(minutes_ago: i64) -> String {
    scraper_common::time::format(&(now() - Duration::minutes(minutes_ago)))
}

#[allow(clippy::too_many_arguments)] // one fixture row, column by column
pub fn flow_json(
    id: &str,
    name: &str,
    mode: &str,
    status: &str,
    rate: Option<f64>,
    runs: u64,
    last: Option<i64>,
    url: &str,
) -> Value {
    json!({
        "id": id, "name": name, "description": format!("{name}: the fixture"),
        "url": url, "mode": mode, "status": status,
        "steps": [
            {"type": "crawl", "label": "Follow links", "maxPages": 500, "include": ["/product/"]},
            {"type": "extract", "label": "Extract data", "pages": "/product/"}
        ],
        "outputSchema": {"name": "string", "price": "number", "url": "url"},
        // The API sends 0 while a flow has no finished run.
        "successRate": rate.unwrap_or(0.0), "totalRuns": runs,
        "lastRunAt": last.map(at),
        "createdAt": at(60 * 24 * 30), "updatedAt": at(60 * 24)
    })
}

pub fn flows() -> Vec<Flow> {
    let raw = vec![
        flow_json(
            "flow-1",
            "Product Price Monitor",
            "monitor",
            "active",
            Some(98.5),
            248,
            Some(5),
            "https://example-store.com/products",
        ),
        flow_json(
            "flow-2",
            "Job Board Scraper",
            "extract",
            "active",
            Some(100.0),
            12,
            Some(120),
            "https://jobs.example.com/listings?page=1",
        ),
        flow_json(
            "flow-3",
            "News Headlines",
            "extract",
            "paused",
            Some(87.5),
            40,
            Some(60 * 72),
            "https://news.example.org/",
        ),
        flow_json(
            "flow-4",
            "Login Flow Test",
            "interact",
            "error",
            Some(0.0),
            3,
            Some(60 * 24),
            "https://app.example.net/login",
        ),
        flow_json(
            "flow-5",
            "Real Estate Listings",
            "extract",
            "draft",
            None,
            0,
            None,
            "https://homes.example.com/search",
        ),
        flow_json(
            "flow-6",
            "Competitor Watch",
            "monitor",
            "active",
            Some(95.2),
            61,
            Some(1),
            "https://rival.example.com/catalog",
        ),
    ];
    let mut raw = raw;
    // The price monitor runs every 15 minutes; the next in 10.
    raw[0]["schedule"] = json!("every 15m");
    raw[0]["nextRunAt"] = json!(at(-10));
    // Both monitors post to a webhook; the competitor's receiver said 410.
    raw[0]["monitor"] = json!({
        "key": "url",
        "ignore": ["Updated \\d+ min ago"],
        "notifyOn": [{"field": "price", "dropPercent": 10}, "added"],
        "keepRuns": 50
    });
    raw[0]["webhookUrl"] = json!("https://hooks.example.com/scraper");
    raw[0]["webhookSecret"] = json!("whsec_****k3Yw");
    raw[5]["monitor"] = json!({
        "selector": "#catalog",
        "notifyOn": {"textContains": "Widget"}
    });
    // The login test drives a browser.
    raw[3]["steps"] = json!([
        {"type": "type", "label": "Email", "selector": "#email", "text": "demo@example.net"},
        {"type": "press", "label": "Submit", "key": "Enter"},
        {"type": "wait", "label": "Dashboard", "selector": ".dashboard", "timeoutMs": 5000},
        {"type": "screenshot", "label": "Dashboard", "fullPage": true},
        {"type": "click", "label": "Load more", "selector": ".more", "timeoutMs": 500},
        {"type": "extract", "label": "Orders", "fields": {"order": ".order .id", "total": ".order .total"}}
    ]);
    raw[3]["outputSchema"] = json!({"order": "string", "total": "number"});
    raw[5]["webhookUrl"] = json!("https://hooks.example.net/rival");
    raw[5]["webhookSecret"] = json!("whsec_****Q9zT");
    raw[5]["webhookDisabled"] = json!("the receiver answered 410 Gone");
    raw.into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect()
}

pub fn run_json(n: usize, flow: &Flow, status: &str, minutes_ago: i64) -> Value {
    let finished = matches!(status, "completed" | "failed" | "cancelled");
    let started = (status != "queued").then(|| at(minutes_ago));
    let pages = match status {
        "queued" => 0,
        "running" => 120,
        _ => 40 + (n as u64 * 7) % 300,
    };
    json!({
        "id": format!("run-{}", 1795898551000u64 + n as u64),
        "flowId": flow.id, "flowName": flow.name, "status": status, "trigger": "api",
        "createdAt": at(minutes_ago), "startedAt": started.unwrap_or(at(minutes_ago)),
        "finishedAt": finished.then(|| at(minutes_ago - 1)),
        "duration": finished.then_some(1000 + (n as u64 * 3733) % 90_000),
        "pagesFetched": pages, "pagesFailed": if status == "failed" { 3 } else { 0 },
        "itemsExtracted": pages * 3, "bytesDownloaded": pages * 20_000,
        "cost": pages as f64 * 0.0001,
        "failureReason": (status == "failed").then_some("timeout"),
        "error": (status == "failed").then_some("no complete answer from example-store.com within 30 s")
    })
}

/// `n` runs, newest first: one running, one queued, then finished ones.
/// The completed runs of the two monitors carry change counts.
pub fn runs(n: usize) -> Vec<Run> {
    let flows = flows();
    (0..n)
        .map(|i| {
            let status = match i {
                0 => "running",
                1 => "queued",
                _ if i % 7 == 3 => "failed",
                _ if i % 11 == 5 => "cancelled",
                _ => "completed",
            };
            let flow = &flows[i % flows.len()];
            let mut run = run_json(i, flow, status, i as i64 * 3 + 1);
            if i == INTERACT_RUN {
                run["failureReason"] = json!("step_failed");
                run["error"] = json!(STEP_ERROR);
            }
            if flow.mode == scraper_common::FlowMode::Monitor && status == "completed" {
                run["changes"] = json!({"counts": change_counts(i)});
            }
            serde_json::from_value(run).unwrap()
        })
        .collect()
}

/// The failed run of the login test (flow-4, an interact flow): a step
/// did not find its element.
pub const INTERACT_RUN: usize = 3;
pub const STEP_ERROR: &str =
    "steps[4] (click \"Load more\"): selector `.more` not found after 500 ms";

/// `INTERACT_RUN`'s log: each step with its time, the failed one, the
/// screenshots.
pub fn interact_logs() -> Vec<LogEntry> {
    let lines = [
        ("info", "Run queued (trigger: api)".to_string()),
        (
            "info",
            "Run started: 6 step(s) in headless Chromium, from https://app.example.net/login"
                .into(),
        ),
        (
            "info",
            "Start: navigate to the flow's URL: loaded https://app.example.net/login (137 ms)"
                .into(),
        ),
        (
            "info",
            "steps[0] (type \"Email\"): typed 16 character(s) into `#email` (42 ms)".into(),
        ),
        (
            "info",
            "steps[1] (press \"Submit\"): pressed Enter (18 ms)".into(),
        ),
        (
            "info",
            "steps[2] (wait \"Dashboard\"): `.dashboard` is there (1204 ms)".into(),
        ),
        (
            "info",
            "Screenshot 1: steps[3] (screenshot \"Dashboard\") (88 KB)".into(),
        ),
        (
            "info",
            "steps[3] (screenshot \"Dashboard\"): took screenshot 1 (96 ms)".into(),
        ),
        ("warn", format!("Step failed: {STEP_ERROR}")),
        (
            "info",
            "Screenshot 2: steps[4] (click \"Load more\") failed (91 KB)".into(),
        ),
        ("error", format!("Run failed: {STEP_ERROR}")),
    ];
    let started = now() - Duration::minutes(10);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (level, message))| {
            serde_json::from_value(json!({
                "seq": i + 1,
                "timestamp": scraper_common::time::format(&(started + Duration::milliseconds(i as i64 * 400))),
                "level": level, "message": message
            }))
            .unwrap()
        })
        .collect()
}

/// The screenshots of `INTERACT_RUN`: the one its screenshot step took and
/// the one of the page when its click failed.
pub fn screenshots() -> Vec<Screenshot> {
    let taken = |s: i64| {
        scraper_common::time::format(&(now() - Duration::minutes(10) + Duration::seconds(s)))
    };
    serde_json::from_value(json!([
        {"n": 1, "step": 3, "label": "steps[3] (screenshot \"Dashboard\")", "takenAt": taken(2), "bytes": 90_112},
        {"n": 2, "step": 4, "label": "steps[4] (click \"Load more\") failed", "takenAt": taken(4), "bytes": 93_184}
    ]))
    .unwrap()
}

/// A screenshot's "PNG": the signature, then its number.
pub fn png(n: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(format!("screenshot {n}").bytes());
    bytes
}

/// What each completed monitor run found (see `changes()` for the entries).
fn change_counts(i: usize) -> Value {
    let counts = |added, removed, changed, unchanged, notified| {
        json!({
            "baseline": false, "added": added, "removed": removed, "changed": changed,
            "unchanged": unchanged, "textChanged": 0, "linesAdded": 0, "linesRemoved": 0,
            "notified": notified
        })
    };
    match i {
        6 => counts(2, 1, 3, 45, true),
        12 => counts(0, 0, 1, 49, false),
        11 => json!({
            "baseline": false, "added": 0, "removed": 0, "changed": 0, "unchanged": 0,
            "textChanged": 1, "linesAdded": 2, "linesRemoved": 1, "notified": true
        }),
        35 | 36 => json!({
            "baseline": true, "added": 0, "removed": 0, "changed": 0, "unchanged": 0,
            "textChanged": 0, "linesAdded": 0, "linesRemoved": 0, "notified": false
        }),
        _ => counts(0, 0, 0, 50, false),
    }
}

/// The run id of fixture run `i`.
pub fn run_id(i: usize) -> String {
    format!("run-{}", 1795898551000u64 + i as u64)
}

/// The entries behind `change_counts`: the price monitor's run 6 (records
/// added, removed and changed) and 12, and the competitor watch's run 11 (a
/// text diff), as the API lists them.
pub fn changes() -> Vec<ChangeEntry> {
    let shop = |n: u32| format!("https://example-store.com/product/{n}");
    let detected = |i: usize| at(i as i64 * 3);
    let record = |run: usize, kind: &str, n: u32, name: &str, price: f64| {
        json!({
            "runId": run_id(run), "detectedAt": detected(run), "kind": kind, "key": shop(n),
            "item": {"name": name, "price": price, "url": shop(n)}
        })
    };
    let field = |run: usize, n: u32, field: &str, old: Value, new: Value, delta: Value| {
        let mut v = json!({
            "runId": run_id(run), "detectedAt": detected(run), "kind": "changed", "key": shop(n),
            "field": field, "old": old, "new": new
        });
        if let Some((d, p)) = delta.as_array().map(|a| (a[0].clone(), a[1].clone())) {
            v["delta"] = d;
            v["deltaPercent"] = p;
        }
        v
    };
    let raw = vec![
        field(
            6,
            1,
            "price",
            json!(79.99),
            json!(69.99),
            json!([-10.0, -12.5]),
        ),
        field(
            6,
            2,
            "name",
            json!("USB-C Hub 7-in-1"),
            json!("USB-C Hub 8-in-1"),
            Value::Null,
        ),
        field(
            6,
            5,
            "price",
            json!(289.0),
            json!(299.0),
            json!([10.0, 3.46]),
        ),
        record(6, "added", 6, "Noise Cancelling Earbuds", 59.99),
        record(6, "added", 7, "Webcam 1080p", 39.0),
        record(6, "removed", 3, "Mechanical Keyboard", 129.99),
        json!({
            "runId": run_id(11), "detectedAt": detected(11), "kind": "text",
            "key": "https://rival.example.com/catalog",
            "linesAdded": ["Widget Pro — $44", "Widget Max — $99"],
            "linesRemoved": ["Widget Pro — $49"],
            "diff": "--- previous\n+++ current\n@@ -1,4 +1,5 @@\n Catalog\n-Widget Pro — $49\n+Widget Pro — $44\n+Widget Max — $99\n Gadget — $19\n Free shipping over $50\n"
        }),
        field(12, 4, "price", json!(45.5), json!(49.0), json!([3.5, 7.69])),
    ];
    raw.into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect()
}

/// Webhook messages of the price monitor (newest first: one pending after
/// two failed attempts, delivered ones, one given up) and one of the
/// competitor watch, stopped by a 410.
pub fn deliveries() -> Vec<Delivery> {
    let attempt =
        |n: u32, ago: i64, code: Option<u16>, ms: u64, error: Option<&str>, body: Option<&str>| {
            json!({
                "attempt": n, "at": at(ago), "statusCode": code, "latencyMs": ms,
                "error": error, "response": body
            })
        };
    let delivery = |id: &str,
                    flow: &str,
                    run: usize,
                    event: &str,
                    status: &str,
                    ago: i64,
                    next: Option<i64>,
                    attempts: Vec<Value>| {
        json!({
            "id": id, "flowId": flow, "runId": run_id(run), "event": event, "status": status,
            "createdAt": at(ago), "nextAttemptAt": next.map(at), "attempts": attempts
        })
    };
    let raw = vec![
        delivery(
            "msg_2x8Kq0fJ3nR5tV7wY9aB",
            "flow-1",
            6,
            "changes.detected",
            "pending",
            18,
            Some(-4),
            vec![
                attempt(
                    1,
                    18,
                    Some(503),
                    1200,
                    Some("the receiver answered 503 Service Unavailable"),
                    Some("<html>\n<body>Service Unavailable</body>\n</html>"),
                ),
                attempt(2, 17, None, 5000, Some("no answer within 5 s"), None),
            ],
        ),
        delivery(
            "msg_7hT1cV3bN5mQ8wE2rY4uI",
            "flow-1",
            6,
            "run.completed",
            "delivered",
            18,
            None,
            vec![attempt(1, 18, Some(200), 85, None, Some("{\"ok\":true}"))],
        ),
        delivery(
            "msg_9pL4kJ6hG8fD0sA2zX5cV",
            "flow-1",
            24,
            "run.failed",
            "failed",
            72,
            None,
            vec![
                attempt(
                    1,
                    72,
                    Some(500),
                    310,
                    Some("the receiver answered 500 Internal Server Error"),
                    Some("oops"),
                ),
                attempt(
                    2,
                    71,
                    Some(500),
                    280,
                    Some("the receiver answered 500 Internal Server Error"),
                    Some("oops"),
                ),
                attempt(3, 66, None, 3, Some("connection refused"), None),
            ],
        ),
        delivery(
            "msg_3mN5bV7cX9zL1kJ3hG5fD",
            "flow-1",
            12,
            "run.completed",
            "delivered",
            36,
            None,
            vec![attempt(1, 36, Some(204), 92, None, None)],
        ),
        delivery(
            "msg_5qW7eR9tY1uI3oP5aS7dF",
            "flow-6",
            11,
            "changes.detected",
            "failed",
            33,
            None,
            vec![attempt(
                1,
                33,
                Some(410),
                40,
                Some("the receiver answered 410 Gone: deliveries to this webhook are stopped"),
                Some("gone"),
            )],
        ),
    ];
    raw.into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect()
}

pub fn logs(n: u64) -> Vec<LogEntry> {
    (1..=n)
        .map(|seq| {
            let (level, message) = match seq {
                1 => ("info", "Run queued (trigger: api)".to_string()),
                2 => ("info", "Run started: crawl https://example-store.com/products (maxPages 500, concurrency 8, respectRobots true); 1 extract step".to_string()),
                s if s % 9 == 0 => ("warn", format!("Page failed: https://example-store.com/product/{s} answered 503")),
                s if s == n => ("error", "Run failed: timeout".to_string()),
                s => ("info", format!("Progress: {} pages fetched, {} items", s * 10, s * 30)),
            };
            serde_json::from_value(json!({
                "seq": seq,
                "timestamp": scraper_common::time::format(&(now() - Duration::seconds((n - seq) as i64 * 2))),
                "level": level, "message": message
            }))
            .unwrap()
        })
        .collect()
}

const PRICES: [f64; 5] = [79.99, 34.99, 129.99, 45.5, 289.0];

pub fn items() -> Vec<Map<String, Value>> {
    let names = [
        "Wireless Headphones Pro",
        "USB-C Hub 7-in-1",
        "Mechanical Keyboard",
        "Laptop Stand, aluminium",
        "4K Monitor 27\"",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({"name": name, "price": PRICES[i], "url": format!("https://example-store.com/product/{}", i + 1)})
                .as_object()
                .unwrap()
                .clone()
        })
        .collect()
}

pub fn keys() -> Vec<ApiKey> {
    serde_json::from_value(json!([
        {"id": "key-1", "name": "Production API Key", "key": "scr_live_****a1b2", "createdAt": at(60 * 24 * 60),
         "scopes": ["flows:read", "flows:write", "runs:read", "runs:write", "keys:read", "keys:write"]},
        {"id": "key-2", "name": "CI reader", "key": "scr_live_****c3d4", "createdAt": at(60 * 24 * 3),
         "scopes": ["flows:read", "runs:read"]},
        {"id": "key-3", "name": "Grafana", "key": "scr_live_****e5f6", "createdAt": at(90), "scopes": ["runs:read"]}
    ]))
    .unwrap()
}

/// The data a fixture server holds.
pub struct Data {
    pub flows: Vec<Flow>,
    pub runs: Vec<Run>,
    pub keys: Vec<ApiKey>,
    pub changes: Vec<ChangeEntry>,
    pub deliveries: Vec<Delivery>,
    /// The screenshots of `INTERACT_RUN`, the only run with any.
    pub screenshots: Vec<Screenshot>,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            flows: flows(),
            runs: runs(40),
            keys: keys(),
            changes: changes(),
            deliveries: deliveries(),
            screenshots: screenshots(),
        }
    }
}

fn list<T>(data: Vec<T>) -> ListResponse<T> {
    ListResponse {
        total: data.len() as u64,
        data,
    }
}

impl Data {
    /// The answer the API would give; `None` for changes (tests look at
    /// the request itself).
    pub fn answer(&self, request: &Request) -> Option<Reply> {
        Some(match request {
            Request::Flows(f) => Reply::Flows(list(
                self.flows
                    .iter()
                    .filter(|x| {
                        f.status.is_none_or(|s| x.status == s) && f.mode.is_none_or(|m| x.mode == m)
                    })
                    .cloned()
                    .collect(),
            )),
            Request::Runs(f) => {
                let all: Vec<Run> = self
                    .runs
                    .iter()
                    .filter(|r| {
                        f.flow_id.as_ref().is_none_or(|id| &r.flow_id == id)
                            && f.status.is_none_or(|s| r.status == s)
                    })
                    .cloned()
                    .collect();
                let total = all.len() as u64;
                Reply::Runs(ListResponse {
                    data: all
                        .into_iter()
                        .take(f.limit.unwrap_or(50) as usize)
                        .collect(),
                    total,
                })
            }
            Request::Keys => Reply::Keys(list(self.keys.clone())),
            Request::Stats { .. } => Reply::Stats(Stats {
                active: 3,
                paused: 1,
                draft: 1,
                error: 1,
                running: 1,
                queued: 1,
                key_name: Some("Production API Key".into()),
            }),
            Request::DescribeFlow(id) => Reply::FlowDetail {
                flow: self.flows.iter().find(|f| &f.id == id)?.clone(),
                runs: self
                    .runs
                    .iter()
                    .filter(|r| &r.flow_id == id)
                    .take(30)
                    .cloned()
                    .collect(),
            },
            Request::DescribeRun(id) => {
                let run = self.runs.iter().find(|r| &r.id == id)?.clone();
                let browser = *id == run_id(INTERACT_RUN);
                Reply::RunDetail {
                    detail: Box::new(RunDetail {
                        run,
                        logs: if browser { interact_logs() } else { logs(12) },
                        output_preview: items(),
                    }),
                    screenshots: Ok(if browser {
                        self.screenshots.clone()
                    } else {
                        Vec::new()
                    }),
                }
            }
            Request::ScreenshotPng { run_id: id, n } => {
                let shot = self.screenshots.iter().find(|s| s.n == *n)?;
                (*id == run_id(INTERACT_RUN)).then_some(())?;
                Reply::ScreenshotPng {
                    run_id: id.clone(),
                    n: shot.n,
                    png: png(shot.n),
                }
            }
            Request::Items(id) => Reply::Items {
                run: self.runs.iter().find(|r| &r.id == id)?.clone(),
                schema: self.flows[0].output_schema.clone(),
                items: list(items()),
            },
            Request::Changes { target, kind } => {
                let of_kind = |e: &&ChangeEntry| kind.is_none_or(|k| e.kind == k);
                let (subject, entries): (Subject, Vec<ChangeEntry>) = match target {
                    Target::Flow(id) => {
                        let flow = self.flows.iter().find(|f| &f.id == id)?.clone();
                        let runs: Vec<&str> = self
                            .runs
                            .iter()
                            .filter(|r| &r.flow_id == id)
                            .map(|r| r.id.as_str())
                            .collect();
                        let entries = self
                            .changes
                            .iter()
                            .filter(|e| runs.contains(&e.run_id.as_str()))
                            .filter(of_kind)
                            .cloned()
                            .collect();
                        (Subject::Flow(Box::new(flow)), entries)
                    }
                    Target::Run(id) => {
                        let run = self.runs.iter().find(|r| &r.id == id)?.clone();
                        let entries = self
                            .changes
                            .iter()
                            .filter(|e| &e.run_id == id)
                            .filter(of_kind)
                            .cloned()
                            .collect();
                        (Subject::Run(Box::new(run)), entries)
                    }
                };
                Reply::Changes {
                    target: target.clone(),
                    kind: *kind,
                    subject,
                    changes: list(entries),
                }
            }
            Request::Deliveries(id) => Reply::Deliveries {
                flow: Box::new(self.flows.iter().find(|f| &f.id == id)?.clone()),
                deliveries: list(
                    self.deliveries
                        .iter()
                        .filter(|d| &d.flow_id == id)
                        .cloned()
                        .collect(),
                ),
            },
            _ => return None,
        })
    }
}

/// An app at the fixed "now", 120 columns of colour.
pub fn app() -> App {
    let mut app = App::new(Settings {
        server: "http://127.0.0.1:8080".into(),
        ..Settings::new(
            "http://127.0.0.1:8080",
            "scr_live_0000000000000000000000000000000000a1b2",
        )
    });
    app.now = now();
    app
}

/// Answers every read among `commands` from `data`; returns the others.
pub fn serve(app: &mut App, data: &Data, commands: Vec<Command>) -> Vec<Command> {
    let mut rest = Vec::new();
    let mut queue = commands;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for command in queue {
            match &command {
                Command::Api(tag, request) => match data.answer(request) {
                    Some(reply) => next.extend(app.apply(Incoming::Api(Box::new(ApiResult {
                        tag: *tag,
                        request: request.clone(),
                        result: Ok(reply),
                    })))),
                    None => rest.push(command),
                },
                _ => rest.push(command),
            }
        }
        queue = next;
    }
    rest
}

/// An app showing the fixture flows.
pub fn loaded() -> (App, Data) {
    let data = Data::default();
    let mut app = app();
    let first = app.start();
    serve(&mut app, &data, first);
    (app, data)
}

pub fn press(app: &mut App, data: &Data, code: KeyCode) -> Vec<Command> {
    let commands = app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    serve(app, data, commands)
}

pub fn ctrl(app: &mut App, data: &Data, c: char) -> Vec<Command> {
    let commands = app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    serve(app, data, commands)
}

pub fn chars(app: &mut App, data: &Data, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| press(app, data, KeyCode::Char(c)))
        .collect()
}

/// Feeds log lines to the log follower the app started.
pub fn feed_logs(
    app: &mut App,
    commands: &[Command],
    lines: Vec<LogEntry>,
    end: Option<RunStatus>,
) {
    let (tag, run_id) = commands
        .iter()
        .find_map(|c| match c {
            Command::FollowLogs { tag, run_id, .. } => Some((*tag, run_id.clone())),
            _ => None,
        })
        .expect("the logs view follows the run");
    let send = |app: &mut App, event| {
        app.apply(Incoming::Log(LogUpdate {
            tag,
            run_id: run_id.clone(),
            event,
        }));
    };
    send(app, LogEvent::Live);
    send(app, LogEvent::Lines(lines));
    if let Some(status) = end {
        send(
            app,
            LogEvent::End {
                status,
                failure_reason: Some(scraper_common::FailureReason::Timeout),
            },
        );
    }
}
