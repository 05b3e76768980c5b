//! `/api/runs`: list, trigger, read with logs.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::query::Params;
use super::reply;
use crate::AppState;
use crate::store::RunQuery;
use scraper_common::{ErrorCode, NewRun, RunStatus, Trigger};
use serde_json::Value;
use warp::reply::Response;

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

pub async fn get(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    match state.store.run_detail(&id).await? {
        Some(detail) => Ok(reply::data(detail)),
        None => Err(not_found(&id)),
    }
}

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
