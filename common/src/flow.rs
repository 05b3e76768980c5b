//! Flows: saved scraping jobs.

use crate::monitor::MonitorSettings;
use crate::time::{self, Timestamp};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

crate::named_enum! {
    FlowMode "flow mode" {
        Extract => "extract",
        Interact => "interact",
        Monitor => "monitor",
    }
}

crate::named_enum! {
    /// `error` is set by the server when a run of an active flow fails.
    FlowStatus "flow status" {
        Active => "active",
        Paused => "paused",
        Draft => "draft",
        Error => "error",
    }
}

crate::named_enum! {
    StepType "step type" {
        Navigate => "navigate",
        Crawl => "crawl",
        Paginate => "paginate",
        Extract => "extract",
        Click => "click",
        Type => "type",
        Press => "press",
        Select => "select",
        Hover => "hover",
        Wait => "wait",
        Scroll => "scroll",
        Screenshot => "screenshot",
    }
}

crate::named_enum! {
    /// The type of one output field.
    FieldType "field type" {
        String => "string",
        Number => "number",
        Integer => "integer",
        Boolean => "boolean",
        Url => "url",
        Datetime => "datetime",
    }
}

/// Field name -> type, in the order the user gave (it orders columns and CSV).
pub type OutputSchema = IndexMap<String, FieldType>;

/// One step: `type`, an optional `label`, and that type's settings as sibling
/// fields, e.g. `{"type": "crawl", "label": "Follow links", "maxPages": 500}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    #[serde(rename = "type")]
    pub kind: StepType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    #[schema(value_type = HashMap<String, serde_json::Value>)]
    pub settings: Map<String, Value>,
}

/// A flow as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub mode: FlowMode,
    pub status: FlowStatus,
    pub steps: Vec<Step>,
    #[schema(value_type = Option<HashMap<String, FieldType>>)]
    pub output_schema: Option<OutputSchema>,
    /// Percent of finished runs (completed or failed) that completed, one
    /// decimal; always a number, `0` until a run has finished (`totalRuns`
    /// tells a flow never run from one that always fails).
    pub success_rate: f64,
    pub total_runs: u64,
    #[serde(with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_run_at: Option<Timestamp>,
    /// `every 30s|15m|6h|1d` or a 5-field cron expression; `null`: runs only when asked.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The IANA time zone a cron schedule is read in; `null` is UTC.
    #[serde(default)]
    pub timezone: Option<String>,
    /// When the schedule fires next; `null` without a schedule, or while paused or draft.
    #[serde(default, with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_run_at: Option<Timestamp>,
    /// How runs are compared and what is worth a notification (monitors).
    #[serde(default)]
    pub monitor: Option<MonitorSettings>,
    /// Where `run.completed`, `run.failed` and `changes.detected` are POSTed,
    /// signed as Standard Webhooks v1.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// The signing secret (`whsec_...`): whole in the answer that made it
    /// (or rotated it), masked (`whsec_****abcd`) everywhere else.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// Why deliveries stopped (the receiver answered 410 Gone); setting
    /// `webhookUrl` again resumes them. `null` while they go.
    #[serde(default)]
    pub webhook_disabled: Option<String>,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// The body of `POST /api/flows`, and the document a `PUT` merge patch is
/// applied to. Unknown fields are refused so that a typo is not silently lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlowInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(
        pattern = r"^[hH][tT][tT][pP][sS]?://[^/?#\s]+",
        example = "https://example.com/products"
    )]
    pub url: String,
    #[serde(default = "default_mode")]
    pub mode: FlowMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FlowStatus>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<HashMap<String, FieldType>>)]
    pub output_schema: Option<OutputSchema>,
    /// `every 30s|15m|6h|1d`, or a 5-field cron expression (`@hourly`,
    /// `@daily`... too); paused and draft flows do not fire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "every 15m")]
    pub schedule: Option<String>,
    /// The IANA time zone a cron schedule is read in (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// How runs are compared (`key`, `selector`, `ignore`), what is worth a
    /// notification (`notifyOn`) and how many runs keep their data (`keepRuns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<MonitorSettings>,
    /// An http(s) URL that receives the flow's events; setting it makes a
    /// signing secret, shown once in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://hooks.example.com/scraper")]
    pub webhook_url: Option<String>,
}

fn default_mode() -> FlowMode {
    FlowMode::Extract
}

impl FlowInput {
    /// The smallest valid flow: a name and a start URL, in extract mode.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        FlowInput {
            name: name.into(),
            description: None,
            url: url.into(),
            mode: FlowMode::Extract,
            status: None,
            steps: Vec::new(),
            output_schema: None,
            schedule: None,
            timezone: None,
            monitor: None,
            webhook_url: None,
        }
    }
}

/// Filters of `GET /api/flows`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowFilter {
    pub status: Option<FlowStatus>,
    pub mode: Option<FlowMode>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}
