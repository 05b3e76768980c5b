//! No input crashes the engine, and every item has exactly the schema's
//! fields in the schema's order, whatever the page.

use crate::common;

use common::*;
use scraper_server::extract::FieldType::{Boolean, Datetime, Integer, Number, String as Text, Url};
use serde_json::json;

const FIXTURES: &[&str] = &[
    "product_cards.html",
    "table.html",
    "list.html",
    "jsonld_product_offers.html",
    "jsonld_graph.html",
    "jsonld_itemlist.html",
    "microdata.html",
    "opengraph.html",
    "broken.html",
    "hidden.html",
    "prices.html",
    "woocommerce.html",
    "empty.html",
];

#[test]
fn every_fixture_cut_anywhere_gives_well_formed_items() {
    let specs = [
        spec_from_json(json!({})),
        auto_spec(&[("name", Text), ("price", Number), ("url", Url)]),
        auto_spec(&[
            ("title", Text),
            ("count", Integer),
            ("ok", Boolean),
            ("when", Datetime),
            ("image", Url),
        ]),
        spec_from_json(
            json!({"selector": "div, li, tr", "schema": {"name": "string", "price": "number"}}),
        ),
        spec_from_json(json!({"fields": {"h": "h1, h2", "a": "a::attr(href)"}})),
    ];
    for name in FIXTURES {
        let html = fixture(name);
        let cuts: Vec<usize> = (0..=8)
            .map(|k| html.len() * k / 8)
            .map(|mut at| {
                while !html.is_char_boundary(at) {
                    at -= 1;
                }
                at
            })
            .collect();
        for at in cuts {
            for spec in &specs {
                let x = run(&html[..at], "https://shop.test/a/b", spec);
                let keys: Vec<&String> = spec.schema().keys().collect();
                for item in &x.items {
                    assert_eq!(item.keys().collect::<Vec<_>>(), keys, "{name} cut at {at}");
                }
                assert_eq!(x.schema, *spec.schema());
            }
        }
    }
}

#[test]
fn hostile_inputs_do_not_crash() {
    let deep = format!(
        "{}<span class=price>$1</span>",
        "<div class=a>".repeat(5_000)
    );
    let wide = format!(
        "<ul>{}</ul>",
        "<li class=x><a href='#'>x</a> $1</li>".repeat(5_000)
    );
    let junk_ld = r#"<script type="application/ld+json">{"@graph": [{"@id": "a", "@type": "Product", "offers": {"@id": "a"}, "name": {"@id": "a"}}]}</script>"#;
    let bad_urls = r#"<ul><li><a href="javascript:alert(1)">A $1</a></li><li><a href="http://[::1">B $2</a></li><li><a href="">C $3</a></li></ul>"#;
    let spec = auto_spec(&[("name", Text), ("price", Number), ("url", Url)]);
    for html in [
        deep.as_str(),
        wide.as_str(),
        junk_ld,
        bad_urls,
        "\u{0}\u{feff}<<>>&&&;",
        "<table><td><td><tr><th>",
    ] {
        let x = run(html, "https://shop.test/", &spec);
        assert!(x.items.len() <= 5_000);
    }
    let x = run(bad_urls, "https://shop.test/", &spec);
    assert_eq!(x.items.len(), 3);
    assert!(x.items.iter().all(|i| i["url"].is_null()), "{x:?}");
}
