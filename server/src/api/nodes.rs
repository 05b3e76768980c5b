//! `/api/nodes`: the server processes sharing this database, live ones only.

use super::auth::Principal;
use super::error::ApiError;
use super::reply;
use crate::AppState;
use scraper_common::{ListResponse, Node};
use warp::reply::Response;

/// The live nodes: those whose heartbeat is younger than a run's lease.
#[utoipa::path(get, path = "/api/nodes", operation_id = "listNodes", tag = "server",
    responses(
        (status = 200, description = "The nodes whose heartbeat is recent, by name", body = ListResponse<Node>),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn list(state: AppState, _: Principal) -> Result<Response, ApiError> {
    let within = state.engine.config().lease.as_millis() as i64;
    let nodes = state.store.live_nodes(within).await?;
    let total = nodes.len() as u64;
    Ok(reply::list(nodes, total))
}
