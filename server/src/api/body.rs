//! Request bodies: at most 1 MiB of JSON, read as a stream so a body without
//! Content-Length is held to the same limit, then typed with the path of any
//! wrong field in the error.

use super::error::ApiError;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use warp::{Buf, Filter, Rejection};

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body as a JSON object.
pub fn json_object() -> impl Filter<Extract = (Value,), Error = Rejection> + Clone {
    warp::header::optional::<String>("content-type")
        .and(warp::body::stream())
        .and_then(|content_type: Option<String>, body| async move {
            read(content_type, body).await.map_err(warp::reject::custom)
        })
}

async fn read<S, B>(content_type: Option<String>, body: S) -> Result<Value, ApiError>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    if let Some(ct) = content_type.as_deref() {
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::unsupported_media_type(format!(
                "the body must be JSON: send Content-Type: application/json (got `{ct}`)"
            )));
        }
    }
    let mut bytes = Vec::new();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let mut chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
        if bytes.len() + chunk.remaining() > MAX_BODY_BYTES {
            return Err(ApiError::payload_too_large(format!(
                "request body is larger than {MAX_BODY_BYTES} bytes (1 MiB)"
            )));
        }
        // A Buf may hold its bytes in more than one piece.
        while chunk.has_remaining() {
            let piece = chunk.chunk();
            let n = piece.len();
            bytes.extend_from_slice(piece);
            chunk.advance(n);
        }
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json(
            "the request body is empty; expected a JSON object",
        ));
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid_json(format!("the request body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::invalid_json(format!(
            "the request body must be a JSON object, not {}",
            kind(&value)
        )));
    }
    Ok(value)
}

/// Types a JSON value; a wrong field gives a 422 that names it.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if path == "." {
            ApiError::invalid(inner.to_string())
        } else {
            ApiError::invalid(format!("{path}: {inner}"))
        }
    })
}

pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
