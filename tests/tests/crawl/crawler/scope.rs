//! include/exclude and staying on the site.

use std::sync::{Arc, OnceLock};

use serde_json::json;

use crate::crawler::{links, not_found, run};
use scraper_tests::site::{Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn include_and_exclude_filter_links() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&[
            "/product/1",
            "/product/2?sort=price",
            "/about",
            "/category/",
        ]),
        "/category/" => links(&["/product/3"]),
        p if p.starts_with("/product/") => links(&["/about"]),
        "/about" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(
        &site.url("/"),
        json!({"include": ["/product/"], "exclude": "sort="}),
    )
    .await;
    // The start URL is fetched although it matches no include pattern.
    assert_eq!(out.paths(), ["/", "/product/1"]);
    let seen = site.paths();
    for never in ["/about", "/category/", "/product/2?sort=price"] {
        assert!(
            !seen.contains(&never.to_string()),
            "{never} fetched: {seen:?}"
        );
    }
    assert!(out.summary().filtered >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_url_is_fetched_even_when_excluded() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/start/" => links(&["/start/next/", "/other"]),
        "/other" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/start/"), json!({"exclude": ["/$"]})).await;
    assert_eq!(out.paths(), ["/other", "/start/"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_site_and_non_http_links_are_not_followed() {
    // The port is known only once both servers run; the home page reads it then.
    let port = Arc::new(OnceLock::<u16>::new());
    let home = {
        let port = port.clone();
        move |path: &str| match path {
            "/" => links(&[
                "http://localhost:1/partner.html",
                "mailto:shop@example.invalid",
                "#top",
                "javascript:void(0)",
                &format!("http://127.0.0.2:{}/elsewhere", port.get().unwrap()),
                "/inside",
            ]),
            "/inside" => links(&["/#fragment", "/inside#again"]),
            _ => not_found(),
        }
    };
    let other = |_: &str| Reply::html("<p>must not be reached</p>");
    let (site, elsewhere) = TestServer::pair("127.0.0.1", home, "127.0.0.2", other).await;
    port.set(site.port()).unwrap();
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.paths(), ["/", "/inside"]);
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(elsewhere.connections(), 0);
    assert_eq!(site.page_requests(), 2, "{:?}", site.paths());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_their_html_and_metadata() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => Reply::html("<html><body><p>caf\u{e9} \u{2713}</p></body></html>"),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    let page = out.page("/");
    assert_eq!(page.status, 200);
    assert!(page.html.contains("café ✓"), "{}", page.html);
    assert_eq!(page.bytes, page.html.len());
    assert_eq!(page.final_url, site.url("/"));
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    let summary = out.summary();
    assert_eq!(
        (summary.pages, summary.failed, summary.bytes),
        (1, 0, page.bytes as u64)
    );
}

/// A limitation of spider, pinned: its visited set and its page link set
/// compare URLs ignoring letter case, so of two URLs that differ only in case
/// just one is ever fetched. If this starts failing, spider fixed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spider_takes_urls_differing_only_in_case_for_one() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/item?id=aB", "/item?id=Ab"]),
        "/item?id=aB" | "/item?id=Ab" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.pages.len(), 2, "{:?}", out.paths());
}
