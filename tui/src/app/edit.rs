//! New and edited flows go through `$EDITOR` as JSON. The file may start
//! with `//` lines (help, or the server's last error); they are dropped
//! before the JSON is read.

use super::App;
use super::action::{Command, EditPurpose, EditRequest, Request, Slot};
use scraper_common::Flow;
use serde_json::{Map, Value, json};

/// The fields a person edits; ids, counts and times belong to the server,
/// and so do the webhook's secret and why its deliveries stopped.
const EDITABLE: &[&str] = &[
    "name",
    "description",
    "url",
    "mode",
    "status",
    "steps",
    "outputSchema",
    "schedule",
    "timezone",
    "monitor",
    "webhookUrl",
];

pub fn new_flow() -> EditRequest {
    let template = json!({
        "name": "My New Flow",
        "description": "What this flow collects",
        "url": "https://example.com/products",
        "mode": "extract",
        "steps": [
            {"type": "navigate", "label": "Go to page"},
            {"type": "extract", "label": "Extract data"}
        ],
        "outputSchema": {"title": "string", "price": "number"}
    });
    EditRequest {
        purpose: EditPurpose::NewFlow,
        text: pretty(&template),
        error: None,
    }
}

pub fn edit_flow(flow: &Flow) -> EditRequest {
    let full = serde_json::to_value(flow).unwrap_or(Value::Null);
    let mut doc = Map::new();
    for key in EDITABLE {
        if let Some(v) = full.get(*key)
            && !v.is_null()
        {
            doc.insert(key.to_string(), v.clone());
        }
    }
    let doc = Value::Object(doc);
    EditRequest {
        purpose: EditPurpose::EditFlow {
            id: flow.id.clone(),
            original: doc.clone(),
        },
        text: pretty(&doc),
        error: None,
    }
}

