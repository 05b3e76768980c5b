//! Helpers shared by the integration tests.
#![allow(dead_code)]

use scraper_server::extract::{
    CompiledSpec, ExtractSpec, Extraction, FieldType, Schema, compile, extract,
};
use serde_json::{Map, Value};
use url::Url;

pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn schema(fields: &[(&str, FieldType)]) -> Schema {
    fields.iter().map(|(n, t)| (n.to_string(), *t)).collect()
}

pub fn auto_spec(fields: &[(&str, FieldType)]) -> CompiledSpec {
    compile(&ExtractSpec {
        schema: Some(schema(fields)),
        ..ExtractSpec::default()
    })
    .expect("valid spec")
}

pub fn spec_from_json(json: Value) -> CompiledSpec {
    let spec: ExtractSpec = serde_json::from_value(json).expect("spec deserializes");
    compile(&spec).expect("valid spec")
}

pub fn run(html: &str, url: &str, spec: &CompiledSpec) -> Extraction {
    extract(html, &Url::parse(url).unwrap(), spec)
}

/// Items as JSON values, for whole-record comparisons with `json!`.
pub fn items(x: &Extraction) -> Vec<Value> {
    x.items.iter().cloned().map(Value::Object).collect()
}

pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => panic!("not an object"),
    }
}
