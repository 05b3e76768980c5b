//! The answers a benchmark scores a crawl against: the products to find
//! (expected.json) and the pages to fetch (urls.txt).

use super::catalogue::Catalogue;
use super::pages::Page;
use super::py_json::{Style, dumps};
use serde_json::{Value, json};

pub fn expected_json(base: &str, pages: usize, catalogue: &Catalogue) -> String {
    let products: Vec<Value> = catalogue
        .products
        .iter()
        .map(|p| json!({"name": p.name, "price": p.price, "url": format!("{base}{}", p.path)}))
        .collect();
    let expected = json!({"base": base, "pages": pages, "products": products});
    dumps(&expected, Style::Lines)
}

pub fn urls_txt(pages: &[Page]) -> String {
    pages.iter().map(|(path, _)| format!("{path}\n")).collect()
}
