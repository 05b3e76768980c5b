//! robots.txt (Disallow, Crawl-delay, user agent) and sitemap seeding.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use scraper_server::crawl::CrawlError;
use serde_json::json;

use crate::crawler::{links, not_found, run};
use scraper_tests::site::{Reply, TestServer};

fn text(body: &str) -> Reply {
    Reply::with_type("text/plain", body.as_bytes().to_vec())
}

fn shop(path: &str) -> Reply {
    match path {
        "/robots.txt" => text("User-agent: *\nDisallow: /private/\n"),
        "/" => links(&["/private/", "/private/secret.html", "/public"]),
        "/private/" | "/private/secret.html" | "/public" => links(&[]),
        _ => not_found(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallow_is_honoured_by_default() {
    let site = TestServer::start("127.0.0.1:0", shop).await;
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.paths(), ["/", "/public"]);
    assert!(
        !site.paths().iter().any(|p| p.starts_with("/private/")),
        "{:?}",
        site.paths()
    );
    assert_eq!(out.summary().robots_blocked, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_is_ignored_when_asked() {
    let site = TestServer::start("127.0.0.1:0", shop).await;
    let out = run(&site.url("/"), json!({"respectRobots": false})).await;
    assert_eq!(
        out.paths(),
        ["/", "/private/", "/private/secret.html", "/public"]
    );
    assert!(!site.paths().contains(&"/robots.txt".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_the_requests() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/robots.txt" => text("User-agent: *\nCrawl-delay: 0.3\n"),
        "/" => links(&["/a", "/b"]),
        "/a" | "/b" => links(&[]),
        _ => not_found(),
    })
    .await;
    let started = Instant::now();
    let out = run(&site.url("/"), json!({"concurrency": 4})).await;
    assert_eq!(out.paths(), ["/", "/a", "/b"]);
    assert_eq!(out.summary().delay.as_millis(), 300);
    assert!(
        started.elapsed().as_millis() >= 600,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_agent_is_sent_and_matched_against_robots() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/robots.txt" => text("User-agent: *\nDisallow: /\n\nUser-agent: mybot\nDisallow: /no/\n"),
        "/" => links(&["/yes", "/no/x"]),
        "/yes" | "/no/x" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({"userAgent": "MyBot/2.0"})).await;
    assert_eq!(out.paths(), ["/", "/yes"]);
    for (path, headers) in site.seen() {
        assert_eq!(headers["user-agent"], "MyBot/2.0", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disallowed_start_url_is_a_clear_error() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/robots.txt" => text("User-agent: *\nDisallow: /\n"),
        _ => links(&[]),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    let err = out.result.unwrap_err();
    assert!(matches!(err, CrawlError::StartDisallowed { .. }), "{err}");
    assert!(err.to_string().contains("respectRobots"), "{err}");
    assert_eq!(site.page_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sitemap_finds_a_page_no_link_points_to() {
    let base = Arc::new(OnceLock::<String>::new());
    let handler = {
        let base = base.clone();
        move |path: &str| {
            let base = base.get().unwrap();
            match path {
                "/robots.txt" => text(&format!("User-agent: *\nSitemap: {base}/maps/index.xml\n")),
                "/maps/index.xml" => Reply::with_type(
                    "application/xml",
                    format!(
                        "<?xml version=\"1.0\"?><sitemapindex><sitemap><loc>{base}/maps/pages.xml</loc></sitemap></sitemapindex>"
                    ),
                ),
                "/maps/pages.xml" => Reply::with_type(
                    "application/xml",
                    format!(
                        "<?xml version=\"1.0\"?><urlset><url><loc>{base}/</loc></url><url><loc>{base}/orphan?a=1&amp;b=2</loc></url><url><loc>http://elsewhere.invalid/x</loc></url></urlset>"
                    ),
                ),
                "/" => links(&["/linked"]),
                "/linked" | "/orphan?a=1&b=2" => links(&[]),
                _ => not_found(),
            }
        }
    };
    let site = TestServer::start("127.0.0.1:0", handler).await;
    base.set(site.url("")).unwrap();

    let without = run(&site.url("/"), json!({})).await;
    assert_eq!(without.paths(), ["/", "/linked"]);

    let with = run(&site.url("/"), json!({"useSitemap": true})).await;
    assert_eq!(with.paths(), ["/", "/linked", "/orphan?a=1&b=2"]);
    assert_eq!(with.page("/orphan?a=1&b=2").depth, 1);
    assert_eq!(with.summary().sitemap_urls, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_sitemap_line_the_default_location_is_read() {
    let base = Arc::new(OnceLock::<String>::new());
    let handler = {
        let base = base.clone();
        move |path: &str| match path {
            "/sitemap.xml" => Reply::with_type(
                "application/xml",
                format!(
                    "<urlset><url><loc>{}/hidden</loc></url></urlset>",
                    base.get().unwrap()
                ),
            ),
            "/" | "/hidden" => links(&[]),
            _ => not_found(),
        }
    };
    let site = TestServer::start("127.0.0.1:0", handler).await;
    base.set(site.url("")).unwrap();
    let out = run(&site.url("/"), json!({"useSitemap": true})).await;
    assert_eq!(out.paths(), ["/", "/hidden"]);
}
