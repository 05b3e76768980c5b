//! The OpenAPI 3.1 document, built from the handlers' own annotations and the
//! wire types in `scraper-common`, so what it says is what the code does.
//! Served at `GET /api/openapi.json`; `GET /docs` renders it with Swagger UI
//! from files compiled into the binary.

use super::error::ApiError;
use super::{changes, export, extract, flows, keys, nodes, run_data, runs, screenshots, webhooks};
use scraper_common::ErrorBody;
use serde_json::Value;
use serde_json::json;
use std::sync::{Arc, LazyLock};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::response::{Response as DocResponse, ResponseBuilder};
use utoipa::openapi::security::{ApiKey as KeyScheme, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::Config;
use warp::http::HeaderValue;
use warp::http::header::CONTENT_TYPE;
use warp::reply::Response;

/// The API key scheme's name in the document (`security` above spells it too).
const KEY_SCHEME: &str = "apiKey";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scraper API",
        description = "Flows (saved scraping jobs), their runs with logs and items, one-shot \
                       extraction, and API keys. Every endpoint needs an `X-API-Key` holding \
                       the one scope it names. Errors are `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        flows::list, flows::create, flows::get, flows::update, flows::delete,
        runs::list, runs::create, runs::get, runs::cancel,
        run_data::logs, run_data::stream, export::items,
        screenshots::list, screenshots::png,
        extract::extract,
        keys::list, keys::create, keys::revoke,
        changes::of_run, changes::of_flow,
        webhooks::deliveries, webhooks::redeliver, webhooks::rotate,
        nodes::list,
        super::metrics_route, super::docs_routes,
    ),
    components(schemas(ErrorBody, ExportFormat, scraper_common::WebhookMessage)),
    modifiers(&Common),
    security(("apiKey" = [])),
    tags(
        (name = "flows", description = "Saved scraping jobs"),
        (name = "runs", description = "Executions of a flow, their logs and items"),
        (name = "extract", description = "One-shot extraction without a flow"),
        (name = "keys", description = "API keys"),
        (name = "monitors", description = "What monitors' runs changed, and the webhooks that tell (Standard Webhooks v1; bodies are `WebhookMessage`)"),
        (name = "server", description = "The server itself: its nodes; metrics and this document, no key needed"),
    ),
)]
struct Doc;

/// What every operation shares and annotations cannot say once: the key
/// scheme, and the answers any authenticated request may get.
struct Common;

impl Modify for Common {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut scheme = ApiKeyValue::new(scraper_common::client::API_KEY_HEADER);
        scheme.description = Some(
            "An API key (`scr_live_...`); `scraper-server keys create` makes one.".to_string(),
        );
        components.add_security_scheme(
            KEY_SCHEME,
            SecurityScheme::ApiKey(KeyScheme::Header(scheme)),
        );
        let shared = [
            ("401", "No key, or a key that is unknown or revoked"),
            ("403", "The key lacks the scope this endpoint needs"),
            (
                "429",
                "The key's rate limit (`--rate-limit`) is reached; `Retry-After` says when to retry",
            ),
            (
                "500",
                "An internal error; the message names the request id the server log has",
            ),
        ];
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                // `security(())` marks the public ones.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| serde_json::to_value(s).is_ok_and(|v| v == json!([{}])));
                for (status, description) in shared.iter().filter(|_| !public) {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description));
                }
                let Some(id) = op.operation_id.as_deref() else {
                    continue;
                };
                for (from, status, to, uses) in LINKS {
                    if *from != id {
                        continue;
                    }
                    if let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) {
                        let link = match uses {
                            Uses::PathId => LinkBuilder::new()
                                .operation_id(*to)
                                .parameter("id", CREATED_ID),
                            Uses::FlowId => LinkBuilder::new()
                                .operation_id(*to)
                                .request_body(Some(json!({ "flowId": CREATED_ID }))),
                        };
                        response.links.insert(to.to_string(), link.build().into());
                    }
                }
            }
        }
    }
}

/// Where a made resource's id is in the answer.
const CREATED_ID: &str = "$response.body#/data/id";

/// How a link passes the made resource's id on.
enum Uses {
    PathId,
    FlowId,
}

