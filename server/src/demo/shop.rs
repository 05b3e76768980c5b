//! The demo shop's pages: a small catalogue generated in code, so the demo
//! works with no network and no files beside the binary.

/// Products in the shop, and how many a listing page shows.
pub const PRODUCTS: usize = 24;
pub const PER_PAGE: usize = 8;
pub const PAGES: usize = PRODUCTS.div_ceil(PER_PAGE);

const ADJECTIVES: [&str; 6] = ["Walnut", "Copper", "Linen", "Granite", "Maple", "Indigo"];
const THINGS: [&str; 4] = ["Desk Lamp", "Coffee Grinder", "Notebook", "Kettle"];

/// One product of the catalogue; `n` runs from 1 to `PRODUCTS`.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub n: usize,
    pub name: String,
    pub sku: String,
    /// In cents, so the pages print exact prices.
    pub price_cents: u32,
    pub in_stock: bool,
}

pub fn product(n: usize) -> Option<Product> {
    if !(1..=PRODUCTS).contains(&n) {
        return None;
    }
    let i = n - 1;
    Some(Product {
        n,
        name: format!(
            "{} {}",
            ADJECTIVES[i % ADJECTIVES.len()],
            THINGS[i % THINGS.len()]
        ),
        sku: format!("DEMO-{n:03}"),
        price_cents: 999 + (i as u32 * 733) % 9000,
        in_stock: !n.is_multiple_of(5),
    })
}

fn price(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A listing page, 1-based; `None` past the last one.
pub fn listing(page: usize) -> Option<String> {
    if !(1..=PAGES).contains(&page) {
        return None;
    }
    let first = (page - 1) * PER_PAGE + 1;
    let cards: String = (first..first + PER_PAGE)
        .filter_map(product)
        .map(|p| {
            format!(
                r#"<div class="product-card"><a href="/demo/product/{n}"><h2 class="name">{name}</h2></a><span class="price">${price}</span><span class="stock">{stock}</span></div>
"#,
                n = p.n,
                name = p.name,
                price = price(p.price_cents),
                stock = if p.in_stock { "In stock" } else { "Sold out" },
            )
        })
        .collect();
    let next = if page < PAGES {
        format!(
            r#"<a class="next" href="/demo/page/{}">Next page</a>"#,
            page + 1
        )
    } else {
        String::new()
    };
    Some(document(
        &format!("Demo Shop, page {page} of {PAGES}"),
        &format!(
            r#"<h1>Demo Shop</h1>
<p>A small shop served by your own Scraper server, for trying flows without the network.</p>
<div class="products">
{cards}</div>
<nav>{next}</nav>"#
        ),
    ))
}

/// A product page with the product in JSON-LD and in the HTML.
pub fn product_page(n: usize) -> Option<String> {
    let p = product(n)?;
    let availability = if p.in_stock { "InStock" } else { "OutOfStock" };
    let price = price(p.price_cents);
    Some(document(
        &p.name,
        &format!(
            r#"<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"{name}","sku":"{sku}","offers":{{"@type":"Offer","price":"{price}","priceCurrency":"USD","availability":"https://schema.org/{availability}"}}}}</script>
<h1 class="name">{name}</h1>
<p class="sku">SKU {sku}</p>
<p class="price">${price}</p>
<p class="stock">{stock}</p>
<a href="/demo/">Back to the shop</a>"#,
            name = p.name,
            sku = p.sku,
            stock = if p.in_stock { "In stock" } else { "Sold out" },
        ),
    ))
}

pub fn not_found() -> String {
    document(
        "Not found",
        r#"<h1>Not found</h1><a href="/demo/">Back to the shop</a>"#,
    )
}

pub(super) fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listing_links_its_products_and_the_next_page() {
        let mut linked = Vec::new();
        for page in 1..=PAGES {
            let html = listing(page).unwrap();
            for n in 1..=PRODUCTS {
                if html.contains(&format!("href=\"/demo/product/{n}\"")) {
                    linked.push(n);
                }
            }
            assert_eq!(html.contains("class=\"next\""), page < PAGES, "page {page}");
        }
        assert_eq!(linked, (1..=PRODUCTS).collect::<Vec<_>>());
        assert!(listing(0).is_none() && listing(PAGES + 1).is_none());
    }

    #[test]
    fn products_are_distinct_and_bounded() {
        assert!(product(0).is_none() && product(PRODUCTS + 1).is_none());
        let skus: std::collections::HashSet<String> =
            (1..=PRODUCTS).map(|n| product(n).unwrap().sku).collect();
        assert_eq!(skus.len(), PRODUCTS);
        assert!(product_page(3).unwrap().contains("\"sku\":\"DEMO-003\""));
    }
}
