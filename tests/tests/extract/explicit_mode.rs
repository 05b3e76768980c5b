//! Explicit mode: item selector plus per-field selectors, in both the object
//! and the short string forms.

use crate::common;

use common::*;
use scraper_server::extract::{FieldType, Method};
use serde_json::json;

#[test]
fn short_and_object_forms_without_a_schema() {
    let spec = spec_from_json(json!({
        "selector": "article.card",
        "fields": {
            "name": "h3::text",
            "url": "a::attr(href)",
            "image": {"selector": "img", "attr": "src"},
            "price": ".pricing .amount:last-child",
            "missing": ".no-such-thing"
        }
    }));
    // Without a schema, href/src read as URLs and everything else as text.
    assert_eq!(spec.schema()["url"], FieldType::Url);
    assert_eq!(spec.schema()["image"], FieldType::Url);
    assert_eq!(spec.schema()["price"], FieldType::String);
    let x = run(
        &fixture("product_cards.html"),
        "https://shop.test/lamps/",
        &spec,
    );
    assert_eq!(x.method, Method::Explicit);
    assert_eq!(
        items(&x)[0],
        json!({"name": "Arc Lamp", "url": "https://shop.test/lamps/lamps/arc-lamp",
               "image": "https://shop.test/img/arc.jpg", "price": "$99.00", "missing": null})
    );
    assert_eq!(x.items.len(), 3);
    assert_eq!(x.items[2]["price"], json!("$59.99"));
}

#[test]
fn schema_types_the_fields_and_locates_the_ones_without_selectors() {
    let spec = spec_from_json(json!({
        "schema": {"name": "string", "price": "number", "url": "url"},
        "selector": ".card",
        "fields": {"price": ".amount:not(.old-price)"}
    }));
    let x = run(
        &fixture("product_cards.html"),
        "https://shop.test/lamps/",
        &spec,
    );
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Arc Lamp", "price": 99.0, "url": "https://shop.test/lamps/lamps/arc-lamp"}),
            json!({"name": "Desk Lamp & Shade", "price": 1299.5, "url": "https://shop.test/lamps/lamps/desk-lamp"}),
            json!({"name": "Floor Lamp “Tall”", "price": 59.99, "url": "https://shop.test/floor-lamp.html"}),
        ]
    );
}

#[test]
fn fields_without_an_item_selector_make_one_record_of_the_page() {
    let spec = spec_from_json(json!({
        "fields": {
            "heading": "h1",
            "canonical": "link[rel=canonical]::attr(href)",
            "first_post": "ul.posts li:first-child a::attr(href)",
            "nothing": "table td"
        }
    }));
    let x = run(&fixture("list.html"), "https://blog.test/posts/", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"heading": "Latest posts", "canonical": "https://blog.test/posts/",
                    "first_post": "https://blog.test/posts/first", "nothing": null})
        ]
    );
}

#[test]
fn the_item_itself_is_an_empty_selector() {
    let spec = spec_from_json(json!({
        "selector": "ul.posts a",
        "fields": {"title": "::text", "url": "::attr(href)"}
    }));
    let x = run(&fixture("list.html"), "https://blog.test/posts/", &spec);
    assert_eq!(x.items.len(), 3);
    assert_eq!(
        items(&x)[1],
        json!({"title": "Second post", "url": "https://blog.test/posts/second"})
    );
}

#[test]
fn values_that_do_not_fit_their_type_are_null_and_counted() {
    let spec = spec_from_json(json!({
        "schema": {"price": "number", "when": "datetime", "link": "url", "qty": "integer"},
        "selector": "tr",
        "fields": {"price": "td:nth-child(3)", "when": "td:nth-child(5)", "link": "td:nth-child(2)", "qty": "td:nth-child(2)"}
    }));
    let x = run(&fixture("table.html"), "https://shop.test/", &spec);
    // The header row has no td: every field null but nothing uncoercible.
    assert_eq!(x.items.len(), 5);
    assert_eq!(
        items(&x)[0],
        json!({"price": null, "when": null, "link": null, "qty": null})
    );
    assert_eq!(x.items[1]["price"], json!(1299.0));
    assert_eq!(x.items[1]["qty"], json!(1));
    // "Call us" and "soon": two values present but of the wrong type.
    assert_eq!(x.items[4]["price"], json!(null));
    assert_eq!(x.uncoerced, 2);
    // A plain SKU text is a relative URL, which is still a URL.
    assert_eq!(x.items[1]["link"], json!("https://shop.test/SKU-001"));
}

#[test]
fn explicit_text_skips_invisible_content_too() {
    let spec = spec_from_json(json!({"fields": {"name": "h2.name", "all": ".product"}}));
    let x = run(&fixture("hidden.html"), "https://shop.test/", &spec);
    assert_eq!(x.items[0]["name"], json!("Visible Name"));
    assert_eq!(x.items[0]["all"], json!("Visible Name $10.00"));
}

#[test]
fn typed_fields_read_the_attribute_their_type_implies() {
    let spec = spec_from_json(json!({
        "schema": {"link": "url", "when": "datetime", "price": "number", "img": "url"},
        "selector": "li",
        "fields": {"link": "a", "when": "time", "price": "meta", "img": "img"}
    }));
    let html = r#"<ul><li><a href="/p/1">Product one</a><time datetime="2026-03-18">March 18</time>
        <meta itemprop="price" content="12.50"><img src="/i/1.jpg"></li></ul>"#;
    let x = run(html, "https://shop.test/list", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"link": "https://shop.test/p/1", "when": "2026-03-18", "price": 12.5,
                    "img": "https://shop.test/i/1.jpg"})
        ]
    );
}
