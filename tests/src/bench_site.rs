//! The generated bench shop (`scraper_server::bench_shop`), for tests that
//! need a realistic site with known products.

use scraper_server::bench_shop::{self, Options};
use std::path::PathBuf;
use tempfile::TempDir;

/// The base URL the shop's expected.json is written with.
pub const GENERATED_BASE: &str = bench_shop::DEFAULT_BASE;

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub name: String,
    pub price: f64,
    /// The product page's path (`/product/...html`).
    pub path: String,
}

pub struct BenchSite {
    pub dir: TempDir,
    pub products: Vec<Product>,
    /// Every page path of the site (urls.txt).
    pub pages: Vec<String>,
}

impl BenchSite {
    pub fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }
}

/// Generates a shop of `pages` pages into a temporary directory.
pub fn generate(pages: usize) -> BenchSite {
    generate_with(pages, 1)
}

/// The same with another random draw of products.
pub fn generate_with(pages: usize, seed: u64) -> BenchSite {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = Options {
        pages,
        base: GENERATED_BASE.into(),
        seed,
    };
    bench_shop::make(dir.path(), &options).expect("bench shop written");
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("expected.json")).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let products = expected["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| Product {
            name: p["name"].as_str().unwrap().to_string(),
            price: p["price"].as_f64().unwrap(),
            path: p["url"]
                .as_str()
                .unwrap()
                .trim_start_matches(GENERATED_BASE)
                .to_string(),
        })
        .collect();
    let pages = std::fs::read_to_string(dir.path().join("urls.txt"))
        .expect("urls.txt")
        .lines()
        .map(str::to_string)
        .collect();
    BenchSite {
        dir,
        products,
        pages,
    }
}
