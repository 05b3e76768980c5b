//! `/api/flows`: list, create, read, merge-patch, delete.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::openapi::FlowPatch;
use super::query::Params;
use super::{merge_patch, reply};
use crate::AppState;
use crate::monitor::webhook::secret;
use crate::store::{FlowQuery, SecretEdit};
use crate::validate;
use scraper_common::{
    DataResponse, ErrorBody, Flow, FlowInput, FlowMode, FlowStatus, ListResponse, MessageResponse,
};
use serde_json::{Map, Value, json};
use warp::reply::Response;

/// List flows, newest first.
#[utoipa::path(get, path = "/api/flows", operation_id = "listFlows", tag = "flows",
    params(
        ("status" = Option<FlowStatus>, Query, description = "Only flows with this status"),
        ("mode" = Option<FlowMode>, Query, description = "Only flows in this mode"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Page size (default 50)"),
        ("offset" = Option<u64>, Query, description = "Matches to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of flows; `total` counts every match", body = ListResponse<Flow>),
        (status = 400, description = "An unknown, repeated or wrong query parameter", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:read"))),
)]
pub async fn list(
    state: AppState,
    _: Principal,
    query: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let params = Params::new(query, &["status", "mode", "limit", "offset"])?;
    let (limit, offset) = params.page()?;
    let query = FlowQuery {
        status: params.get("status")?,
        mode: params.get("mode")?,
        limit,
        offset,
    };
    // The version first: a write after it makes what is read next stale.
    let version = state.store.flows_version();
    if let Some(body) = state.flow_lists.get(&query, version) {
        return Ok(reply::json_bytes(body));
    }
    let (flows, total) = state.store.flows(&query).await?;
    let body = reply::encode(&ListResponse { data: flows, total });
    state.flow_lists.put(query, version, body.clone());
    Ok(reply::json_bytes(body))
}

/// Create a flow.
#[utoipa::path(post, path = "/api/flows", operation_id = "createFlow", tag = "flows", request_body = FlowInput,
    responses(
        (status = 201, description = "The flow made", body = DataResponse<Flow>),
        (status = 400, description = "The body is not a JSON object (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "A field is wrong; the message names it", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:write"))),
)]
pub async fn create(state: AppState, _: Principal, body: Value) -> Result<Response, ApiError> {
    let input: FlowInput = parse(body)?;
    validate::flow(&input)?;
    validate::schedule(&input, state.engine.config().min_schedule_interval)?;
    if let Some(url) = &input.webhook_url {
        super::webhooks::check_target(&state, url).await?;
    }
    let secret = input.webhook_url.as_ref().map(|_| secret::generate());
    let mut flow = state.store.create_flow(&input, secret.as_deref()).await?;
    // The one time the whole secret is shown.
    if secret.is_some() {
        flow.webhook_secret = secret;
    }
    Ok(reply::created(flow))
}

/// Get one flow.
#[utoipa::path(get, path = "/api/flows/{id}", operation_id = "getFlow", tag = "flows",
    params(("id" = String, Path, description = "The flow's id")),
    responses(
        (status = 200, description = "The flow", body = DataResponse<Flow>),
        (status = 404, description = "No flow has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:read"))),
)]
pub async fn get(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    Ok(reply::data(find(&state, &id).await?))
}

/// Fields a patch may not remove: they have no empty state.
const REQUIRED: [&str; 4] = ["name", "url", "mode", "status"];
/// Fields the server keeps. A patch may carry them (a flow read, edited and
/// sent back) as long as they hold what they hold now; a change is refused,
/// not ignored.
const SERVER_OWNED: [&str; 10] = [
    "id",
    "successRate",
    "totalRuns",
    "lastRunAt",
    "nextRunAt",
    "createdAt",
    "updatedAt",
    "runs",
    "webhookSecret",
    "webhookDisabled",
];

