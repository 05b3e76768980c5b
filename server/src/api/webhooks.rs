//! Webhooks: where a flow's messages go (checked against the URL policy when
//! saved), their delivery log, redelivery, and rotating the signing secret.

use super::auth::Principal;
use super::error::ApiError;
use super::query::Params;
use super::{flows, reply};
use crate::AppState;
use crate::monitor::webhook::{OLD_SECRET_SIGNS_FOR, secret};
use crate::net::{PolicyResolver, ResolveError};
use crate::store::now_ms;
use scraper_common::{DataResponse, Delivery, ErrorBody, ErrorCode, Flow, ListResponse};
use url::Host;
use warp::reply::Response;

/// A webhook URL must be one the server may send to: refused now if it is,
/// or resolves only to, an address the URL policy refuses. It is checked
/// again at every delivery, as DNS may change.
pub async fn check_target(state: &AppState, url: &str) -> Result<(), ApiError> {
    let refused = |e: &dyn std::fmt::Display| {
        ApiError::new(ErrorCode::UrlRefused, format!("webhookUrl: {e}"))
    };
    let url = state.policy.check_url(url).map_err(|e| refused(&e))?;
    if let Some(Host::Domain(host)) = url.host() {
        // A name that does not resolve now may later; deliveries say so.
        if let Err(ResolveError::Refused(e)) = PolicyResolver::new(state.policy.clone())
            .resolve_host(host)
            .await
        {
            return Err(refused(&e));
        }
    }
    Ok(())
}

/// A flow's webhook messages, newest first, each with its attempts.
#[utoipa::path(get, path = "/api/flows/{id}/deliveries", operation_id = "listDeliveries", tag = "monitors",
    params(
        ("id" = String, Path, description = "The flow's id"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Page size (default 50)"),
        ("offset" = Option<u64>, Query, description = "Messages to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of the flow's messages; `total` counts them all", body = ListResponse<Delivery>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
        (status = 404, description = "No flow has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:read"))),
)]
pub async fn deliveries(
    id: String,
    state: AppState,
    _: Principal,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(pairs, &["limit", "offset"])?;
    let (limit, offset) = params.page()?;
    if state.store.flow(&id).await?.is_none() {
        return Err(flows::not_found(&id));
    }
    let (deliveries, total) = state.store.deliveries(&id, limit, offset).await?;
    Ok(reply::list(deliveries, total))
}

/// Send a message again now (same id and body), whatever became of it.
#[utoipa::path(post, path = "/api/deliveries/{id}/redeliver", operation_id = "redeliver", tag = "monitors",
    params(("id" = String, Path, description = "The message's id (its `webhook-id`)")),
    responses(
        (status = 200, description = "The message, due now", body = DataResponse<Delivery>),
        (status = 404, description = "No message has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:write"))),
)]
pub async fn redeliver(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("no webhook delivery with id `{id}`"));
    if !state.store.redeliver(&id).await? {
        return Err(not_found());
    }
    let delivery = state.store.delivery(&id).await?.ok_or_else(not_found)?;
    Ok(reply::data(delivery))
}

/// Issue a new signing secret, shown in this answer only; for 24 hours
/// messages carry signatures by both the new and the old secret.
#[utoipa::path(post, path = "/api/flows/{id}/webhook/rotate", operation_id = "rotateWebhookSecret", tag = "monitors",
    params(("id" = String, Path, description = "The flow's id")),
    responses(
        (status = 200, description = "The flow, with its new `webhookSecret` whole (this once)", body = DataResponse<Flow>),
        (status = 404, description = "No flow has this id", body = ErrorBody),
        (status = 409, description = "The flow has no webhook", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:write"))),
)]
pub async fn rotate(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    let new = secret::generate();
    let until = now_ms() + OLD_SECRET_SIGNS_FOR.as_millis() as i64;
    match state.store.rotate_webhook_secret(&id, &new, until).await? {
        None => Err(flows::not_found(&id)),
        Some(false) => Err(ApiError::conflict(format!(
            "flow {id} has no webhook; set webhookUrl first"
        ))),
        Some(true) => {
            let mut flow = state
                .store
                .flow(&id)
                .await?
                .ok_or_else(|| flows::not_found(&id))?;
            flow.webhook_secret = Some(new);
            Ok(reply::data(flow))
        }
    }
}
