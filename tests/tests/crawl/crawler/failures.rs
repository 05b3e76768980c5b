//! Pages that fail, and a start URL that does.

use std::time::{Duration, Instant};

use scraper_server::crawl::CrawlError;
use scraper_server::crawl::FailureKind;
use scraper_server::net::ErrorKind;
use serde_json::json;

use crate::crawler::{links, not_found, run};
use scraper_tests::site::{Reply, TestServer, closed_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_is_a_failed_page_with_its_status() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/missing", "/ok"]),
        "/ok" => links(&[]),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(out.paths(), ["/", "/ok"]);
    let failure = out.failure("/missing");
    assert_eq!(failure.status, Some(404));
    assert_eq!(failure.kind, FailureKind::Fetch(ErrorKind::HttpStatus));
    assert_eq!(failure.depth, 1);
    assert!(failure.error.contains("404 Not Found"), "{}", failure.error);
    assert_eq!(out.summary().failed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_answers_times_out() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/slow", "/ok"]),
        "/slow" => Reply::Hang,
        "/ok" => links(&[]),
        _ => not_found(),
    })
    .await;
    let started = Instant::now();
    let out = run(&site.url("/"), json!({"timeoutMs": 300})).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.paths(), ["/", "/ok"]);
    let failure = out.failure("/slow");
    assert_eq!(failure.kind, FailureKind::Fetch(ErrorKind::Timeout));
    assert!(
        failure.error.contains("did not answer in time"),
        "{}",
        failure.error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_url_that_is_down_is_a_clear_error() {
    let port = closed_port();
    let out = run(&format!("http://127.0.0.1:{port}/"), json!({})).await;
    let err = out.result.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, CrawlError::StartFailed { .. }), "{message}");
    assert!(
        message.contains(&format!("could not connect to 127.0.0.1:{port}"))
            && message.contains("connection refused"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_page_that_fails_is_an_error_and_a_failed_page() {
    let site = TestServer::start("127.0.0.1:0", |_| not_found()).await;
    for max_pages in [1, 100] {
        let out = run(&site.url("/"), json!({"maxPages": max_pages})).await;
        let message = out.result.as_ref().unwrap_err().to_string();
        assert!(message.contains("404 Not Found"), "{message}");
        assert_eq!(out.failure("/").status, Some(404));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_url_outside_the_policy_is_refused_before_any_request() {
    let out = run("http://127.0.0.2:9/", json!({})).await;
    let err = out.result.unwrap_err();
    assert!(matches!(err, CrawlError::StartUrl { .. }), "{err}");
    assert!(err.to_string().contains("127.0.0.2"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_html_answers_are_failed_pages() {
    let site = TestServer::start("127.0.0.1:0", |path| match path {
        "/" => links(&["/report"]),
        "/report" => Reply::with_type("application/pdf", b"%PDF-1.7".to_vec()),
        _ => not_found(),
    })
    .await;
    let out = run(&site.url("/"), json!({})).await;
    assert_eq!(
        out.failure("/report").kind,
        FailureKind::Fetch(ErrorKind::NotHtml)
    );
}
