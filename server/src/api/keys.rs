//! `/api/keys`: list (masked), create (full key shown once), revoke.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::reply;
use crate::AppState;
use crate::keys;
use crate::validate;
use scraper_common::{ApiKey, DataResponse, ErrorBody, ListResponse, MessageResponse, NewKey};
use serde_json::Value;
use warp::reply::Response;

/// List live keys, masked.
#[utoipa::path(get, path = "/api/keys", operation_id = "listKeys", tag = "keys",
    responses((status = 200, description = "The keys", body = ListResponse<ApiKey>)),
    extensions(("x-scope" = json!("keys:read"))),
)]
pub async fn list(state: AppState, _: Principal) -> Result<Response, ApiError> {
    let keys = state.store.keys().await?;
    let total = keys.len() as u64;
    Ok(reply::list(keys, total))
}

/// Create a key; the answer is the only time the full key is shown.
#[utoipa::path(post, path = "/api/keys", operation_id = "createKey", tag = "keys", request_body = NewKey,
    responses(
        (status = 201, description = "The key, in full", body = DataResponse<ApiKey>),
        (status = 400, description = "The body is not a JSON object (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "A field is wrong; the message names it", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("keys:write"))),
)]
pub async fn create(state: AppState, caller: Principal, body: Value) -> Result<Response, ApiError> {
    let mut input: NewKey = parse(body)?;
    validate::key(&input)?;
    input.scopes.sort_by_key(|s| s.as_str());
    input.scopes.dedup();
    // A key cannot mint a key more powerful than itself.
    let beyond: Vec<&str> = input
        .scopes
        .iter()
        .filter(|s| !caller.scopes.contains(s))
        .map(|s| s.as_str())
        .collect();
    if !beyond.is_empty() {
        return Err(ApiError::forbidden(format!(
            "a key cannot grant scopes it does not hold itself: {}",
            beyond.join(", ")
        )));
    }
    let (full, mut record) = keys::issue(&state.store, input.name.trim(), &input.scopes).await?;
    tracing::info!(key = %record.id, by = %caller.key_id, "API key created");
    record.key = full;
    Ok(reply::created(record))
}

/// Revoke a key; requests with it are refused from now on.
#[utoipa::path(delete, path = "/api/keys/{id}", operation_id = "revokeKey", tag = "keys",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "Revoked", body = MessageResponse),
        (status = 404, description = "No live key has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("keys:write"))),
)]
pub async fn revoke(id: String, state: AppState, caller: Principal) -> Result<Response, ApiError> {
    if !state.store.revoke_key(&id).await? {
        return Err(ApiError::not_found(format!("no live key with id `{id}`")));
    }
    state.verified_keys.forget_all();
    tracing::info!(key = %id, by = %caller.key_id, "API key revoked");
    Ok(reply::message(format!("Key {id} revoked")))
}
