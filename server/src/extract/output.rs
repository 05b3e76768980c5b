//! What an extraction returns.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::auto::locate::Found;
use super::coerce::Coerced;
use super::spec::CompiledSpec;
use super::types::Schema;

/// Which branch produced the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Method {
    /// The spec's own selectors.
    Explicit,
    JsonLd,
    Microdata,
    OpenGraph,
    /// A run of same-shaped sibling elements (cards, rows, list items).
    Repeated,
    /// The page as one record.
    Page,
    /// Auto mode found nothing the schema asks for; `items` is empty.
    #[serde(rename = "none")]
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extraction {
    /// One object per record, keys in schema order, `null` where a field has
    /// no value.
    pub items: Vec<Map<String, Value>>,
    /// The fields actually used, in order.
    pub schema: Schema,
    pub method: Method,
    /// Values present on the page that could not be coerced to their type
    /// (and are `null` in the items).
    pub uncoerced: usize,
}

pub(crate) fn finish(spec: &CompiledSpec, method: Method, rows: Vec<Vec<Found>>) -> Extraction {
    let mut uncoerced = 0;
    let items = rows
        .into_iter()
        .map(|row| {
            spec.plans
                .iter()
                .zip(row)
                .map(|(plan, found)| {
                    let value = match found.value {
                        Coerced::Value(v) => v,
                        Coerced::Invalid => {
                            uncoerced += 1;
                            Value::Null
                        }
                        Coerced::Empty => Value::Null,
                    };
                    (plan.name.clone(), value)
                })
                .collect()
        })
        .collect();
    Extraction {
        items,
        schema: spec.schema.clone(),
        method,
        uncoerced,
    }
}
