//! Acceptance: auto mode on the generated bench shop returns exactly the
//! products each page lists (name, price, product URL), one record per
//! product page, and nothing on pages without products.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use scraper_server::extract::{ExtractSpec, FieldType, Method, Schema, compile, extract};
use serde_json::Value;
use url::Url;

const PER_PAGE: usize = 20;
const FEATURED: usize = 6;

fn generate(pages: usize) -> scraper_tests::bench_site::BenchSite {
    let seed = std::env::var("EXTRACT_BENCH_SEED").unwrap_or_else(|_| "1".into());
    scraper_tests::bench_site::generate_with(pages, seed.parse().expect("a numeric seed"))
}

#[derive(Debug, Clone, PartialEq)]
struct Product {
    name: String,
    price: f64,
    url: String,
}

fn spec() -> scraper_server::extract::CompiledSpec {
    let schema: Schema = [
        ("name".to_string(), FieldType::String),
        ("price".to_string(), FieldType::Number),
        ("url".to_string(), FieldType::Url),
    ]
    .into_iter()
    .collect();
    compile(&ExtractSpec {
        schema: Some(schema),
        ..ExtractSpec::default()
    })
    .expect("valid spec")
}

fn file_for(www: &Path, path: &str) -> PathBuf {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        www.join(rel).join("index.html")
    } else {
        www.join(rel)
    }
}

fn as_products(items: &[serde_json::Map<String, Value>]) -> Vec<Product> {
    items
        .iter()
        .map(|item| Product {
            name: item["name"].as_str().unwrap_or("<null>").to_string(),
            price: item["price"].as_f64().unwrap_or(f64::NAN),
            url: item["url"].as_str().unwrap_or("<null>").to_string(),
        })
        .collect()
}

#[test]
fn auto_mode_returns_exactly_the_products_of_every_page() {
    // 300 pages keep the suite fast; EXTRACT_BENCH_PAGES=5000 checks the full-size
    // shop and EXTRACT_BENCH_SEED=n another draw of it.
    let pages = std::env::var("EXTRACT_BENCH_PAGES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(300);
    let site = generate(pages);
    let www = site.dir.path().join("www");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(site.dir.path().join("expected.json")).unwrap(),
    )
    .unwrap();
    let base = expected["base"].as_str().unwrap().to_string();
    let products: Vec<Product> = expected["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Product {
            name: p["name"].as_str().unwrap().to_string(),
            price: p["price"].as_f64().unwrap(),
            url: p["url"].as_str().unwrap().to_string(),
        })
        .collect();

    // The generator deals products to categories in turn, in nav order.
    let home = std::fs::read_to_string(www.join("index.html")).unwrap();
    let mut categories: Vec<String> = Vec::new();
    for part in home.split("href=\"/category/").skip(1) {
        let slug = part.split('/').next().unwrap().to_string();
        if !categories.contains(&slug) {
            categories.push(slug);
        }
    }
    assert!(categories.len() >= 2, "categories: {categories:?}");
    let members: Vec<Vec<&Product>> = (0..categories.len())
        .map(|k| products.iter().skip(k).step_by(categories.len()).collect())
        .collect();
    let by_url: HashMap<&str, &Product> = products.iter().map(|p| (p.url.as_str(), p)).collect();

    let spec = spec();
    let urls = std::fs::read_to_string(site.dir.path().join("urls.txt")).unwrap();
    let (mut listing_pages, mut product_pages, mut empty_pages) = (0, 0, 0);
    let mut listed = 0;
    let mut failures = Vec::new();
    for path in urls.lines().filter(|l| !l.is_empty()) {
        let html = std::fs::read_to_string(file_for(&www, path)).unwrap();
        let page_url = Url::parse(&format!("{base}{path}")).unwrap();
        let got = extract(&html, &page_url, &spec);

        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (want, method): (Vec<Product>, Method) = match parts.as_slice() {
            ["category", slug, "page", n] => {
                let k = categories.iter().position(|c| c == slug).unwrap();
                let j: usize = n.trim_end_matches(".html").parse().unwrap();
                listing_pages += 1;
                let want: Vec<Product> = members[k]
                    .iter()
                    .skip((j - 1) * PER_PAGE)
                    .take(PER_PAGE)
                    .map(|p| (*p).clone())
                    .collect();
                listed += want.len();
                (want, Method::Repeated)
            }
            ["category", slug] => {
                let k = categories.iter().position(|c| c == slug).unwrap();
                listing_pages += 1;
                let want = members[k]
                    .iter()
                    .take(FEATURED)
                    .map(|p| (*p).clone())
                    .collect();
                (want, Method::Repeated)
            }
            ["product", _] => {
                product_pages += 1;
                (vec![(*by_url[page_url.as_str()]).clone()], Method::JsonLd)
            }
            _ => {
                empty_pages += 1;
                (Vec::new(), Method::Nothing)
            }
        };
        let got_products = as_products(&got.items);
        if got_products != want || got.method != method || got.uncoerced != 0 {
            failures.push(format!(
                "{path}: method {:?} (want {method:?}), uncoerced {}, got {} items, want {}\n  got:  {:?}\n  want: {:?}",
                got.method,
                got.uncoerced,
                got_products.len(),
                want.len(),
                got_products.iter().take(3).collect::<Vec<_>>(),
                want.iter().take(3).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} pages wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        listed,
        products.len(),
        "every product is on exactly one pagination page"
    );
    assert_eq!(product_pages, products.len());
    assert!(
        listing_pages > 0 && empty_pages >= 3,
        "{listing_pages} listings, {empty_pages} others"
    );
}

/// The page behind robots.txt is no crawl target, but as a page it does hold
/// one product-like record, found by its class names.
#[test]
fn disallowed_fake_product_page_reads_as_one_record() {
    let site = generate(30);
    let html = std::fs::read_to_string(site.dir.path().join("www/private/secret.html")).unwrap();
    let url = Url::parse("http://127.0.0.1:8080/private/secret.html").unwrap();
    let got = extract(&html, &url, &spec());
    assert_eq!(got.method, Method::Page);
    assert_eq!(
        as_products(&got.items),
        vec![Product {
            name: "SECRET disallowed product".into(),
            price: 0.01,
            url: url.to_string()
        }]
    );
}
