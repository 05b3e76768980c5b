//! Redirects: followed within the policy, refused outside it.

use std::sync::{Arc, OnceLock};

use scraper_server::crawl::FailureKind;
use scraper_server::net::ErrorKind;
use serde_json::json;

use crate::crawler::{links, not_found, run};
use scraper_tests::site::{Reply, TestServer};

fn moved(status: u16, location: &str) -> Reply {
    Reply::Respond {
        status,
        headers: vec![("location".into(), location.into())],
        body: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_and_a_two_hop_chain_are_followed() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/r1", "/r2"]),
        "/r1" => moved(301, "/dir/t1.html"),
        // Relative to the page it redirected to, not to /r1.
        "/dir/t1.html" => links(&["next.html"]),
        "/dir/next.html" => links(&[]),
        "/r2" => moved(302, "/r3"),
        "/r3" => moved(302, "/t2"),
        "/t2" => links(&["/end"]),
        "/end" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(out.page("/r1").final_url, site.url("/dir/t1.html"));
    assert_eq!(out.page("/r2").final_url, site.url("/t2"));
    assert_eq!(out.paths(), ["/", "/dir/next.html", "/end", "/r1", "/r2"]);
    assert_eq!(out.page("/dir/next.html").depth, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_reached_directly_and_by_redirect_is_delivered_once() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/go", "/target"]),
        "/go" => moved(301, "/target"),
        "/target" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    let finals: Vec<&str> = out.pages.iter().map(|p| p.final_url.as_str()).collect();
    assert_eq!(
        finals.iter().filter(|f| f.ends_with("/target")).count(),
        1,
        "{finals:?}"
    );
    assert_eq!(out.summary().duplicates, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_a_refused_address_fails_with_the_policys_reason() {
    let port = Arc::new(OnceLock::<u16>::new());
    let home = {
        let port = port.clone();
        move |path: &str| match path {
            "/" => links(&["/escape", "/fine"]),
            "/escape" => moved(
                302,
                &format!("http://127.0.0.2:{}/secret", port.get().unwrap()),
            ),
            "/fine" => links(&[]),
            _ => not_found(),
        }
    };
    let other = |_: &str| Reply::html("<p>secret</p>");
    let (site, refused) = TestServer::pair("127.0.0.1", home, "127.0.0.2", other).await;
    port.set(site.port()).unwrap();
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.paths(), ["/", "/fine"]);
    let failure = out.failure("/escape");
    assert_eq!(failure.kind, FailureKind::Fetch(ErrorKind::Policy));
    assert_eq!(failure.status, None);
    assert!(
        failure.error.contains("127.0.0.2")
            && failure
                .error
                .contains("outside --allow-private-networks 127.0.0.1/32"),
        "{}",
        failure.error
    );
    assert_eq!(refused.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_url_redirecting_to_another_host_crawls_that_host() {
    // localhost and 127.0.0.1 are two host names for the one test server.
    let port = Arc::new(OnceLock::<u16>::new());
    let handler = {
        let port = port.clone();
        move |path: &str| match path {
            "/" => moved(
                301,
                &format!("http://127.0.0.1:{}/home", port.get().unwrap()),
            ),
            "/home" => links(&["/a", "b"]),
            "/a" | "/b" => links(&[]),
            _ => not_found(),
        }
    };
    let site = TestServer::start("127.0.0.1:0", handler).await;
    port.set(site.port()).unwrap();
    let out = run(&format!("http://localhost:{}/", site.port()), json!({})).await;
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(out.paths(), ["/", "/a", "/b"]);
    assert_eq!(out.page("/").final_url, site.url("/home"));
    assert_eq!(out.page("/a").url, site.url("/a"));
}
