//! The generated shop of `shared/bench/make_site.py`, for tests that need a
//! realistic site with known products.

use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// The base URL make_site.py writes into expected.json by default.
pub const GENERATED_BASE: &str = "http://127.0.0.1:8080";

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

/// make_site.py: `$SCRAPER_BENCH_DIR`, else `shared/bench` beside an ancestor
/// of this crate (CI lays `shared/` beside the clone).
pub fn make_site_script() -> PathBuf {
    if let Ok(dir) = std::env::var("SCRAPER_BENCH_DIR") {
        return Path::new(&dir).join("make_site.py");
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/bench/make_site.py"))
        .find(|p| p.exists())
        .expect("shared/bench/make_site.py beside the repository (or set SCRAPER_BENCH_DIR)")
}

/// Generates a shop of `pages` pages into a temporary directory.
pub fn generate(pages: usize) -> BenchSite {
    generate_with(pages, 1)
}

/// The same with another random draw of products.
pub fn generate_with(pages: usize, seed: u64) -> BenchSite {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new("python3")
        .arg(make_site_script())
        .arg(dir.path())
        .args(["--pages", &pages.to_string(), "--seed", &seed.to_string()])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "make_site.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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
