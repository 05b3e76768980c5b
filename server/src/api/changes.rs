//! What monitors found: `/api/runs/:id/changes` (one run's, in the order
//! found) and `/api/flows/:id/changes` (the flow's history, newest first).

use super::auth::Principal;
use super::error::ApiError;
use super::query::Params;
use super::{flows, reply, runs};
use crate::AppState;
use crate::store::ChangeQuery;
use scraper_common::{ChangeEntry, ChangeKind, ErrorBody, ListResponse};
use warp::reply::Response;

fn query(pairs: Vec<(String, String)>) -> Result<ChangeQuery, ApiError> {
    let params = Params::new(pairs, &["kind", "limit", "offset"])?;
    let (limit, offset) = params.page()?;
    Ok(ChangeQuery {
        kind: params.get("kind")?,
        limit,
        offset,
    })
}

/// The changes a monitor's run found against the previous completed run.
#[utoipa::path(get, path = "/api/runs/{id}/changes", operation_id = "getRunChanges", tag = "monitors",
    params(
        ("id" = String, Path, description = "The run's id"),
        ("kind" = Option<ChangeKind>, Query, description = "Only changes of this kind"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Page size (default 50)"),
        ("offset" = Option<u64>, Query, description = "Changes to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of the run's changes in the order found; `total` counts them all (none for a run that is not a monitor's)", body = ListResponse<ChangeEntry>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn of_run(
    id: String,
    state: AppState,
    _: Principal,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let query = query(pairs)?;
    if state.store.run(&id).await?.is_none() {
        return Err(runs::not_found(&id));
    }
    let (changes, total) = state.store.run_changes(&id, &query).await?;
    Ok(reply::list(changes, total))
}

/// A flow's change history: what each of its runs found, newest run first.
#[utoipa::path(get, path = "/api/flows/{id}/changes", operation_id = "getFlowChanges", tag = "monitors",
    params(
        ("id" = String, Path, description = "The flow's id"),
        ("kind" = Option<ChangeKind>, Query, description = "Only changes of this kind"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Page size (default 50)"),
        ("offset" = Option<u64>, Query, description = "Changes to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of the flow's changes, newest run first; `total` counts them all", body = ListResponse<ChangeEntry>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No flow has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn of_flow(
    id: String,
    state: AppState,
    _: Principal,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let query = query(pairs)?;
    if state.store.flow(&id).await?.is_none() {
        return Err(flows::not_found(&id));
    }
    let (changes, total) = state.store.flow_changes(&id, &query).await?;
    Ok(reply::list(changes, total))
}
