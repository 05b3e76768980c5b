//! The shop's HTML, character for character what the Python generator wrote:
//! crawlers and extractors are measured on these exact bytes.

use super::catalogue::{Catalogue, PER_PAGE, Product};
use super::py_format::{escape, grouped_2f, repr};
use super::py_json::{Style, dumps};
use serde_json::json;

/// Featured products on a category's own page.
const FEATURED: usize = 6;

/// Renders the pages of one catalogue; every page shares the top navigation.
pub struct Html<'a> {
    catalogue: &'a Catalogue,
    nav: String,
}

/// A page path (`/`, `/category/x/`, `/product/y.html`) and its document.
pub type Page = (String, String);

impl<'a> Html<'a> {
    pub fn new(catalogue: &'a Catalogue) -> Html<'a> {
        let links: Vec<String> = catalogue
            .categories
            .iter()
            .map(|c| format!("<a href=\"/category/{}/\">{}</a>", c.slug, escape(c.name)))
            .collect();
        let nav = format!(
            "<header><nav class=\"top\"><a href=\"/\">Home</a> {} <a href=\"/guides/\">Guides</a></nav></header>",
            links.join(" ")
        );
        Html { catalogue, nav }
    }

    fn page(&self, title: &str, body: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{} | Bench Store</title>\
             <meta name=\"viewport\" content=\"width=device-width\"></head>\n<body>\n{}\n\
             <main>\n{body}\n</main>\n<footer><a href=\"/about.html\">About</a> · \
             <a href=\"/guides/\">Guides</a> · <a href=\"mailto:shop@example.invalid\">Contact</a>\
             </footer>\n</body></html>\n",
            escape(title),
            self.nav
        )
    }

    /// Every page that answers 200, in the order urls.txt and sitemap.xml
    /// list them: per category its listing pages then its own page, the
    /// products, the guides, the guides index, about, home.
    pub fn pages(&self) -> Vec<Page> {
        let cat = self.catalogue;
        let mut pages = Vec::new();
        let mut listing_of = vec![String::new(); cat.products.len()];
        for (k, category) in cat.categories.iter().enumerate() {
            let members: Vec<&Product> = cat.products.iter().filter(|p| p.category == k).collect();
            let npages = members.len().div_ceil(PER_PAGE);
            for (j, chunk) in members.chunks(PER_PAGE).enumerate() {
                let path = format!("/category/{}/page/{}.html", category.slug, j + 1);
                for p in chunk {
                    listing_of[p.id - 1] = path.clone();
                }
                let prev = if j > 0 {
                    format!("<a rel=\"prev\" href=\"{j}.html\">Previous</a> ")
                } else {
                    String::new()
                };
                let next = if j + 1 < npages {
                    format!(
                        " <a rel=\"next\" class=\"next\" href=\"{}.html\">Next</a>",
                        j + 2
                    )
                } else {
                    String::new()
                };
                let body = format!(
                    "<h1>{} – page {}</h1>\n<div class=\"products\">\n{}\n</div>\n\
                     <nav class=\"pagination\">{prev}<span>Page {} of {npages}</span>{next}</nav>",
                    escape(category.name),
                    j + 1,
                    cards(chunk),
                    j + 1
                );
                let title = format!("{} page {}", category.name, j + 1);
                pages.push((path, self.page(&title, &body)));
            }
            let browse = if members.is_empty() {
                String::new()
            } else {
                format!(
                    "<a class=\"browse\" href=\"page/1.html\">Browse all {} products</a>",
                    members.len()
                )
            };
            let body = format!(
                "<h1>{}</h1>\n<p>{} products.</p>\n{browse}\n<div class=\"products\">{}</div>",
                escape(category.name),
                members.len(),
                cards(&members[..members.len().min(FEATURED)])
            );
            pages.push((
                format!("/category/{}/", category.slug),
                self.page(category.name, &body),
            ));
        }
        for p in &cat.products {
            pages.push((p.path.clone(), self.product(p, &listing_of[p.id - 1])));
        }
        let guides: Vec<String> = (1..=cat.guides.len())
            .map(|g| format!("/guides/{g}.html"))
            .collect();
        for (g, (path, text)) in guides.iter().zip(&cat.guides).enumerate() {
            let body = format!("<h1>Buying guide {}</h1><p>{text}</p>", g + 1);
            pages.push((path.clone(), self.page(&format!("Guide {}", g + 1), &body)));
        }
        let items: String = guides
            .iter()
            .map(|g| format!("<li><a href=\"{g}\">{g}</a></li>"))
            .collect();
        let body = format!("<h1>Guides</h1><ul>{items}</ul>");
        pages.push(("/guides/".into(), self.page("Guides", &body)));
        let body = "<h1>About</h1><p>Static benchmark store.</p>\
                    <a href=\"/product/discontinued-1.html\">Old item</a> <a href=\"/promo\">Promo</a>";
        pages.push(("/about.html".into(), self.page("About", body)));
        pages.push(("/".into(), self.home()));
        pages
    }

