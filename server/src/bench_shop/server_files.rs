//! What nginx and crawlers read besides the pages: robots.txt, the sitemap
//! and the redirects.

use super::catalogue::Catalogue;
use super::pages::Page;
use super::py_format::escape;

pub fn robots(base: &str) -> String {
    format!("User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n")
}

/// Every page; linked from no page, so only a crawler that reads robots.txt
/// finds it.
pub fn sitemap(base: &str, pages: &[Page]) -> String {
    let urls: String = pages
        .iter()
        .map(|(path, _)| format!("<url><loc>{base}{}</loc></url>\n", escape(path)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{urls}</urlset>\n"
    )
}

/// nginx `location` blocks: two 301s to products, a 302 and a 301 to
/// categories, and `/promo`, which makes a two-hop chain through `/sale`.
pub fn redirects(catalogue: &Catalogue) -> String {
    let products = &catalogue.products;
    let categories = &catalogue.categories;
    let redirects = [
        ("/go/1", 301, products[0].path.clone()),
        ("/go/2", 301, products[1].path.clone()),
        ("/sale", 302, format!("/category/{}/", categories[0].slug)),
        (
            "/old-catalog/",
            301,
            format!("/category/{}/page/1.html", categories[1].slug),
        ),
        ("/promo", 302, "/sale".to_string()),
    ];
    redirects
        .iter()
        .map(|(from, code, to)| format!("location = {from} {{ return {code} {to}; }}\n"))
        .collect()
}
