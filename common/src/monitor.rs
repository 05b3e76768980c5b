//! Monitors: how a flow's runs are compared, what is worth a notification,
//! what changed, and the webhooks that say so.

use crate::time::{self, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// `monitor` on a flow: how each run is compared with the one before, and
/// which changes are worth a notification (every change is recorded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonitorSettings {
    /// The field (or fields) that tell one record from another across runs;
    /// default `url` when the schema has it, else its first string field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<KeySchema>)]
    pub key: Option<MonitorKey>,
    /// For a monitor without an output schema: the CSS selector whose text is
    /// watched (default: the page's main text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Regular expressions; text they match (timestamps, counters) is
    /// dropped before comparing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub ignore: Vec<String>,
    /// Which changes send `changes.detected` (default `"any"`): `"any"`,
    /// `"added"`, `"removed"`, `{"fields": [..]}`, `{"field", "op", "value"}`,
    /// `{"field", "dropPercent"}`, `{"textContains"}`, or a list (any of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NotifyOnSchema>)]
    pub notify_on: Option<NotifyOn>,
    /// Runs that keep their items and logs (older ones keep their row and
    /// change record); default the server's `--keep-runs` (100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100000)]
    pub keep_runs: Option<u32>,
}

/// One field name or several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorKey(pub Vec<String>);

impl TryFrom<Value> for MonitorKey {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let bad = || "expected a field name or a list of field names".to_string();
        let names = match value {
            Value::String(name) => vec![name],
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(bad()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(bad()),
        };
        if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
            return Err("field names must not be empty".into());
        }
        Ok(MonitorKey(names))
    }
}

impl From<MonitorKey> for Value {
    fn from(key: MonitorKey) -> Value {
        match key.0.as_slice() {
            [one] => Value::String(one.clone()),
            _ => Value::from(key.0),
        }
    }
}

impl Serialize for MonitorKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Value::from(self.clone()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for MonitorKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        MonitorKey::try_from(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The shape of `monitor.key` in the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum KeySchema {
    One(String),
    Many(Vec<String>),
}

crate::named_enum! {
    /// How `{"field", "op", "value"}` compares the field's new value.
    CompareOp "comparison" {
        Lt => "lt",
        Lte => "lte",
        Gt => "gt",
        Gte => "gte",
        Eq => "eq",
        Ne => "ne",
    }
}

/// One condition of `notifyOn`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Any change at all.
    Any,
    /// A record appeared.
    Added,
    /// A record went away.
    Removed,
    /// One of these fields changed in a record.
    Fields(Vec<String>),
    /// A record's field, changed or new, now compares so with `value`.
    Compare {
        field: String,
        op: CompareOp,
        value: Value,
    },
    /// A record's numeric field fell by at least this percent.
    DropPercent { field: String, percent: f64 },
    /// Text that appeared (an added line, a new or changed value) holds this.
    TextContains(String),
}

/// `notifyOn`: one condition or a list, any of which sends the notification.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyOn(pub Vec<Condition>);

impl TryFrom<Value> for NotifyOn {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        match value {
            Value::Array(items) => {
                if items.is_empty() {
                    return Err("an empty list never notifies; give at least one condition or leave notifyOn out".into());
                }
                let conditions = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| Condition::try_from(v).map_err(|e| format!("[{i}]: {e}")))
                    .collect::<Result<_, _>>()?;
                Ok(NotifyOn(conditions))
            }
            one => Ok(NotifyOn(vec![Condition::try_from(one)?])),
        }
    }
}

impl From<NotifyOn> for Value {
    fn from(on: NotifyOn) -> Value {
        let mut all: Vec<Value> = on.0.into_iter().map(Value::from).collect();
        match all.len() {
            1 => all.pop().expect("one"),
            _ => Value::Array(all),
        }
    }
}

