//! `GET /api/runs/:id/items?format=json|ndjson|csv&limit&offset`: a run's
//! data set, streamed. Whatever can refuse the request (a bad parameter, an
//! unknown run, the CSV columns failing to come) is decided before the first
//! byte. The body is then written page by page as the database gives the
//! items, so the server holds a page or two of a data set, never all of it.

use super::auth::Principal;
use super::error::ApiError;
use super::export_format::Format;
use super::openapi::{ExportFormat, ItemList};
use super::query::Params;
use super::runs::not_found;
use crate::AppState;
use crate::store::{Store, StoreError};
use futures_util::Stream;
use indexmap::IndexSet;
use scraper_common::ErrorBody;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use warp::Reply;
use warp::http::HeaderValue;
use warp::http::header::CONTENT_TYPE;
use warp::reply::Response;

/// Pages written ahead of what the client has taken: the next page is read
/// while the last one is sent, and a slow client holds the reads back.
const AHEAD: usize = 2;

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
    // Parsed as i64, what the database counts in.
    let limit = match params.text("limit")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter `limit` must be 1 or more, got `{v}`"
            ))
        })? as u64),
    };
    let offset = match params.text("offset")? {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter `offset` must be 0 or more, got `{v}`"
            ))
        })? as u64,
    };
    let run = state.store.run(&id).await?.ok_or_else(|| not_found(&id))?;
    let format = match format.as_str() {
        "ndjson" => Format::Ndjson,
        "csv" => {
            // The header must name every column before the first record:
            // the schema's fields, then whatever else the items hold.
            let schema = state.store.flow(&run.flow_id).await?;
            let mut columns: IndexSet<String> = schema
                .and_then(|f| f.output_schema)
                .map(|s| s.keys().cloned().collect())
                .unwrap_or_default();
            columns.extend(state.store.item_keys(&id, offset, limit).await?);
            Format::Csv(columns.into_iter().collect())
        }
        _ => Format::Json,
    };
    let content_type = HeaderValue::from_static(format.content_type());
    let chunks = spawn_writer(state.store.clone(), id, format, offset, limit);
    let mut response = warp::reply::stream(chunks).into_response();
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    Ok(response)
}

/// Why the body stopped short; the client sees the connection cut, as the
/// status line has long gone.
#[derive(Debug, thiserror::Error)]
#[error("the export stopped part way: the database failed")]
struct ExportBroken;

/// What ended the writing early.
enum Stop {
    ClientGone,
    Store(StoreError),
}

impl From<StoreError> for Stop {
    fn from(err: StoreError) -> Self {
        Stop::Store(err)
    }
}

type Chunk = Result<String, ExportBroken>;

/// Starts the task that writes the body and returns what it writes.
fn spawn_writer(
    store: Store,
    run_id: String,
    format: Format,
    skip: u64,
    take: Option<u64>,
) -> Chunks {
    let (tx, rx) = mpsc::channel(AHEAD);
    // The request's own scope has ended by the time the body is written.
    let request_id = crate::http_server::request_id().unwrap_or_default();
    tokio::spawn(async move {
        match write(&store, &run_id, &format, skip, take, &tx).await {
            Ok(()) | Err(Stop::ClientGone) => {}
            Err(Stop::Store(err)) => {
                tracing::error!(error = %err, %request_id, run_id, "export stopped: store error");
                let _ = tx.send(Err(ExportBroken)).await;
            }
        }
    });
    Chunks(rx)
}

async fn write(
    store: &Store,
    run_id: &str,
    format: &Format,
    skip: u64,
    take: Option<u64>,
    tx: &mpsc::Sender<Chunk>,
) -> Result<(), Stop> {
    let send = |text: String| async move {
        // An empty chunk would be nothing but a write; skip it.
        if text.is_empty() {
            return Ok(());
        }
        tx.send(Ok(text)).await.map_err(|_| Stop::ClientGone)
    };
    send(format.head()).await?;
    let mut pages = store.item_pages(run_id, skip, take);
    let mut first = true;
    while let Some(texts) = pages.next().await? {
        send(format.page(&texts, first)).await?;
        first = false;
    }
    if format.ends_with_total() {
        // Counted last: at the end of the body is where it goes, and a
        // count of a million items up front would hold the first byte back.
        send(format.tail(store.item_count(run_id).await?)).await?;
    }
    Ok(())
}

/// The body's chunks as the `Stream` (Send + Sync) that warp wants.
struct Chunks(mpsc::Receiver<Chunk>);

impl Stream for Chunks {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
