//! `/api/flows`: list, create, read, merge-patch, delete.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::query::Params;
use super::{merge_patch, reply};
use crate::AppState;
use crate::store::FlowQuery;
use crate::validate;
use scraper_common::{Flow, FlowInput, FlowStatus};
use serde_json::{Map, Value, json};
use warp::reply::Response;

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
    let (flows, total) = state.store.flows(&query).await?;
    Ok(reply::list(flows, total))
}

pub async fn create(state: AppState, _: Principal, body: Value) -> Result<Response, ApiError> {
    let input: FlowInput = parse(body)?;
    validate::flow(&input)?;
    let flow = state.store.create_flow(&input).await?;
    Ok(reply::created(flow))
}

pub async fn get(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    Ok(reply::data(find(&state, &id).await?))
}

/// Fields a patch may not remove: they have no empty state.
const REQUIRED: [&str; 4] = ["name", "url", "mode", "status"];
/// Fields the server keeps. A patch may carry them (a flow read, edited and
/// sent back) as long as they hold what they hold now; a change is refused,
/// not ignored.
const SERVER_OWNED: [&str; 7] = [
    "id",
    "successRate",
    "totalRuns",
    "lastRunAt",
    "createdAt",
    "updatedAt",
    "runs",
];

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
        let seen = current.updated_at.timestamp_millis();
        if let Some(flow) = state.store.replace_flow(&id, &input, status, seen).await? {
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

pub async fn delete(id: String, state: AppState, _: Principal) -> Result<Response, ApiError> {
    if !state.store.delete_flow(&id).await? {
        return Err(not_found(&id));
    }
    Ok(reply::message(format!("Flow {id} deleted successfully")))
}

async fn find(state: &AppState, id: &str) -> Result<Flow, ApiError> {
    state.store.flow(id).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
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
    doc
}