    fn product(&self, p: &Product, listing: &str) -> String {
        let products = &self.catalogue.products;
        let related: Vec<String> = [1, 7, 31, 97]
            .iter()
            .map(|d| &products[(p.id - 1 + d) % products.len()])
            .map(|r| format!("<a href=\"{}\">{}</a>", r.path, escape(&r.name)))
            .collect();
        let stock = if p.stock == 0 {
            "OutOfStock"
        } else {
            "InStock"
        };
        let ld = json!({
            "@context": "https://schema.org",
            "@type": "Product",
            "name": p.name,
            "sku": sku(p),
            "description": p.text.chars().take(160).collect::<String>(),
            "offers": {
                "@type": "Offer",
                "price": format!("{:.2}", p.price),
                "priceCurrency": "USD",
                "availability": format!("https://schema.org/{stock}"),
            },
            "aggregateRating": {
                "@type": "AggregateRating",
                "ratingValue": p.rating,
                "reviewCount": p.reviews,
            },
        });
        // A "</" inside the script element would end it early.
        let ld = dumps(&ld, Style::Inline).replace("</", "<\\/");
        let category = &self.catalogue.categories[p.category];
        let rating = repr(p.rating);
        let body = format!(
            "<nav class=\"breadcrumb\"><a href=\"/\">Home</a> › <a href=\"/category/{}/\">{}</a> › \
             <a href=\"{listing}\">Listing</a></nav>\n<article class=\"product\">\n\
             <h1 class=\"product-name\">{}</h1>\n\
             <p class=\"sku\">{}</p>\n<p>{}<span class=\"price\">{}</span></p>\n\
             <p class=\"rating\" data-rating=\"{rating}\">{rating} / 5 ({} reviews)</p>\n\
             <p class=\"availability\">{}</p>\n<div class=\"description\"><p>{}</p></div>\n\
             <a href=\"#reviews\">Jump to reviews</a>\n<section id=\"reviews\"><p>{}</p></section>\n\
             </article>\n<aside class=\"related\"><h2>Related</h2>\n{}</aside>\n\
             <script type=\"application/ld+json\">{ld}</script>",
            category.slug,
            escape(category.name),
            escape(&p.name),
            sku(p),
            old_price(p),
            price(p.price),
            p.reviews,
            availability(p),
            p.text,
            p.text.chars().rev().collect::<String>(),
            related.join("\n"),
        );
        self.page(&p.name, &body)
    }

    fn home(&self) -> String {
        let cat = self.catalogue;
        let categories: String = cat
            .categories
            .iter()
            .map(|c| {
                format!(
                    "<li><a href=\"/category/{}/\">{}</a></li>",
                    c.slug,
                    escape(c.name)
                )
            })
            .collect();
        let featured: String = cat.products[..cat.products.len().min(10)]
            .iter()
            .map(|p| format!("<li><a href=\"{}\">{}</a></li>", p.path, escape(&p.name)))
            .collect();
        let missing: String = (2..5)
            .map(|k| {
                format!("<li><a href=\"/product/discontinued-{k}.html\">Discontinued {k}</a></li>")
            })
            .collect();
        let body = format!(
            "<h1>Bench Store</h1>\n<ul class=\"categories\">{categories}</ul>\n\
             <h2>Featured</h2><ul>{featured}</ul>\n<h2>Deals</h2><ul>\
             <li><a href=\"/go/1\">Deal 1</a></li><li><a href=\"/go/2\">Deal 2</a></li>\
             <li><a href=\"/sale\">Sale</a></li><li><a href=\"/old-catalog/\">Old catalogue</a></li>\
             {missing}</ul>\n<p><a href=\"/private/\">Staff area</a> · \
             <a href=\"http://localhost:1/partner.html\">Partner site (off-host)</a></p>"
        );
        self.page("Home", &body)
    }

    /// The robots-disallowed section: reachable from home, holding a fake
    /// product, so a crawler that ignores robots.txt returns a wrong record.
    pub fn private(&self) -> [Page; 2] {
        [
            (
                "/private/".into(),
                self.page(
                    "Staff",
                    "<a href=\"/private/secret.html\">Secret product</a>",
                ),
            ),
            (
                "/private/secret.html".into(),
                self.page(
                    "Secret",
                    "<h1 class=\"product-name\">SECRET disallowed product</h1>\
                     <span class=\"price\">$0.01</span>",
                ),
            ),
        ]
    }
}

fn sku(p: &Product) -> String {
    format!("SKU-{:06}", p.id)
}

fn price(x: f64) -> String {
    format!("${}", grouped_2f(x))
}

/// A sale's crossed-out price, which comes before the real one.
fn old_price(p: &Product) -> String {
    p.old_price.map_or_else(String::new, |old| {
        format!("<del class=\"price-old\">{}</del> ", price(old))
    })
}

fn availability(p: &Product) -> String {
    match p.stock {
        0 => "Out of stock".into(),
        n if n < 5 => format!("Only {n} left"),
        _ => "In stock".into(),
    }
}

fn cards(products: &[&Product]) -> String {
    let cards: Vec<String> = products
        .iter()
        .map(|p| {
            let rating = repr(p.rating);
            format!(
                "<div class=\"product-card\">\n <a class=\"product-link\" href=\"{}\">\
                 <h2 class=\"product-name\">{}</h2></a>\n {}<span class=\"price\">{}</span>\n \
                 <span class=\"rating\" data-rating=\"{rating}\">{rating} / 5 ({} reviews)</span>\n \
                 <span class=\"availability\">{}</span>\n</div>",
                p.path,
                escape(&p.name),
                old_price(p),
                price(p.price),
                p.reviews,
                availability(p)
            )
        })
        .collect();
    cards.join("\n")
}
