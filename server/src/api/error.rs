//! One error type for the whole API, and the one `recover` that turns every
//! rejection (ours and warp's) into the JSON error envelope.

use crate::store::StoreError;
use scraper_common::{ErrorBody, ErrorCode, ErrorDetail};
use std::convert::Infallible;
use warp::http::StatusCode;
use warp::reject::{
    InvalidHeader, InvalidQuery, LengthRequired, MethodNotAllowed, PayloadTooLarge,
    UnsupportedMediaType,
};
use warp::{Rejection, Reply};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Headers the answer carries besides the envelope (`Retry-After`...).
    pub headers: Vec<(&'static str, String)>,
}

impl warp::reject::Reject for ApiError {}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).expect("error codes carry valid statuses")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn invalid_json(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidJson, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PayloadTooLarge, message)
    }

    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnsupportedMediaType, message)
    }

    /// 422: the request was well-formed JSON but a field is wrong.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, message)
    }

    /// 429 with the headers a client waits by.
    pub fn rate_limited(refused: super::rate_limit::Refused) -> Self {
        let wait = refused.retry_after.as_secs_f64().ceil().max(1.0) as u64;
        let mut err = Self::new(
            ErrorCode::RateLimited,
            format!(
                "this key's rate limit of {} requests a second is reached; retry after {wait} s",
                refused.limit
            ),
        );
        err.headers = vec![
            ("retry-after", wait.to_string()),
            ("ratelimit-limit", refused.limit.to_string()),
            ("ratelimit-remaining", "0".to_string()),
            ("ratelimit-reset", wait.to_string()),
        ];
        err
    }

    pub fn not_implemented(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotImplemented, message)
    }

    /// Names the request, so that a user can quote it and the log line
    /// that tells what broke be found.
    pub fn internal() -> Self {
        let message = match crate::http_server::request_id() {
            Some(id) => format!("internal error (request id {id}); the server log has the details"),
            None => "internal error; the server log has the details".to_string(),
        };
        Self::new(ErrorCode::Internal, message)
    }

    pub fn into_response(self) -> warp::reply::Response {
        let status = self.status();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_string(),
                message: self.message,
            },
        };
        let mut response =
            warp::reply::with_status(warp::reply::json(&body), status).into_response();
        for (name, value) in self.headers {
            if let Ok(value) = warp::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

impl From<crate::validate::Invalid> for ApiError {
    fn from(err: crate::validate::Invalid) -> Self {
        ApiError::invalid(err.0)
    }
}

/// Database trouble is logged in full and never shown to the caller.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let request_id = crate::http_server::request_id().unwrap_or_default();
        tracing::error!(error = %err, %request_id, "store error");
        ApiError::internal()
    }
}

/// Turns a handler's result into the response, so that handler errors and
/// filter rejections end in the same envelope.
pub fn respond<R: Reply>(result: Result<R, ApiError>) -> warp::reply::Response {
    match result {
        Ok(reply) => reply.into_response(),
        Err(err) => err.into_response(),
    }
}

pub async fn recover(rejection: Rejection) -> Result<warp::reply::Response, Infallible> {
    let err = if let Some(err) = rejection.find::<ApiError>() {
        err.clone()
    } else if rejection.is_not_found() {
        ApiError::not_found(
            "no such endpoint; the API lives under /api (flows, runs, extract, keys)",
        )
    } else if rejection.find::<UnsupportedMediaType>().is_some() {
        // Checked before MethodNotAllowed: with routes joined by `or`, both can be present.
        ApiError::unsupported_media_type("the body must be JSON (Content-Type: application/json)")
    } else if rejection.find::<PayloadTooLarge>().is_some() {
        ApiError::payload_too_large("request body is larger than 1 MiB")
    } else if rejection.find::<LengthRequired>().is_some() {
        ApiError::new(ErrorCode::LengthRequired, "Content-Length required")
    } else if rejection.find::<InvalidQuery>().is_some() {
        ApiError::bad_request("the query string could not be parsed")
    } else if let Some(header) = rejection.find::<InvalidHeader>() {
        ApiError::bad_request(format!("header `{}` is not valid", header.name()))
    } else if let Some(cors) = rejection.find::<warp::cors::CorsForbidden>() {
        ApiError::forbidden(format!(
            "cross-origin request refused: {cors}; the server allows the origins given to --cors-origin"
        ))
    } else if rejection.find::<MethodNotAllowed>().is_some() {
        ApiError::new(
            ErrorCode::MethodNotAllowed,
            "this endpoint does not accept that HTTP method",
        )
    } else {
        tracing::error!(?rejection, "unhandled rejection");
        ApiError::internal()
    };
    Ok(err.into_response())
}