impl Serialize for NotifyOn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Value::from(self.clone()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for NotifyOn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        NotifyOn::try_from(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

const CONDITIONS: &str = "\"any\", \"added\", \"removed\", {\"fields\": [...]}, \
    {\"field\", \"op\", \"value\"}, {\"field\", \"dropPercent\"} or {\"textContains\"}";

impl TryFrom<Value> for Condition {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let object = match value {
            Value::String(word) => {
                return match word.as_str() {
                    "any" => Ok(Condition::Any),
                    "added" => Ok(Condition::Added),
                    "removed" => Ok(Condition::Removed),
                    _ => Err(format!("unknown condition `{word}`; expected {CONDITIONS}")),
                };
            }
            Value::Object(object) => object,
            other => return Err(format!("expected {CONDITIONS}, got {other}")),
        };
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        let text = |name: &str| -> Result<String, String> {
            match object.get(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
                Some(_) => Err(format!("{name}: expected a non-empty string")),
                None => Err(format!("{name}: is required")),
            }
        };
        let only = |allowed: &[&str]| -> Result<(), String> {
            match keys.iter().find(|k| !allowed.contains(k)) {
                Some(extra) => Err(format!(
                    "unknown field `{extra}` in this condition; expected {}",
                    allowed.join(", ")
                )),
                None => Ok(()),
            }
        };
        if object.contains_key("fields") {
            only(&["fields"])?;
            let fields = match &object["fields"] {
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                        _ => Err("fields: expected field names".to_string()),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err("fields: expected a non-empty list of field names".into()),
            };
            return Ok(Condition::Fields(fields));
        }
        if object.contains_key("textContains") {
            only(&["textContains"])?;
            return Ok(Condition::TextContains(text("textContains")?));
        }
        if object.contains_key("dropPercent") {
            only(&["field", "dropPercent"])?;
            let percent = object["dropPercent"]
                .as_f64()
                .filter(|p| *p > 0.0 && *p <= 100.0)
                .ok_or("dropPercent: expected a number above 0, at most 100")?;
            return Ok(Condition::DropPercent {
                field: text("field")?,
                percent,
            });
        }
        if object.contains_key("op") || object.contains_key("value") {
            only(&["field", "op", "value"])?;
            let op = match object.get("op") {
                Some(Value::String(op)) => {
                    op.parse::<CompareOp>().map_err(|e| format!("op: {e}"))?
                }
                Some(_) => return Err("op: expected lt, lte, gt, gte, eq or ne".into()),
                None => return Err("op: is required (lt, lte, gt, gte, eq or ne)".into()),
            };
            let value = match object.get("value") {
                Some(v @ (Value::Number(_) | Value::String(_) | Value::Bool(_))) => v.clone(),
                Some(_) => return Err("value: expected a number, a string or a boolean".into()),
                None => return Err("value: is required".into()),
            };
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) && !value.is_number() {
                return Err(format!("value: `{op}` compares numbers; got {value}"));
            }
            return Ok(Condition::Compare {
                field: text("field")?,
                op,
                value,
            });
        }
        Err(format!(
            "expected {CONDITIONS}, got {}",
            Value::Object(object)
        ))
    }
}

impl From<Condition> for Value {
    fn from(condition: Condition) -> Value {
        use serde_json::json;
        match condition {
            Condition::Any => json!("any"),
            Condition::Added => json!("added"),
            Condition::Removed => json!("removed"),
            Condition::Fields(fields) => json!({ "fields": fields }),
            Condition::Compare { field, op, value } => {
                json!({ "field": field, "op": op, "value": value })
            }
            Condition::DropPercent { field, percent } => {
                json!({ "field": field, "dropPercent": percent })
            }
            Condition::TextContains(text) => json!({ "textContains": text }),
        }
    }
}

/// The shape of `monitor.notifyOn` in the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum NotifyOnSchema {
    One(ConditionSchema),
    Many(Vec<ConditionSchema>),
}

/// `"any" | "added" | "removed"` or one of the condition objects.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum ConditionSchema {
    Word(String),
    Object(Map<String, Value>),
}

crate::named_enum! {
    /// What a change entry is.
    ChangeKind "change kind" {
        /// A record that was not in the previous run.
        Added => "added",
        /// A record of the previous run that is gone.
        Removed => "removed",
        /// A field of a record that holds another value.
        Changed => "changed",
        /// A watched text (a page's, or a selector's) that changed.
        Text => "text",
    }
}

/// How many changes a run found against the previous completed run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeCounts {
    /// The first completed run of the monitor: nothing to compare with.
    pub baseline: bool,
    pub added: u64,
    pub removed: u64,
    /// Field changes, over all records.
    pub changed: u64,
    /// Records present in both runs with no change.
    pub unchanged: u64,
    /// Watched texts that changed, and their lines added and removed.
    pub text_changed: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Whether `notifyOn` matched (a `changes.detected` event was sent).
    pub notified: bool,
}

impl ChangeCounts {
    /// Anything at all changed.
    pub fn any(&self) -> bool {
        self.added + self.removed + self.changed + self.text_changed > 0
    }
}