/// Update a flow: a JSON merge patch (RFC 7396) of its editable fields. The
/// body of a `GET` may be sent back whole: server-owned fields are accepted
/// when unchanged, refused (422) when changed.
#[utoipa::path(put, path = "/api/flows/{id}", operation_id = "updateFlow", tag = "flows", request_body = FlowPatch,
    params(("id" = String, Path, description = "The flow's id")),
    responses(
        (status = 200, description = "The flow as it now is", body = DataResponse<Flow>),
        (status = 400, description = "The body is not a JSON object (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "A field is wrong; the message names it", body = ErrorBody),
        (status = 404, description = "No flow has this id", body = ErrorBody),
        (status = 409, description = "Another writer kept changing the flow; try again", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:write"))),
)]
/// `PUT` is a JSON merge patch (RFC 7396) of the editable fields; the result
/// must be a valid flow, or nothing changes.
pub async fn update(
    id: String,
    state: AppState,
    _: Principal,
    patch: Value,
) -> Result<Response, ApiError> {
    let fields = patch
        .as_object()
        .expect("the body filter takes objects only");
    for (field, value) in fields {
        if REQUIRED.contains(&field.as_str()) && value.is_null() {
            return Err(ApiError::invalid(format!(
                "{field}: is required and cannot be removed (null)"
            )));
        }
    }
    // Another writer may change the flow between our read and write; the
    // store refuses a stale write, and we merge again onto the new version.
    for _ in 0..5 {
        let current = find(&state, &id).await?;
        let edits = user_fields(fields, &current)?;
        let mut doc = editable(&current);
        merge_patch::apply(&mut doc, &edits);
        let mut input: FlowInput = parse(doc)?;
        // The current status may be `error`, which a user may not set but may
        // keep (`user_fields` refuses setting it).
        let status = input.status.take().unwrap_or(current.status);
        validate::flow(&input)?;
        validate::schedule(&input, state.engine.config().min_schedule_interval)?;
        if let Some(url) = &input.webhook_url
            && current.webhook_url.as_ref() != Some(url)
        {
            super::webhooks::check_target(&state, url).await?;
        }
        let secret = match (&current.webhook_url, &input.webhook_url) {
            (None, Some(_)) => SecretEdit::New(secret::generate()),
            (Some(_), None) => SecretEdit::Clear,
            _ => SecretEdit::Keep,
        };
        // Setting webhookUrl again resumes deliveries a 410 stopped.
        let resume = fields.get("webhookUrl").is_some_and(|v| !v.is_null());
        let seen = current.updated_at.timestamp_millis();
        let replaced = state
            .store
            .replace_flow(&id, &input, status, seen, &secret, resume)
            .await?;
        if let Some(mut flow) = replaced {
            if let SecretEdit::New(secret) = secret {
                flow.webhook_secret = Some(secret);
            }
            return Ok(reply::data(flow));
        }
    }
    Err(ApiError::conflict(format!(
        "flow {id} is being changed by someone else; try again"
    )))
}

/// The patch without the server's fields, each of which must hold its
/// current value; `status: "error"` only when the flow is in error already.
fn user_fields(fields: &Map<String, Value>, current: &Flow) -> Result<Value, ApiError> {
    let now = serde_json::to_value(current).expect("a flow serializes");
    let mut edits = Map::new();
    for (field, value) in fields {
        if SERVER_OWNED.contains(&field.as_str()) {
            let held = now.get(field.as_str()).unwrap_or(&Value::Null);
            if !same_value(held, value) {
                return Err(ApiError::invalid(format!(
                    "{field}: is set by the server and cannot be changed (it is {held}); \
                     leave it out or send it unchanged"
                )));
            }
            continue;
        }
        if field == "status" && value.as_str() == Some("error") {
            if current.status != FlowStatus::Error {
                return Err(ApiError::invalid(validate::STATUS_IS_SERVERS));
            }
            continue;
        }
        edits.insert(field.clone(), value.clone());
    }
    Ok(Value::Object(edits))
}

/// JSON equality, with numbers compared by value: a client may send back
/// `0` for the `0.0` it was given.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Delete a flow with its runs, logs and items.
#[utoipa::path(delete, path = "/api/flows/{id}", operation_id = "deleteFlow", tag = "flows",
    params(("id" = String, Path, description = "The flow's id")),
    responses(
        (status = 200, description = "Deleted", body = MessageResponse),
        (status = 404, description = "No flow has this id", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("flows:write"))),
)]
pub async fn delete(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    if !state.store.delete_flow(&id).await? {
        return Err(not_found(&id));
    }
    Ok(reply::message(format!("Flow {id} deleted successfully")))
}

async fn find(state: &AppState, id: &str) -> Result<Flow, ApiError> {
    state.store.flow(id).await?.ok_or_else(|| not_found(id))
}

pub(super) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no flow with id `{id}`"))
}

/// The document a merge patch applies to: the fields a user may set.
fn editable(flow: &Flow) -> Value {
    let mut doc = json!({
        "name": flow.name,
        "url": flow.url,
        "mode": flow.mode,
        "status": flow.status,
        "steps": flow.steps,
    });
    let map = doc.as_object_mut().expect("built as an object");
    if let Some(description) = &flow.description {
        map.insert("description".into(), json!(description));
    }
    if let Some(schema) = &flow.output_schema {
        map.insert("outputSchema".into(), json!(schema));
    }
    if let Some(schedule) = &flow.schedule {
        map.insert("schedule".into(), json!(schedule));
    }
    if let Some(timezone) = &flow.timezone {
        map.insert("timezone".into(), json!(timezone));
    }
    if let Some(monitor) = &flow.monitor {
        map.insert("monitor".into(), json!(monitor));
    }
    if let Some(url) = &flow.webhook_url {
        map.insert("webhookUrl".into(), json!(url));
    }
    doc
}
