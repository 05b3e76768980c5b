//! `POST /api/extract` end to end: the server fetches pages that the tests
//! serve on 127.0.0.1 (allowed with `127.0.0.1/32`), or takes HTML sent to it.

use reqwest::Method;
use scraper_tests::bench_site::{self, Product};
use scraper_tests::site::{Reply, TestSite, closed_port};
use scraper_tests::{assert_error, spawn_app, spawn_app_on_loopback, spawn_app_with_fetch_timeout};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const LISTING: &str = r#"<!doctype html><html><head><title>Store</title></head><body>
<div class="products">
  <div class="card"><h2 class="title">Wireless Headphones Pro</h2><span class="price">$79.99</span><a href="/p/1">View</a></div>
  <div class="card"><h2 class="title">USB-C Hub 7-in-1</h2><span class="price">$34.99</span><a href="/p/2">View</a></div>
  <div class="card"><h2 class="title">Mechanical Keyboard</h2><span class="price">$129.99</span><a href="/p/3">View</a></div>
</div></body></html>"#;

async fn post(app: &scraper_tests::TestApp, body: Value) -> (u16, Value) {
    app.send(app.raw(Method::POST, "/extract").json(&body))
        .await
}

#[tokio::test]
async fn the_reference_example_on_a_served_page() {
    let site = TestSite::pages(vec![("/products", Reply::html(LISTING))]).await;
    let app = spawn_app_on_loopback().await;
    let url = site.url("/products");
    let (status, body) = post(
        &app,
        json!({
            "url": url,
            "instructions": "Extract all product names and prices",
            "schema": {"name": "string", "price": "number"}
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let data = &body["data"];
    assert_eq!(data["url"], url.as_str());
    assert!(data["extractedAt"].is_string());
    assert_eq!(data["itemCount"], 3);
    assert_eq!(
        data["items"],
        json!([
            {"name": "Wireless Headphones Pro", "price": 79.99},
            {"name": "USB-C Hub 7-in-1", "price": 34.99},
            {"name": "Mechanical Keyboard", "price": 129.99}
        ])
    );
    assert_eq!(data["method"], "repeated");
    assert_eq!(data["uncoerced"], 0);

    // The reference's curl: instructions alone infer name and price.
    let (status, body) = post(
        &app,
        json!({"url": url, "instructions": "Extract all product names and prices"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["fields"],
        json!({"name": "string", "price": "number"})
    );
    assert_eq!(
        body["data"]["items"][2],
        json!({"name": "Mechanical Keyboard", "price": 129.99})
    );
}

#[tokio::test]
async fn explicit_selectors_and_sent_html() {
    let app = spawn_app().await;
    let (status, body) = post(
        &app,
        json!({
            "url": "https://shop.example/list",
            "html": LISTING,
            "selector": ".card",
            "fields": {"title": "h2", "price": ".price", "link": "a::attr(href)"},
            "schema": {"title": "string", "price": "number", "link": "url"}
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["method"], "explicit");
    assert_eq!(
        body["data"]["items"][1],
        json!({"title": "USB-C Hub 7-in-1", "price": 34.99, "link": "https://shop.example/p/2"})
    );

    // Without a URL, relative links cannot be made absolute: null, and said so.
    let (status, body) = post(
        &app,
        json!({"html": LISTING, "selector": ".card", "fields": {"link": {"selector": "a", "attr": "href"}}, "schema": {"link": "url"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["url"], Value::Null);
    assert_eq!(body["data"]["items"][0]["link"], Value::Null);
    assert!(
        body["data"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("url")
    );

    let bad = post(
        &app,
        json!({"html": LISTING, "selector": ".card", "fields": {"price": ".price >> span"}}),
    )
    .await;
    assert_error(&bad, 422, "validation_failed", &["fields.price"]);
    let bad = post(&app, json!({"html": LISTING, "selector": "!!"})).await;
    assert_error(&bad, 422, "validation_failed", &["selector"]);
    let none = post(&app, json!({"instructions": "prices"})).await;
    assert_error(&none, 422, "validation_failed", &["url"]);
    let relative = post(&app, json!({"url": "/products"})).await;
    assert_error(&relative, 422, "validation_failed", &["url"]);
    let typo = post(&app, json!({"url": "https://shop.example/", "shema": {}})).await;
    assert_error(&typo, 422, "validation_failed", &["shema"]);
    let wrong = post(
        &app,
        json!({"url": "https://shop.example/", "schema": {"p": "money"}}),
    )
    .await;
    assert_error(&wrong, 422, "validation_failed", &["schema.p"]);
}

/// Every listing page and every product page of the generated shop, through
/// the API: exactly its products.
#[tokio::test]
async fn the_bench_shop_through_the_api() {
    let shop = bench_site::generate(300);
    let site = TestSite::dir(shop.www()).await;
    let app = spawn_app_on_loopback().await;
    let schema = json!({"name": "string", "price": "number", "url": "url"});
    let base = format!("http://{}", site.addr);
    let as_product = |item: &Value| Product {
        name: item["name"].as_str().unwrap().to_string(),
        price: item["price"].as_f64().unwrap(),
        path: item["url"]
            .as_str()
            .unwrap()
            .trim_start_matches(&base)
            .to_string(),
    };
    let key = |p: &Product| {
        (
            p.path.clone(),
            p.name.clone(),
            (p.price * 100.0).round() as i64,
        )
    };

    let expected: BTreeSet<_> = shop.products.iter().map(key).collect();
    let mut from_listings = BTreeSet::new();
    let listings: Vec<&String> = shop
        .pages
        .iter()
        .filter(|p| p.starts_with("/category/"))
        .collect();
    assert!(listings.len() > 5);
    for path in listings {
        let (status, body) = post(&app, json!({"url": site.url(path), "schema": schema})).await;
        assert_eq!(status, 200, "{path}: {body}");
        let items = body["data"]["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{path} lists products");
        // A category's index repeats its first page, so only membership counts here.
        for item in items {
            let product = key(&as_product(item));
            assert!(
                expected.contains(&product),
                "{path}: {item} is not a product"
            );
            from_listings.insert(product);
        }
    }
    assert_eq!(
        from_listings, expected,
        "the listings hold exactly the products"
    );

    for product in shop.products.iter().step_by(7) {
        let (status, body) = post(
            &app,
            json!({"url": site.url(&product.path), "schema": schema}),
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", product.path);
        let items = body["data"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}: {body}", product.path);
        assert_eq!(key(&as_product(&items[0])), key(product));
    }

    for path in ["/about.html", "/guides/"] {
        let (status, body) = post(&app, json!({"url": site.url(path), "schema": schema})).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["data"]["itemCount"], 0,
            "{path} has no products: {body}"
        );
    }
}

#[tokio::test]
async fn private_targets_are_refused_without_any_traffic() {
    let site = TestSite::pages(vec![("/", Reply::html(LISTING))]).await;
    let app = spawn_app().await;
    let refused = post(&app, json!({"url": site.url("/")})).await;
    assert_error(
        &refused,
        422,
        "url_refused",
        &["127.0.0.1", "--allow-private-networks"],
    );
    let localhost = post(
        &app,
        json!({"url": format!("http://localhost:{}/", site.addr.port())}),
    )
    .await;
    assert_error(&localhost, 422, "url_refused", &[]);
    assert_eq!(site.hits(), 0, "nothing reached the site");
}

#[tokio::test]
async fn allowed_ranges_are_exact_and_redirects_are_checked() {
    let other = TestSite::pages(vec![("/", Reply::html(LISTING))]).await;
    let target = format!("http://127.0.0.2:{}/", other.addr.port());
    let site = TestSite::pages(vec![
        ("/jump", Reply::redirect(&target)),
        ("/hop", Reply::redirect("/products")),
        ("/products", Reply::html(LISTING)),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    let direct = post(&app, json!({"url": target})).await;
    assert_error(&direct, 422, "url_refused", &["127.0.0.2"]);
    let redirected = post(&app, json!({"url": site.url("/jump")})).await;
    assert_error(&redirected, 422, "url_refused", &["127.0.0.2"]);
    assert_eq!(other.hits(), 0, "the refused address saw nothing");

    let (status, body) = post(
        &app,
        json!({"url": site.url("/hop"), "schema": {"name": "string", "price": "number"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["url"],
        site.url("/products"),
        "the final URL after the redirect"
    );
    assert_eq!(body["data"]["itemCount"], 3);
}

#[tokio::test]
async fn fetch_failures_say_what_happened() {
    // A port where nothing listens: bind one, then close it.
    let closed = closed_port();
    // A server that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let site = TestSite::pages(vec![
        (
            "/doc.pdf",
            Reply::with_type("application/pdf", b"%PDF-1.4".to_vec()),
        ),
        ("/gone", Reply::status(404)),
    ])
    .await;
    let app = spawn_app_with_fetch_timeout(Duration::from_millis(500)).await;

    let down = post(&app, json!({"url": format!("http://127.0.0.1:{closed}/")})).await;
    assert_error(
        &down,
        502,
        "connect_failed",
        &[&format!("127.0.0.1:{closed}")],
    );
    let slow = post(
        &app,
        json!({"url": format!("http://127.0.0.1:{silent_port}/")}),
    )
    .await;
    assert_error(&slow, 504, "timeout", &[]);
    let pdf = post(&app, json!({"url": site.url("/doc.pdf")})).await;
    assert_error(&pdf, 422, "not_html", &["application/pdf"]);
    let gone = post(&app, json!({"url": site.url("/gone")})).await;
    assert_error(&gone, 502, "upstream_status", &["404"]);
}

#[tokio::test]
async fn pages_in_other_charsets_are_decoded() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/extract/cafe-windows-1252.html"
    ))
    .unwrap();
    let site = TestSite::pages(vec![
        ("/meta", Reply::with_type("text/html", bytes.clone())),
        (
            "/header",
            Reply::with_type("text/html; charset=windows-1252", bytes),
        ),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    for path in ["/meta", "/header"] {
        let (status, body) = post(&app, json!({"url": site.url(path)})).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.to_string().contains("Café"), "{path}: {body}");
    }
}
