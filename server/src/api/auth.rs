//! Who is calling, and may they: every endpoint needs a live key with one scope.

use super::error::ApiError;
use crate::AppState;
use scraper_common::Scope;
use scraper_common::client::API_KEY_HEADER;
use warp::{Filter, Rejection};

/// The key a request came with.
#[derive(Debug, Clone)]
pub struct Principal {
    pub key_id: String,
    pub scopes: Vec<Scope>,
}

/// Passes requests whose `X-API-Key` is live and holds `scope`: 401 for a
/// missing, unknown or revoked key, 403 naming the scope when it is lacking.
pub fn require(
    state: AppState,
    scope: Scope,
) -> impl Filter<Extract = (Principal,), Error = Rejection> + Clone {
    warp::header::optional::<String>(API_KEY_HEADER).and_then(move |presented: Option<String>| {
        let state = state.clone();
        async move {
            authenticate(&state, presented.as_deref(), scope)
                .await
                .map_err(warp::reject::custom)
        }
    })
}

async fn authenticate(
    state: &AppState,
    presented: Option<&str>,
    scope: Scope,
) -> Result<Principal, ApiError> {
    let Some(presented) = presented.map(str::trim).filter(|k| !k.is_empty()) else {
        return Err(ApiError::unauthorized(
            "missing API key: send it in the X-API-Key header \
             (create one with `scraper-server keys create`)",
        ));
    };
    let Some(record) = state.verified_keys.verify(&state.store, presented).await? else {
        return Err(ApiError::unauthorized("invalid or revoked API key"));
    };
    crate::http_server::note_key(&record.id);
    if let Some(limiter) = &state.limiter {
        limiter.take(&record.id).map_err(ApiError::rate_limited)?;
    }
    if !record.scopes.contains(&scope) {
        return Err(ApiError::forbidden(format!(
            "this API key lacks the `{scope}` scope needed here"
        )));
    }
    Ok(Principal {
        key_id: record.id,
        scopes: record.scopes,
    })
}
