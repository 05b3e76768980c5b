//! A browser run's screenshots: the list, and each PNG.

use super::auth::Principal;
use super::error::ApiError;
use super::reply;
use super::runs::not_found;
use crate::AppState;
use scraper_common::{ErrorBody, ListResponse, Screenshot};
use warp::Reply;
use warp::reply::Response;

/// The screenshots a run took, in the order taken.
#[utoipa::path(get, path = "/api/runs/{id}/screenshots", operation_id = "listScreenshots", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run's screenshots (none for runs without a browser)", body = ListResponse<Screenshot>),
        (status = 404, description = "No run has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn list(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    if state.store.run(&id).await?.is_none() {
        return Err(not_found(&id));
    }
    let shots = state.store.screenshots(&id).await?;
    let total = shots.len() as u64;
    Ok(reply::list(shots, total))
}

/// One screenshot, as a PNG.
#[utoipa::path(get, path = "/api/runs/{id}/screenshots/{n}", operation_id = "getScreenshot", tag = "runs",
    params(
        ("id" = String, Path, description = "The run's id"),
        ("n" = u32, Path, description = "The screenshot's number in the run (1 for the first)"),
    ),
    responses(
        (status = 200, description = "The picture", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "No such run, or no screenshot with this number", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:read"))),
)]
pub async fn png(id: String, n: u32, state: AppState, _: Principal) -> Result<Response, ApiError> {
    match state.store.screenshot_png(&id, n).await? {
        Some(png) => Ok(warp::reply::with_header(png, "content-type", "image/png").into_response()),
        None => Err(ApiError::not_found(format!(
            "run `{id}` has no screenshot {n}"
        ))),
    }
}
