//! A run's logs (JSON, and live over SSE) and its items (JSON, NDJSON, CSV).

use super::auth::Principal;
use super::error::ApiError;
use super::openapi::{ExportFormat, ItemList};
use super::query::Params;
use super::reply;
use super::runs::not_found;
use crate::AppState;
use futures_util::Stream;
use scraper_common::{ErrorBody, ListResponse, LogEnd, LogEntry, Run, StreamEnd};
use serde_json::{Map, Value};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use warp::Reply;
use warp::reply::Response;
use warp::sse::Event;

/// How often a log stream looks for new lines.
const POLL: Duration = Duration::from_millis(250);
/// Items read from the database at a time while exporting.
const EXPORT_PAGE: i64 = 1000;

async fn find(state: &AppState, id: &str) -> Result<Run, ApiError> {
    state.store.run(id).await?.ok_or_else(|| not_found(id))
}

/// A run's log lines.
#[utoipa::path(get, path = "/api/runs/{id}/logs", operation_id = "getRunLogs", tag = "runs",
    params(
        ("id" = String, Path, description = "The run's id"),
        ("after" = Option<u64>, Query, description = "Only lines after this sequence number (default 0)"),
    ),
    responses(
        (status = 200, description = "The lines, oldest first", body = ListResponse<LogEntry>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
/// `GET /api/runs/:id/logs?after=SEQ`: the lines after `after` (default 0).
pub async fn logs(
    id: String,
    state: AppState,
    _: Principal,
    query: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(query, &["after"])?;
    let after = after_param(&params)?;
    find(&state, &id).await?;
    let logs = state.store.logs_after(&id, after).await?;
    let total = logs.len() as u64;
    Ok(reply::list(logs, total))
}

fn after_param(params: &Params) -> Result<i64, ApiError> {
    match params.text("after")? {
        None => Ok(0),
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter `after` must be a log sequence number (0 or more), got `{v}`"
            ))
        }),
    }
}

/// A run's log lines as they are written (Server-Sent Events): `log` events
/// (`id` is the line's `seq`, JSON data a log line), then one `end` event.
#[utoipa::path(get, path = "/api/runs/{id}/logs/stream", operation_id = "streamRunLogs", tag = "runs",
    params(
        ("id" = String, Path, description = "The run's id"),
        ("after" = Option<u64>, Query, description = "Only lines after this sequence number (default 0)"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this line (set by EventSource on reconnect)"),
    ),
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
/// `GET /api/runs/:id/logs/stream`: Server-Sent Events, one `log` event per
/// line (its `id` is the line's `seq`, so `Last-Event-ID` resumes), then an
/// `end` event with the run's final status. It also ends when the server
/// shuts down, so no client waits forever.
pub async fn stream(
    id: String,
    state: AppState,
    _: Principal,
    last_event_id: Option<String>,
    query: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(query, &["after"])?;
    let mut after = after_param(&params)?;
    if let Some(last) = last_event_id {
        after = last.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!(
                "Last-Event-ID must be a log sequence number, got `{last}`"
            ))
        })?;
    }
    find(&state, &id).await?;
    let events = log_events(state, id, after);
    Ok(warp::sse::reply(warp::sse::keep_alive().stream(events)).into_response())
}

/// The events of a log stream, fed by a task that polls the store (so lines
/// written by another process arrive too). The task ends when the client goes.
fn log_events(state: AppState, id: String, mut after: i64) -> Events {
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        loop {
            // Read the status before the lines: a run that finished has
            // written its last line by then, so nothing is missed.
            let Ok(Some(run)) = state.store.run(&id).await else {
                return;
            };
            let Ok(lines) = state.store.logs_after(&id, after).await else {
                return;
            };
            for line in lines {
                after = line.seq as i64;
                if tx.send(log_event(&line)).await.is_err() {
                    return;
                }
            }
            if run.status.is_finished() {
                let _ = tx.send(end_event(&run, StreamEnd::Finished)).await;
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = tx.closed() => return,
                _ = state.shutdown.cancelled() => {
                    let _ = tx.send(end_event(&run, StreamEnd::ShuttingDown)).await;
                    return;
                }
            }
        }
    });
    Events(rx)
}

/// A channel of events as the `Stream` (Send + Sync) that warp's SSE wants.
struct Events(tokio::sync::mpsc::Receiver<Event>);

