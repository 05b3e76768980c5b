//! New and edited flows go through `$EDITOR` as JSON. The file may start
//! with `//` lines (help, or the server's last error); they are dropped
//! before the JSON is read.

use super::App;
use super::action::{Command, EditPurpose, EditRequest, Request, Slot};
use scraper_common::Flow;
use serde_json::{Map, Value, json};

/// The fields a person edits; ids, counts and times belong to the server.
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

/// A merge patch that turns `original` into `edited`: fields removed in the
/// editor become `null`, so the server clears them.
pub fn merge_patch(original: &Value, edited: &Value) -> Value {
    let mut patch = edited.as_object().cloned().unwrap_or_default();
    if let Some(original) = original.as_object() {
        for key in original.keys() {
            if !patch.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
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
            EditPurpose::EditFlow { id, original } => Request::UpdateFlow {
                id: id.clone(),
                patch: merge_patch(original, &value),
            },
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
            json!({"name": "b", "url": "u", "description": null})
        );
    }
}
