//! `POST /api/extract`: one-shot extraction.

use super::auth::Principal;
use super::error::ApiError;
use crate::AppState;
use serde_json::Value;
use warp::reply::Response;

/// Not built yet: it says so rather than pretending.
pub async fn extract(_: AppState, _: Principal, _: Value) -> Result<Response, ApiError> {
    Err(ApiError::not_implemented(
        "one-shot extraction is not available in this version yet",
    ))
}
