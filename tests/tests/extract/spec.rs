//! Compiling specs: errors a person can act on, schema resolution, and
//! inference from instructions.

use crate::common;

use common::*;
use scraper_server::extract::{
    ExtractSpec, FieldSelector, FieldType, Method, compile, default_schema, infer_schema,
};
use serde_json::json;

fn compile_json(
    v: serde_json::Value,
) -> Result<scraper_server::extract::CompiledSpec, scraper_server::extract::SpecError> {
    compile(&serde_json::from_value::<ExtractSpec>(v).expect("deserializes"))
}

#[test]
fn a_bad_item_selector_names_the_selector() {
    let e = compile_json(json!({"selector": "div[", "fields": {"a": "a"}})).unwrap_err();
    assert_eq!(e.field, "selector");
    assert!(
        e.message.contains("\"div[\" is not a valid CSS selector"),
        "{e}"
    );
}

#[test]
fn a_bad_field_selector_names_the_field() {
    let e = compile_json(
        json!({"selector": ".card", "fields": {"name": "h2", "price": ".price >> span"}}),
    )
    .unwrap_err();
    assert_eq!(e.field, "fields.price");
    assert!(e.message.contains(".price >> span"), "{e}");
}

#[test]
fn an_unknown_suffix_says_which_forms_exist() {
    let e = compile_json(json!({"fields": {"url": "a::href"}})).unwrap_err();
    assert_eq!(e.field, "fields.url");
    assert!(e.message.contains("::attr(name)"), "{e}");
    let e = compile_json(json!({"fields": {"url": {"selector": "a::attr(href)", "attr": "src"}}}))
        .unwrap_err();
    assert!(e.message.contains("use one of them"), "{e}");
    let e =
        compile_json(json!({"fields": {"url": {"selector": "a", "attr": "h ref"}}})).unwrap_err();
    assert!(e.message.contains("not an attribute name"), "{e}");
}

#[test]
fn empty_things_are_errors_not_silent_no_ops() {
    assert_eq!(
        compile_json(json!({"fields": {}})).unwrap_err().field,
        "fields"
    );
    assert_eq!(
        compile_json(json!({"schema": {}})).unwrap_err().field,
        "schema"
    );
    assert_eq!(
        compile_json(json!({"selector": " "})).unwrap_err().field,
        "selector"
    );
}

#[test]
fn field_selectors_deserialize_from_both_forms() {
    let spec: ExtractSpec = serde_json::from_value(json!({
        "fields": {"a": "a::attr(href)", "b": ".price", "c": "h2::text", "d": {"selector": "img", "attr": "src"}}
    }))
    .unwrap();
    let f = spec.fields.unwrap();
    assert_eq!(
        f["a"],
        FieldSelector {
            selector: "a".into(),
            attr: Some("href".into())
        }
    );
    assert_eq!(
        f["b"],
        FieldSelector {
            selector: ".price".into(),
            attr: None
        }
    );
    assert_eq!(
        f["c"],
        FieldSelector {
            selector: "h2".into(),
            attr: None
        }
    );
    assert_eq!(
        f["d"],
        FieldSelector {
            selector: "img".into(),
            attr: Some("src".into())
        }
    );
    assert!(serde_json::from_value::<ExtractSpec>(json!({"fields": {"a": 3}})).is_err());
}

#[test]
fn types_and_outputs_serialize_as_documented() {
    assert_eq!(
        serde_json::to_value(FieldType::Datetime).unwrap(),
        json!("datetime")
    );
    let x = run(
        "<html><head><title>T</title></head></html>",
        "https://a.test/",
        &spec_from_json(json!({})),
    );
    assert_eq!(
        serde_json::to_value(&x).unwrap(),
        json!({"items": [{"title": "T", "url": "https://a.test/"}], "schema": {"title": "string", "url": "url"},
               "method": "page", "uncoerced": 0})
    );
    assert_eq!(
        serde_json::to_value(Method::JsonLd).unwrap(),
        json!("jsonLd")
    );
    assert_eq!(
        serde_json::to_value(Method::Nothing).unwrap(),
        json!("none")
    );
}

#[test]
fn instructions_give_the_schema_when_there_is_none() {
    let spec =
        compile_json(json!({"instructions": "Extract all product names and prices"})).unwrap();
    assert_eq!(
        spec.schema(),
        &schema(&[("name", FieldType::String), ("price", FieldType::Number)])
    );
    let x = run(
        &fixture("product_cards.html"),
        "https://shop.test/lamps/",
        &spec,
    );
    assert_eq!(x.method, Method::Repeated);
    assert_eq!(
        items(&x)[1],
        json!({"name": "Desk Lamp & Shade", "price": 1299.5})
    );

    let s = infer_schema(
        "Scrape the title, link, image, rating, publish date, description and SKU of each item",
    );
    assert_eq!(
        s.into_iter().collect::<Vec<_>>(),
        schema(&[
            ("title", FieldType::String),
            ("url", FieldType::Url),
            ("image", FieldType::Url),
            ("rating", FieldType::Number),
            ("date", FieldType::Datetime),
            ("description", FieldType::String),
            ("sku", FieldType::String),
        ])
        .into_iter()
        .collect::<Vec<_>>()
    );
}

#[test]
fn a_schema_wins_over_instructions_and_nothing_gives_the_default() {
    let spec =
        compile_json(json!({"instructions": "names and prices", "schema": {"headline": "string"}}))
            .unwrap();
    assert_eq!(spec.schema(), &schema(&[("headline", FieldType::String)]));
    let spec = compile_json(json!({"instructions": "whatever you find"})).unwrap();
    assert_eq!(spec.schema(), &default_schema());
    assert_eq!(compile_json(json!({})).unwrap().schema(), &default_schema());
}

#[test]
fn fields_outside_the_schema_are_kept_after_it() {
    let spec = compile_json(
        json!({"schema": {"price": "number"}, "fields": {"link": "a::attr(href)", "price": ".p"}}),
    )
    .unwrap();
    assert_eq!(
        spec.schema(),
        &schema(&[("price", FieldType::Number), ("link", FieldType::Url)])
    );
    assert!(spec.is_explicit());
}

#[test]
fn a_misspelt_key_is_refused_rather_than_ignored() {
    let e = serde_json::from_value::<ExtractSpec>(json!({"selectors": ".card"})).unwrap_err();
    assert!(e.to_string().contains("selectors"), "{e}");
}