fn pretty(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

/// The text written to the file: a `//` header, then the JSON.
pub fn file_text(request: &EditRequest) -> String {
    let mut out = String::new();
    match &request.error {
        Some(error) => {
            for line in error.lines() {
                out.push_str(&format!("// Error: {line}\n"));
            }
            out.push_str("// Fix it and save, or quit without changes to give up.\n");
        }
        None => {
            let what = match &request.purpose {
                EditPurpose::NewFlow => "A new flow".to_string(),
                EditPurpose::EditFlow { id, .. } => format!("Flow {id}"),
            };
            out.push_str(&format!(
                "// {what}. Save to send it; quit without changes (or empty the file) to cancel.\n"
            ));
            if request.purpose == EditPurpose::NewFlow {
                out.push_str(
                    "// Also: \"schedule\": \"every 15m\"; a monitor: \"mode\": \"monitor\" with \
                     \"monitor\": {\"key\": \"url\", \"notifyOn\": \"any\"}; \"webhookUrl\": \"https://...\".\n",
                );
            }
        }
    }
    out.push_str(&request.text);
    out
}

/// Drops the leading `//` lines.
pub fn strip_header(text: &str) -> String {
    let mut rest = text;
    while rest.trim_start().starts_with("//") {
        let start = rest.len() - rest.trim_start().len();
        rest = match rest[start..].find('\n') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    rest.to_string()
}

/// A merge patch (RFC 7396) that turns `original` into `edited`: what
/// changed only, objects field by field, and `null` for fields removed in
/// the editor, so the server clears them (in `monitor` too: the server
/// merges objects, so a field left out would stay). What is unchanged is
/// left out: `webhookUrl` sent back as it is would resume deliveries that
/// a 410 stopped.
pub fn merge_patch(original: &Value, edited: &Value) -> Value {
    let (Value::Object(old), Value::Object(new)) = (original, edited) else {
        return edited.clone();
    };
    let mut patch = Map::new();
    for (key, value) in new {
        match old.get(key) {
            Some(before) if before == value => {}
            Some(before @ Value::Object(_)) if value.is_object() => {
                patch.insert(key.clone(), merge_patch(before, value));
            }
            _ => {
                patch.insert(key.clone(), value.clone());
            }
        }
    }
    for key in old.keys() {
        if !new.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    Value::Object(patch)
}

impl App {
    /// The editor closed; `result` is the file as saved.
    pub fn edited(
        &mut self,
        request: EditRequest,
        result: std::io::Result<String>,
    ) -> Vec<Command> {
        let saved = match result {
            Ok(text) => text,
            Err(e) => {
                self.flash_error(format!("could not run the editor: {e}"));
                return Vec::new();
            }
        };
        let body = strip_header(&saved);
        if body.trim().is_empty() || body.trim() == request.text.trim() {
            self.flash_info("no change, nothing sent");
            return Vec::new();
        }
        let value: Value = match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(e) => {
                let error = format!("not valid JSON: {e}");
                self.flash_error(error.clone());
                return vec![Command::Edit(EditRequest {
                    purpose: request.purpose,
                    text: body,
                    error: Some(error),
                })];
            }
        };
        let request = EditRequest {
            text: body,
            error: None,
            ..request
        };
        let api = match &request.purpose {
            EditPurpose::NewFlow => Request::CreateFlow(value),
            EditPurpose::EditFlow { id, original } => {
                let patch = merge_patch(original, &value);
                if patch.as_object().is_some_and(Map::is_empty) {
                    self.flash_info("no change, nothing sent");
                    return Vec::new();
                }
                Request::UpdateFlow {
                    id: id.clone(),
                    patch,
                }
            }
        };
        let command = self.request(Slot::Write, api);
        if let Command::Api(tag, _) = &command {
            self.pending_edit = Some((*tag, request));
        }
        vec![command]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_dropped_and_only_the_header() {
        let text = "// Error: name: missing\n  // more\n{\"a\": \"// not a comment\"}\n";
        assert_eq!(strip_header(text), "{\"a\": \"// not a comment\"}\n");
    }

    #[test]
    fn removed_fields_become_null_in_the_patch() {
        let original = json!({"name": "a", "description": "d", "url": "u"});
        let edited = json!({"name": "b", "url": "u"});
        assert_eq!(
            merge_patch(&original, &edited),
            json!({"name": "b", "description": null})
        );
    }

    #[test]
    fn the_patch_holds_only_changes_down_to_nested_fields() {
        let original = json!({
            "name": "a",
            "webhookUrl": "https://hooks.example.com/x",
            "monitor": {"key": "url", "selector": ".price", "ignore": ["\\d+ views"]},
            "steps": [{"type": "navigate"}]
        });
        let edited = json!({
            "name": "a",
            "webhookUrl": "https://hooks.example.com/x",
            "monitor": {"key": ["sku", "region"], "ignore": ["\\d+ views"]},
            "steps": [{"type": "navigate"}, {"type": "extract"}]
        });
        assert_eq!(
            merge_patch(&original, &edited),
            json!({
                "monitor": {"key": ["sku", "region"], "selector": null},
                "steps": [{"type": "navigate"}, {"type": "extract"}]
            })
        );
        assert_eq!(merge_patch(&original, &original), json!({}));
    }

    #[test]
    fn monitor_and_webhook_are_editable_but_not_the_secret() {
        let flow: Flow = serde_json::from_value(json!({
            "id": "flow-1", "name": "Prices", "description": null,
            "url": "https://shop.example.com/", "mode": "monitor", "status": "active",
            "steps": [], "outputSchema": null, "successRate": 0.0, "totalRuns": 0,
            "lastRunAt": null,
            "monitor": {"key": "url", "notifyOn": {"field": "price", "dropPercent": 10}},
            "webhookUrl": "https://hooks.example.com/x",
            "webhookSecret": "whsec_****abcd",
            "webhookDisabled": "the receiver answered 410 Gone",
            "createdAt": "2026-03-18T12:00:00Z", "updatedAt": "2026-03-18T12:00:00Z"
        }))
        .unwrap();
        let request = edit_flow(&flow);
        let doc: Value = serde_json::from_str(&request.text).unwrap();
        assert_eq!(doc["monitor"]["notifyOn"]["dropPercent"], 10.0);
        assert_eq!(doc["webhookUrl"], "https://hooks.example.com/x");
        assert!(doc.get("webhookSecret").is_none());
        assert!(doc.get("webhookDisabled").is_none());
    }
}
