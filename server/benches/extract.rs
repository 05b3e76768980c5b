//! Extraction throughput on one listing page of the bench shop (20 product
//! cards, a copy of /category/furniture/page/1.html of
//! `scraper-server bench-shop --pages 300`), in auto mode and in explicit
//! mode, next to the cost of parsing alone.
//!
//! `cargo bench --bench extract`; pages/s = 1 / time per iteration.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use scraper::Html;
use scraper_server::extract::{ExtractSpec, compile, extract};
use serde_json::json;
use url::Url;

const LISTING: &str = include_str!("listing.html");
/// A product page of the same shop (JSON-LD Product plus the visible fields).
const PRODUCT: &str = include_str!("product.html");

fn listing(c: &mut Criterion) {
    let base = Url::parse("http://127.0.0.1:8080/category/furniture/page/1.html").unwrap();
    let schema = json!({"name": "string", "price": "number", "url": "url"});
    let spec =
        |v: serde_json::Value| compile(&serde_json::from_value::<ExtractSpec>(v).unwrap()).unwrap();
    let auto = spec(json!({"schema": schema}));
    let explicit = spec(json!({
        "schema": schema,
        "selector": ".product-card",
        "fields": {"name": ".product-name", "price": ".price", "url": "a.product-link::attr(href)"}
    }));
    // Both modes must be doing the real work before they are timed.
    for s in [&auto, &explicit] {
        let x = extract(LISTING, &base, s);
        assert_eq!(x.items.len(), 20);
        assert!(
            x.items
                .iter()
                .all(|i| i["price"].is_number() && i["url"].is_string())
        );
    }

    let mut group = c.benchmark_group("listing");
    group.throughput(Throughput::Bytes(LISTING.len() as u64));
    group.bench_function("parse_only", |b| {
        b.iter(|| Html::parse_document(black_box(LISTING)))
    });
    group.bench_function("explicit", |b| {
        b.iter(|| extract(black_box(LISTING), &base, &explicit))
    });
    group.bench_function("auto", |b| {
        b.iter(|| extract(black_box(LISTING), &base, &auto))
    });
    group.finish();
}

fn product(c: &mut Criterion) {
    let base = Url::parse("http://127.0.0.1:8080/product/x.html").unwrap();
    let auto = compile(
        &serde_json::from_value::<ExtractSpec>(
            json!({"schema": {"name": "string", "price": "number", "url": "url"}}),
        )
        .unwrap(),
    )
    .unwrap();
    let x = extract(PRODUCT, &base, &auto);
    assert_eq!(x.items.len(), 1);
    let mut group = c.benchmark_group("product");
    group.throughput(Throughput::Bytes(PRODUCT.len() as u64));
    group.bench_function("parse_only", |b| {
        b.iter(|| Html::parse_document(black_box(PRODUCT)))
    });
    group.bench_function("auto", |b| {
        b.iter(|| extract(black_box(PRODUCT), &base, &auto))
    });
    group.finish();
}

criterion_group!(benches, listing, product);
criterion_main!(benches);
