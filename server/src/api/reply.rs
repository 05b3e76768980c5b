//! The success envelopes.

use bytes::Bytes;
use scraper_common::{DataResponse, ListResponse, MessageResponse};
use serde::Serialize;
use warp::Reply;
use warp::http::HeaderValue;
use warp::http::StatusCode;
use warp::http::header::CONTENT_TYPE;
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

/// JSON already encoded (a cached answer).
pub fn json_bytes(body: Bytes) -> Response {
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `value` as JSON bytes, for answers kept to be sent again.
pub fn encode<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("API types serialize"))
}

/// `{"message": "..."}`.
pub fn message(message: impl Into<String>) -> Response {
    warp::reply::json(&MessageResponse {
        message: message.into(),
    })
    .into_response()
}
