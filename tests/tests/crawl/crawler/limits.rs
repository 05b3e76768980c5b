//! maxPages and maxDepth.

use scraper_server::crawl::StopReason;
use serde_json::json;

use crate::crawler::{links, not_found, run};
use scraper_tests::site::{Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_pages_is_honoured_exactly() {
    // A home page with 30 links, each page linking on to the next ones.
    let site = TestServer::start("127.0.0.1:0", |path| {
        if path == "/" {
            let hrefs: Vec<String> = (0..30).map(|i| format!("/p/{i}")).collect();
            let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
            return links(&refs);
        }
        match path.strip_prefix("/p/").and_then(|n| n.parse::<u32>().ok()) {
            Some(n) => links(&[&format!("/p/{}", n + 30), &format!("/p/{}", n + 31)]),
            None => not_found(),
        }
    })
    .await;
    let out = run(&site.url("/"), json!({"maxPages": 10, "concurrency": 4})).await;
    let summary = out.summary();
    assert_eq!(out.pages.len(), 10);
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(summary.pages, 10);
    assert_eq!(summary.requests, 10);
    assert_eq!(summary.stop, StopReason::MaxPages);
    // Give a stray request the time to show up before counting.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(site.page_requests(), 10, "{:?}", site.paths());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_depth_counts_link_hops() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/a" => links(&["/b"]),
        "/b" => links(&["/c"]),
        "/c" => links(&["/d"]),
        "/d" => links(&["/e"]),
        "/e" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/a"), json!({"maxDepth": 2})).await;
    assert_eq!(out.paths(), ["/a", "/b", "/c"]);
    assert_eq!(
        ["/a", "/b", "/c"].map(|p| out.page(p).depth),
        [0, 1, 2],
        "hop depths"
    );
    assert!(
        !site.paths().contains(&"/d".to_string()),
        "{:?}",
        site.paths()
    );
    assert_eq!(out.summary().depth_unknown, 0);
    assert_eq!(out.summary().stop, StopReason::Finished);

    let all = run(&site.url("/a"), json!({})).await;
    assert_eq!(all.paths(), ["/a", "/b", "/c", "/d", "/e"]);
    assert_eq!(all.page("/e").depth, 4);

    let start_only = run(&site.url("/a"), json!({"maxDepth": 0})).await;
    assert_eq!(start_only.paths(), ["/a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_is_the_shortest_path() {
    // /x is both one hop (from /) and three hops (/ -> /a -> /b -> /x) away.
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/a", "/x"]),
        "/a" => links(&["/b"]),
        "/b" => links(&["/x"]),
        "/x" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.page("/x").depth, 1);
    assert_eq!(out.page("/b").depth, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_one_still_crawls_everything() {
    // Half the links are dead ends: spider with a limit of 1 would stop at
    // the first of them.
    let site = TestServer::start("127.0.0.1:0", |path| {
        if path == "/" {
            let hrefs: Vec<String> = (0..20).map(|i| format!("/p/{i}")).collect();
            let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
            return links(&refs);
        }
        match path.strip_prefix("/p/").and_then(|n| n.parse::<u32>().ok()) {
            Some(n) if n % 2 == 0 => links(&[]),
            _ => not_found(),
        }
    })
    .await;
    for _ in 0..3 {
        let out = run(&site.url("/"), json!({"concurrency": 1})).await;
        assert_eq!((out.pages.len(), out.failures.len()), (11, 10));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_seen_again_are_neither_lost_nor_fetched_twice() {
    // Every page links to every page, twice, by several spellings; spider is
    // only handed links it has not had yet, so this also checks that none
    // goes missing on the way.
    let pages: Vec<String> = (0..25).map(|i| format!("/p/{i}")).collect();
    let all = pages.clone();
    let site = TestServer::start("127.0.0.1:0", move |path| {
        if path != "/" && !all.iter().any(|p| p == path) && path != "/q?a=1&b=2" {
            return not_found();
        }
        let mut hrefs: Vec<String> = Vec::new();
        for p in &all {
            hrefs.push(p.clone());
            hrefs.push(format!("{p}#again"));
            hrefs.push(format!("/x/..{p}"));
        }
        hrefs.extend(["/".into(), "#top".into(), "/q?a=1&amp;b=2".into()]);
        let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
        links(&refs)
    })
    .await;
    let out = run(&site.url("/"), json!({"concurrency": 4})).await;
    let mut expected: Vec<String> = pages.clone();
    expected.push("/".into());
    expected.push("/q?a=1&b=2".into());
    expected.sort();
    let mut fetched: Vec<String> = site
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt")
        .collect();
    fetched.sort();
    assert_eq!(fetched, expected, "each page requested exactly once");
    let mut delivered: Vec<String> = out
        .pages
        .iter()
        .map(|p| {
            let url = url::Url::parse(&p.url).unwrap();
            format!(
                "{}{}",
                url.path(),
                url.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .collect();
    delivered.sort();
    assert_eq!(delivered, expected, "each page delivered once");
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    for p in &pages {
        assert_eq!(out.page(p).depth, 1, "{p}");
    }
    assert_eq!(out.summary().depth_unknown, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_links_are_fetched_as_a_browser_would_in_any_charset() {
    // UTF-8 characters, a numeric reference, and a Latin-1 byte on a page
    // that says it is windows-1252: all reach the site percent-encoded as
    // UTF-8.
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => Reply::html("<a href=\"/caf&#233;\">1</a> <a href=\"/na\u{ef}ve?q=\u{e9}\">2</a> <a href=\"/latin\">3</a>"),
        "/latin" => Reply::with_type(
            "text/html; charset=windows-1252",
            b"<html><body><a href=\"/ol\xe9\">4</a></body></html>".to_vec(),
        ),
        "/caf%C3%A9" | "/na%C3%AFve?q=%C3%A9" | "/ol%C3%A9" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    let mut fetched: Vec<String> = site
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt")
        .collect();
    fetched.sort();
    assert_eq!(
        fetched,
        [
            "/",
            "/caf%C3%A9",
            "/latin",
            "/na%C3%AFve?q=%C3%A9",
            "/ol%C3%A9"
        ]
    );
    // Hop depths hold both for links resolved by the engine and for the
    // one spider decodes itself.
    assert_eq!(out.page("/caf%C3%A9").depth, 1);
    assert_eq!(out.page("/ol%C3%A9").depth, 2);
    assert_eq!(out.summary().depth_unknown, 0);
}