/// OpenAPI links: what can be done with what an operation made, so that a
/// client (or a fuzzer) can follow from creation to use.
const LINKS: &[(&str, &str, &str, Uses)] = &[
    ("createFlow", "201", "getFlow", Uses::PathId),
    ("createFlow", "201", "updateFlow", Uses::PathId),
    ("createFlow", "201", "deleteFlow", Uses::PathId),
    ("createFlow", "201", "createRun", Uses::FlowId),
    ("createRun", "201", "getRun", Uses::PathId),
    ("createRun", "201", "cancelRun", Uses::PathId),
    ("createRun", "201", "getRunLogs", Uses::PathId),
    ("createRun", "201", "streamRunLogs", Uses::PathId),
    ("createRun", "201", "getRunItems", Uses::PathId),
    ("createKey", "201", "revokeKey", Uses::PathId),
    ("createRun", "201", "getRunChanges", Uses::PathId),
    ("createRun", "201", "listScreenshots", Uses::PathId),
    ("createFlow", "201", "getFlowChanges", Uses::PathId),
    ("createFlow", "201", "listDeliveries", Uses::PathId),
    ("createFlow", "201", "rotateWebhookSecret", Uses::PathId),
];

/// An answer in the error envelope.
fn error(description: &str) -> RefOr<DocResponse> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                ErrorBody::name(),
            )))),
        )
        .build()
        .into()
}

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: LazyLock<Value> = LazyLock::new(|| {
        serde_json::to_value(Doc::openapi()).expect("the OpenAPI document serializes")
    });
    &DOC
}

/// Swagger UI's settings: the document from this server, and no validator
/// badge (it would send the document to validator.swagger.io).
pub fn swagger_config() -> Arc<Config<'static>> {
    static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
        Arc::new(
            Config::new(["/api/openapi.json"])
                .validator_url("none")
                .persist_authorization(false)
                .display_request_duration(true),
        )
    });
    CONFIG.clone()
}

/// The body of `PUT /api/flows/{id}`: any of a flow's editable fields; `null`
/// removes `description` or `outputSchema`. Described here, never built: the
/// handler applies the patch as JSON.
#[derive(ToSchema)]
#[schema(as = FlowPatch)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct FlowPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: Option<String>,
    #[schema(max_length = 5000)]
    description: Option<String>,
    #[schema(pattern = r"^[hH][tT][tT][pP][sS]?://[^/?#\s]+")]
    url: Option<String>,
    mode: Option<scraper_common::FlowMode>,
    /// `active`, `paused` or `draft`; `error` is the server's to set.
    status: Option<scraper_common::FlowStatus>,
    #[schema(max_items = 100)]
    steps: Option<Vec<scraper_common::Step>>,
    #[schema(value_type = Option<HashMap<String, scraper_common::FieldType>>)]
    output_schema: Option<scraper_common::OutputSchema>,
    /// `every 30s|15m|6h|1d` or a 5-field cron expression; `null` removes it.
    schedule: Option<String>,
    /// IANA time zone of a cron schedule; `null` is UTC.
    timezone: Option<String>,
    /// How runs are compared and what is worth a notification; `null` removes it.
    monitor: Option<scraper_common::MonitorSettings>,
    /// Where the flow's events are POSTed; setting it (again) resumes
    /// deliveries a 410 stopped; `null` removes the webhook and its secret.
    webhook_url: Option<String>,
}

/// The JSON form of a run's items.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ItemList {
    #[schema(value_type = Vec<Object>)]
    data: Vec<serde_json::Map<String, Value>>,
    /// All the run's items, whatever `limit` and `offset` are.
    total: u64,
}

/// The `format` of an items export.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Ndjson,
    Csv,
}

/// A file of Swagger UI (`index.html` for the bare path), or 404.
pub fn swagger_file(path: &str) -> Response {
    match utoipa_swagger_ui::serve(path, swagger_config()) {
        Ok(Some(file)) => {
            let mut response = Response::new(file.bytes.into_owned().into());
            if let Ok(value) = HeaderValue::from_str(&file.content_type) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            response
        }
        Ok(None) => ApiError::not_found(format!("no file `/docs/{path}`")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, path, "Swagger UI file");
            ApiError::internal().into_response()
        }
    }
}

/// One event of a run's log stream (Server-Sent Events), as a client's SSE
/// parser gives it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LogStreamEvent {
    /// `log` for a line, then one `end`.
    #[schema(pattern = "^(log|end)$")]
    event: String,
    /// JSON: a log line (`seq`, `timestamp`, `level`, `message`) for `log`;
    /// `status`, `failureReason` and `reason` (finished or shutting_down) for `end`.
    data: String,
    /// The line's `seq`, for `Last-Event-ID`; none on `end`.
    id: Option<String>,
}
