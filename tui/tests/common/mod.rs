//! Data for the tests that run the app without a server: answers shaped
//! as the API sends them (built from JSON), at a fixed "now", handed to
//! the app for the requests it makes.

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scraper_common::{ApiKey, Flow, ListResponse, LogEntry, Run, RunDetail, RunStatus};
use scraper_tui::app::action::{
    ApiResult, Command, Incoming, LogEvent, LogUpdate, Reply, Request, Stats,
};
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
            serde_json::from_value(run_json(
                i,
                &flows[i % flows.len()],
                status,
                i as i64 * 3 + 1,
            ))
            .unwrap()
        })
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
}

impl Default for Data {
    fn default() -> Self {
        Data {
            flows: flows(),
            runs: runs(40),
            keys: keys(),
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
                Reply::RunDetail(Box::new(RunDetail {
                    run,
                    logs: logs(12),
                    output_preview: items(),
                }))
            }
            Request::Items(id) => Reply::Items {
                run: self.runs.iter().find(|r| &r.id == id)?.clone(),
                schema: self.flows[0].output_schema.clone(),
                items: list(items()),
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
