//! The extraction engine: pure functions from HTML, the page's URL and a spec
//! to typed records. No I/O: fetching, charset decoding and storage happen
//! before and after.
//!
//! Compile a spec once with [`compile`], then call [`extract`] per page:
//!
//! ```
//! use scraper_server::extract::{ExtractSpec, compile, extract};
//!
//! let spec: ExtractSpec = serde_json::from_str(
//!     r#"{"schema": {"name": "string", "price": "number", "url": "url"}}"#,
//! ).unwrap();
//! let spec = compile(&spec).unwrap();
//! let html = r#"<ul><li class="p"><a href="/a">Lamp</a> <span class="price">$1,299.00</span></li>
//!               <li class="p"><a href="/b">Desk</a> <span class="price">$89.50</span></li></ul>"#;
//! let page = url::Url::parse("https://shop.test/list").unwrap();
//! let out = extract(html, &page, &spec);
//! assert_eq!(out.items.len(), 2);
//! assert_eq!(out.items[0]["price"], 1299.0);
//! assert_eq!(out.items[1]["url"], "https://shop.test/b");
//! ```
//!
//! - **Explicit mode** (the spec has `selector` and/or `fields`): items are the
//!   elements the item selector matches (the whole page when there is none);
//!   each field reads its selector's first match, as text or as an attribute.
//!   Schema fields without a selector are located inside each item as in auto
//!   mode.
//! - **Auto mode** (no selectors): structured data (JSON-LD, microdata, Open
//!   Graph), then repeated sibling records, then the page as one record; the
//!   first that yields the schema's fields wins. "Yields" means at least half
//!   of the fields of an evidence type (number, integer, boolean, datetime)
//!   are filled, or half of all fields when the schema has none: a title and
//!   a link are on every page, a price only where there are products. Pages
//!   without such content give no items rather than guesses.
//!
//! The schema comes from the spec; else from the `fields` given; else it is
//! inferred from `instructions` ("product names and prices" gives `name` and
//! `price`); else it is [`default_schema`]: `{"title": "string", "url": "url"}`,
//! which every page can fill.
//!
//! Values that are on the page but do not fit their type are `null` and
//! counted in [`Extraction::uncoerced`].

mod attrs;
mod auto;
mod coerce;
mod explicit;
mod instructions;
mod output;
mod spec;
mod text;
mod types;
mod vocab;
mod walk;

use scraper::Html;
use url::Url;

pub use output::{Extraction, Method};
pub use spec::{CompiledSpec, ExtractSpec, FieldSelector, SpecError, compile, default_schema};
pub use types::{FieldType, Schema};

/// Extracts the records of one page.
pub fn extract(html: &str, base: &Url, spec: &CompiledSpec) -> Extraction {
    extract_document(&Html::parse_document(html), base, spec)
}

/// [`extract`] for a page the caller has already parsed (to follow its links,
/// say), so it is parsed once.
pub fn extract_document(html: &Html, base: &Url, spec: &CompiledSpec) -> Extraction {
    match &spec.mode {
        spec::Mode::Auto => auto::extract(html, base, spec),
        spec::Mode::Explicit { item, rules } => {
            explicit::extract(html, base, spec, item.as_ref(), rules)
        }
    }
}

/// The text a monitor watches on a page, one block per line: with
/// `selector`, the text of every element it matches; else the page's main
/// content (`<main>` or `role=main`, else the body without its navigation,
/// header, footer and asides).
pub fn page_text(html: &Html, selector: Option<&scraper::Selector>) -> String {
    if let Some(selector) = selector {
        let parts: Vec<String> = html
            .select(selector)
            .map(|el| text::element_lines(el, |_| false))
            .filter(|t| !t.is_empty())
            .collect();
        return parts.join("\n");
    }
    let main = scraper::Selector::parse("main, [role=main]").expect("a valid selector");
    if let Some(el) = html.select(&main).next() {
        return text::element_lines(el, |_| false);
    }
    let chrome = |name: &str| matches!(name, "nav" | "header" | "footer" | "aside");
    let body = scraper::Selector::parse("body").expect("a valid selector");
    match html.select(&body).next() {
        Some(el) => text::element_lines(el, chrome),
        None => text::element_lines(html.root_element(), chrome),
    }
}

/// What [`compile`] infers from instructions alone, for showing a user the
/// fields before a run.
pub fn infer_schema(instructions: &str) -> Schema {
    instructions::infer_schema(instructions)
}
