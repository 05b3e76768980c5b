//! `/api/runs`: list, trigger, read with logs.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::query::Params;
use super::reply;
use crate::AppState;
use crate::store::RunQuery;
use scraper_common::{NewRun, Trigger};
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
    match state.store.create_run(&input.flow_id, Trigger::Api).await? {
        Some(run) => Ok(reply::created(run)),
        None => Err(ApiError::not_found(format!(
            "flowId: no flow with id `{}`",
            input.flow_id
        ))),
    }
}

pub async fn get(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    match state.store.run_detail(&id).await? {
        Some(detail) => Ok(reply::data(detail)),
        None => Err(ApiError::not_found(format!("no run with id `{id}`"))),
    }
}