impl Stream for Events {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|event| event.map(Ok))
    }
}

fn end_event(run: &Run, reason: StreamEnd) -> Event {
    let end = LogEnd {
        status: run.status,
        failure_reason: run.failure_reason,
        reason,
    };
    Event::default()
        .event("end")
        .data(serde_json::to_string(&end).expect("stream ends serialize"))
}

fn log_event(line: &LogEntry) -> Event {
    Event::default()
        .id(line.seq.to_string())
        .event("log")
        .data(serde_json::to_string(line).expect("log lines serialize"))
}

/// A run's items, streamed: JSON (`{"data": [...], "total": N}`), NDJSON
/// (one item a line) or CSV (a column per schema field, then any other key).
#[utoipa::path(get, path = "/api/runs/{id}/items", operation_id = "getRunItems", tag = "runs",
    params(
        ("id" = String, Path, description = "The run's id"),
        ("format" = Option<ExportFormat>, Query, description = "json (default), ndjson or csv"),
        ("limit" = Option<u64>, Query, minimum = 1, description = "At most this many items (default: all)"),
        ("offset" = Option<u64>, Query, description = "Items to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "The items", content(
            (ItemList = "application/json"),
            (String = "application/x-ndjson"),
            (String = "text/csv"),
        )),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
/// `GET /api/runs/:id/items?format=json|ndjson|csv&limit&offset`: the run's
/// data set. Without `limit`, all of it.
pub async fn items(
    id: String,
    state: AppState,
    _: Principal,
    query: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(query, &["format", "limit", "offset"])?;
    let format = params.text("format")?.unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "ndjson" | "csv") {
        return Err(ApiError::bad_request(format!(
            "query parameter `format` must be json, ndjson or csv, got `{format}`"
        )));
    }
    let limit = match params.text("limit")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter `limit` must be 1 or more, got `{v}`"
            ))
        })?),
    };
    let offset = match params.text("offset")? {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter `offset` must be 0 or more, got `{v}`"
            ))
        })?,
    };
    let run = find(&state, &id).await?;
    let total = state.store.item_count(&id).await?;

    // Read in pages so that the database is never asked for everything at once.
    let mut texts = Vec::new();
    let mut at = offset;
    loop {
        let want = match limit {
            Some(limit) => (limit - texts.len() as i64).min(EXPORT_PAGE),
            None => EXPORT_PAGE,
        };
        if want <= 0 {
            break;
        }
        let page = state.store.item_texts(&id, want, at).await?;
        let got = page.len() as i64;
        texts.extend(page);
        at += got;
        if got < want {
            break;
        }
    }

    match format.as_str() {
        "ndjson" => {
            let mut body = String::new();
            for text in &texts {
                body.push_str(text);
                body.push('\n');
            }
            Ok(with_type(body, "application/x-ndjson"))
        }
        "csv" => {
            let flow = state.store.flow(&run.flow_id).await?;
            let items: Vec<Map<String, Value>> = texts
                .iter()
                .filter_map(|t| serde_json::from_str(t).ok())
                .collect();
            let mut columns: Vec<String> = flow
                .and_then(|f| f.output_schema)
                .map(|s| s.keys().cloned().collect())
                .unwrap_or_default();
            for item in &items {
                for key in item.keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            Ok(with_type(csv(&columns, &items), "text/csv; charset=utf-8"))
        }
        _ => {
            // The stored texts are already JSON: join them without re-encoding.
            let body = format!("{{\"data\":[{}],\"total\":{total}}}", texts.join(","));
            Ok(with_type(body, "application/json"))
        }
    }
}

fn with_type(body: String, content_type: &'static str) -> Response {
    warp::reply::with_header(body, "content-type", content_type).into_response()
}

/// RFC 4180: a header row, fields quoted when they hold a comma, quote or
/// line break; nested values as JSON text; null as empty.
fn csv(columns: &[String], items: &[Map<String, Value>]) -> String {
    fn field(out: &mut String, text: &str) {
        if text.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(text);
        }
    }
    let mut out = String::new();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, column);
    }
    out.push_str("\r\n");
    for item in items {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match item.get(column) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => field(&mut out, s),
                Some(other) => field(&mut out, &other.to_string()),
            }
        }
        out.push_str("\r\n");
    }
    out
}
