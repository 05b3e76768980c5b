//! The success envelopes.

use scraper_common::{DataResponse, ListResponse, MessageResponse};
use serde::Serialize;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

/// `{"data": ...}` with 200.
pub fn data<T: Serialize>(data: T) -> Response {
    warp::reply::json(&DataResponse { data }).into_response()
}

/// `{"data": ...}` with 201, for something made.
pub fn created<T: Serialize>(data: T) -> Response {
    warp::reply::with_status(
        warp::reply::json(&DataResponse { data }),
        StatusCode::CREATED,
    )
    .into_response()
}

/// `{"data": [...], "total": N}`.
pub fn list<T: Serialize>(data: Vec<T>, total: u64) -> Response {
    warp::reply::json(&ListResponse { data, total }).into_response()
}

/// `{"message": "..."}`.
pub fn message(message: impl Into<String>) -> Response {
    warp::reply::json(&MessageResponse {
        message: message.into(),
    })
    .into_response()
}