/// A field of one record that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The record's key (its key fields' values, joined by ` | `).
    pub key: String,
    pub field: String,
    #[schema(value_type = Value)]
    pub old: Value,
    #[schema(value_type = Value)]
    pub new: Value,
    /// `new - old`, for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// The delta in percent of the old value, for numbers (not when old is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_percent: Option<f64>,
}

/// A watched text that changed: a line diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextChange {
    /// The page's URL.
    pub key: String,
    pub lines_added: Vec<String>,
    pub lines_removed: Vec<String>,
    /// A unified diff of the texts (after `ignore`).
    pub diff: String,
}

/// What changed in a run. Lists of runs carry `counts` only; a run read
/// alone, and webhooks, carry the first changes of each kind too
/// (`GET /api/runs/:id/changes` pages them all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunChanges {
    pub counts: ChangeCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub added: Option<Vec<Map<String, Value>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub removed: Option<Vec<Map<String, Value>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<FieldChange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Vec<TextChange>>,
}

impl RunChanges {
    /// Adds `entry` to the list of its kind (made if missing).
    pub fn push(&mut self, entry: ChangeEntry) {
        match entry.kind {
            ChangeKind::Added => self.added.get_or_insert_default().extend(entry.item),
            ChangeKind::Removed => self.removed.get_or_insert_default().extend(entry.item),
            ChangeKind::Changed => self.changed.get_or_insert_default().push(FieldChange {
                key: entry.key,
                field: entry.field.unwrap_or_default(),
                old: entry.old.unwrap_or_default(),
                new: entry.new.unwrap_or_default(),
                delta: entry.delta,
                delta_percent: entry.delta_percent,
            }),
            ChangeKind::Text => self.text.get_or_insert_default().push(TextChange {
                key: entry.key,
                lines_added: entry.lines_added.unwrap_or_default(),
                lines_removed: entry.lines_removed.unwrap_or_default(),
                diff: entry.diff.unwrap_or_default(),
            }),
        }
    }
}

/// One change, as `GET /api/runs/:id/changes` and `GET /api/flows/:id/changes` list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    pub run_id: String,
    /// When the run that found it finished.
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub detected_at: Timestamp,
    pub kind: ChangeKind,
    /// The record's key (for text, the page's URL).
    pub key: String,
    /// `added`, `removed`: the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub item: Option<Map<String, Value>>,
    /// `changed`: the field, its old and new value, and for numbers the delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>)]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>)]
    pub new: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_percent: Option<f64>,
    /// `text`: lines added and removed, and the unified diff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines_added: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines_removed: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

crate::named_enum! {
    /// What a webhook tells.
    WebhookEvent "webhook event" {
        /// A run completed.
        RunCompleted => "run.completed",
        /// A run failed (every failed run: a broken monitor is never silent).
        RunFailed => "run.failed",
        /// A monitor's run found changes that match its `notifyOn`.
        ChangesDetected => "changes.detected",
    }
}

crate::named_enum! {
    /// Where a webhook delivery stands.
    DeliveryStatus "delivery status" {
        /// Waiting for its next attempt.
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Given up: attempts used up, the webhook removed, or disabled by a 410.
        Failed => "failed",
    }
}

/// One attempt at delivering a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The receiver's status code; `null` when it gave none (refused, timed out).
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    /// What went wrong, for a person; `null` for a 2xx.
    pub error: Option<String>,
    /// The first 1 KiB of the receiver's answer.
    pub response: Option<String>,
}

/// A webhook message and its attempts (`GET /api/flows/:id/deliveries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Also the `webhook-id` header: the same on every attempt.
    pub id: String,
    pub flow_id: String,
    pub run_id: Option<String>,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When the next attempt is due, while pending.
    #[serde(with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    /// Oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// The body of every webhook message (signed as Standard Webhooks v1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookMessage {
    #[serde(rename = "type")]
    pub event: WebhookEvent,
    /// When the event happened (the run ended).
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    pub data: WebhookData,
}

/// What a webhook message is about: the run, and for monitors what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookData {
    pub flow_id: String,
    pub flow_name: String,
    pub run_id: String,
    pub status: crate::RunStatus,
    pub trigger: crate::Trigger,
    pub failure_reason: Option<crate::FailureReason>,
    pub error: Option<String>,
    pub items_extracted: u64,
    pub pages_fetched: u64,
    #[serde(with = "time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// A monitor's changes: counts, and the first changes of each kind.
    pub changes: Option<RunChanges>,
}
