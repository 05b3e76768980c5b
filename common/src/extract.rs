//! `POST /api/extract`: one-shot extraction without a flow.

use crate::flow::{FieldType, OutputSchema};
use crate::time::{self, Timestamp};
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtractRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<HashMap<String, FieldType>>)]
    pub schema: Option<OutputSchema>,
    /// Explicit mode: the CSS selector of one item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Explicit mode: field name -> selector (`".price"`, `"a::attr(href)"`,
    /// or `{"selector": "a", "attr": "href"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<IndexMap<String, FieldSelector>>,
    /// Extract from this HTML instead of fetching `url` (which is then its base URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtractResult {
    /// The page the items come from (after redirects); `null` for sent HTML without a URL.
    pub url: Option<String>,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub extracted_at: Timestamp,
    pub item_count: u64,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Map<String, Value>>,
    /// The fields extracted, with their types (given, inferred or default).
    #[schema(value_type = HashMap<String, FieldType>)]
    pub fields: OutputSchema,
    /// How the items were found: explicit, jsonLd, microdata, openGraph, repeated, page or none.
    pub method: String,
    /// Values present on the page that did not fit their type, returned as `null`.
    pub uncoerced: u64,
    /// Things a person should know (a body cut at 10 MiB, a charset guessed...).
    pub warnings: Vec<String>,
}

/// Where one field's value sits inside an item: a CSS selector (empty for the
/// item itself) and the attribute to read, or its text when `attr` is `None`.
///
/// Deserializes from `{"selector": "a", "attr": "href"}` or from the short
/// forms `"a::attr(href)"`, `".price"`, `"h2::text"`, `"::attr(href)"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldSelector {
    pub selector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attr: Option<String>,
}

impl FieldSelector {
    /// Reads the short form. A suffix it does not know is left in the selector,
    /// where [`compile`] reports it against the field's name.
    pub fn parse(short: &str) -> FieldSelector {
        let s = short.trim();
        if let Some(rest) = s.strip_suffix("::text") {
            return FieldSelector {
                selector: rest.trim().to_string(),
                attr: None,
            };
        }
        if let Some(open) = s.rfind("::attr(")
            && let Some(name) = s[open + 7..].strip_suffix(')')
        {
            return FieldSelector {
                selector: s[..open].trim().to_string(),
                attr: Some(name.trim().to_string()),
            };
        }
        FieldSelector {
            selector: s.to_string(),
            attr: None,
        }
    }
}

impl From<&str> for FieldSelector {
    fn from(s: &str) -> Self {
        FieldSelector::parse(s)
    }
}

impl<'de> Deserialize<'de> for FieldSelector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            selector: String,
            #[serde(default)]
            attr: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Short(String),
            Full(Full),
        }
        match Form::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "a field selector is a string like \"a::attr(href)\" or an object {\"selector\": \"a\", \"attr\": \"href\"}",
            )
        })? {
            Form::Short(s) => Ok(FieldSelector::parse(&s)),
            Form::Full(f) => {
                let parsed = FieldSelector::parse(&f.selector);
                match (f.attr, parsed.attr) {
                    (Some(attr), None) => Ok(FieldSelector {
                        selector: parsed.selector,
                        attr: Some(attr),
                    }),
                    (None, attr) => Ok(FieldSelector {
                        selector: parsed.selector,
                        attr,
                    }),
                    // Both forms at once: keep it as written so compile() can say so.
                    (Some(attr), Some(_)) => Ok(FieldSelector {
                        selector: f.selector,
                        attr: Some(attr),
                    }),
                }
            }
        }
    }
}
