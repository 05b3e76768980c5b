//! Open Graph and product meta tags as one schema.org-shaped object, for
//! pages that are about one thing.

use serde_json::{Map, Value, json};

use super::super::dom::Dom;

/// The page's one record, when its meta tags say it is about one thing: a
/// non-website og:type, or a price.
pub(crate) fn entity(dom: &Dom<'_>) -> Option<Value> {
    let meta = |keys: &[&str]| keys.iter().find_map(|k| dom.meta(k)).map(str::to_string);
    let og_type = meta(&["og:type"]).unwrap_or_default().to_ascii_lowercase();
    let price = meta(&["product:price:amount", "og:price:amount"]);
    let single = price.is_some() || !matches!(og_type.as_str(), "" | "website" | "object");
    if !single {
        return None;
    }
    let mut o = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            o.insert(key.to_string(), Value::String(v));
        }
    };
    put("@type", Some(og_type.clone()));
    put("name", meta(&["og:title", "twitter:title"]));
    put("url", meta(&["og:url"]));
    put(
        "image",
        meta(&[
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
        ]),
    );
    put("description", meta(&["og:description", "description"]));
    put("brand", meta(&["product:brand", "og:brand"]));
    put(
        "availability",
        meta(&["product:availability", "og:availability"]),
    );
    put("category", meta(&["product:category"]));
    put("sku", meta(&["product:retailer_item_id"]));
    put("datePublished", meta(&["article:published_time"]));
    put("dateModified", meta(&["article:modified_time"]));
    put("author", meta(&["article:author", "author"]));
    let currency = meta(&["product:price:currency", "og:price:currency"]);
    if price.is_some() || currency.is_some() {
        o.insert(
            "offers".into(),
            json!({"price": price, "priceCurrency": currency}),
        );
    }
    Some(Value::Object(o))
}
