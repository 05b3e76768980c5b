//! `/api/keys`: list (masked), create (full key shown once), revoke.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::reply;
use crate::AppState;
use crate::keys;
use crate::validate;
use scraper_common::NewKey;
use serde_json::Value;
use warp::reply::Response;

pub async fn list(state: AppState, _: Principal) -> Result<Response, ApiError> {
    let keys = state.store.keys().await?;
    let total = keys.len() as u64;
    Ok(reply::list(keys, total))
}

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

pub async fn revoke(id: String, state: AppState, caller: Principal) -> Result<Response, ApiError> {
    if !state.store.revoke_key(&id).await? {
        return Err(ApiError::not_found(format!("no live key with id `{id}`")));
    }
    tracing::info!(key = %id, by = %caller.key_id, "API key revoked");
    Ok(reply::message(format!("Key {id} revoked")))
}
