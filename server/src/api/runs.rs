//! `/api/runs`: list, trigger, read with logs.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::query::Params;
use super::reply;
use crate::AppState;
use crate::store::RunQuery;
use scraper_common::{
    DataResponse, ErrorBody, ErrorCode, ListResponse, NewRun, Run, RunDetail, RunStatus, Trigger,
};
use serde_json::Value;
use warp::reply::Response;

/// List runs, newest first.
#[utoipa::path(get, path = "/api/runs", operation_id = "listRuns", tag = "runs",
    params(
        ("flowId" = Option<String>, Query, description = "Only runs of this flow"),
        ("status" = Option<RunStatus>, Query, description = "Only runs with this status"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Page size (default 50)"),
        ("offset" = Option<u64>, Query, description = "Matches to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of runs; `total` counts every match", body = ListResponse<Run>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn list(
    state: AppState,
    _: Principal,
    query: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(query, &["flowId", "status", "limit", "offset"])?;
    let (limit, offset) = params.page()?;
    let query = RunQuery {
        flow_id: params.text("flowId")?,
        status: params.get("status")?,
        limit,
        offset,
    };
    let (runs, total) = state.store.runs(&query).await?;
    Ok(reply::list(runs, total))
}

/// Run a flow now: the run is queued and a worker executes it.
#[utoipa::path(post, path = "/api/runs", operation_id = "createRun", tag = "runs", request_body = NewRun,
    responses(
        (status = 201, description = "The run, queued", body = DataResponse<Run>),
        (status = 400, description = "The body is not a JSON object (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "A field is wrong; the message names it", body = ErrorBody),
        (status = 404, description = "No flow has this `flowId`", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:write"))),
)]
/// Queues a run; executing it is the worker pool's job, not this request's.
pub async fn create(state: AppState, _: Principal, body: Value) -> Result<Response, ApiError> {
    let input: NewRun = parse(body)?;
    let max = state.engine.config().max_queued;
    let waiting = state.store.queued_count().await?;
    if waiting >= max {
        return Err(ApiError::new(
            ErrorCode::QueueFull,
            format!(
                "{waiting} runs are already waiting (the limit is {max}, --max-queued); try again later"
            ),
        ));
    }
    match state.store.create_run(&input.flow_id, Trigger::Api).await? {
        Some(run) => {
            state.engine.wake();
            Ok(reply::created(run))
        }
        None => Err(ApiError::not_found(format!(
            "flowId: no flow with id `{}`",
            input.flow_id
        ))),
    }
}

/// Get one run with its logs and its first 10 items.
#[utoipa::path(get, path = "/api/runs/{id}", operation_id = "getRun", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run", body = DataResponse<RunDetail>),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn get(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    match state.store.run_detail(&id).await? {
        Some(detail) => Ok(reply::data(detail)),
        None => Err(not_found(&id)),
    }
}

/// Cancel a queued or running run; items already stored are kept.
#[utoipa::path(post, path = "/api/runs/{id}/cancel", operation_id = "cancelRun", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run, now cancelled", body = DataResponse<Run>),
        (status = 404, description = "No run has this id", body = ErrorBody),
        (status = 409, description = "The run had already finished", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:write"))),
)]
/// A queued or running run becomes `cancelled` now; its worker stops at once
/// (in this process) or at its next heartbeat (in another). Items already
/// stored are kept. A finished run cannot be cancelled: 409.
pub async fn cancel(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    let cancelled = state
        .store
        .finish_run(
            &id,
            RunStatus::Cancelled,
            None,
            Some("cancelled by an API request"),
        )
        .await?;
    let Some(run) = state.store.run(&id).await? else {
        return Err(not_found(&id));
    };
    if !cancelled {
        return Err(ApiError::conflict(format!(
            "run {id} is already {} and cannot be cancelled",
            run.status
        )));
    }
    state.metrics.run_finished(RunStatus::Cancelled, None);
    state.engine.cancel_local(&id);
    Ok(reply::data(run))
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no run with id `{id}`"))
}
