//! Streaming to the consumer: nothing lost with a slow one, and a crawl
//! that stops when cancelled or when the consumer goes away.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scraper_server::crawl::{CrawlEvent, StopReason, crawl};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::crawler::{client, links, loopback_policy, not_found, settings};
use scraper_tests::site::TestServer;

/// `/` and `/p/1` .. `/p/{n-1}`: n pages, all linked from the home page.
fn flat_site(n: usize) -> impl Fn(&str) -> scraper_tests::site::Reply + Send + Sync + 'static {
    move |path: &str| {
        if path == "/" {
            let hrefs: Vec<String> = (1..n).map(|i| format!("/p/{i}")).collect();
            let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
            return links(&refs);
        }
        match path.strip_prefix("/p/") {
            Some(_) => links(&["/"]),
            None => not_found(),
        }
    }
}

/// An endless binary tree of pages: /p/N links to /p/2N+1 and /p/2N+2.
fn endless_site(path: &str) -> scraper_tests::site::Reply {
    let n: u64 = match path {
        "/" => 0,
        p => match p.strip_prefix("/p/").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return not_found(),
        },
    };
    links(&[&format!("/p/{}", 2 * n + 1), &format!("/p/{}", 2 * n + 2)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_loses_no_page() {
    let site = TestServer::start("127.0.0.1:0", flat_site(500)).await;
    let policy = loopback_policy();
    // Room for one waiting page only, and a consumer far slower than the site.
    let (tx, mut rx) = mpsc::channel(1);
    let consumer = tokio::spawn(async move {
        let mut pages = 0;
        while let Some(event) = rx.recv().await {
            if let CrawlEvent::Page(_) = event {
                pages += 1;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        pages
    });
    let s = settings(json!({"maxPages": 1000, "concurrency": 16}));
    let summary = crawl(
        &site.url("/"),
        &s,
        client(&policy),
        &policy,
        tx,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(consumer.await.unwrap(), 500, "{summary:?}");
    assert_eq!(
        (summary.pages, summary.failed, summary.lost),
        (500, 0, 0),
        "{summary:?}"
    );
    assert_eq!(summary.stop, StopReason::Finished);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_the_requests() {
    let site = TestServer::start("127.0.0.1:0", endless_site).await;
    let policy = loopback_policy();
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::channel(16);
    let seen = Arc::new(AtomicUsize::new(0));
    let consumer = tokio::spawn({
        let cancel = cancel.clone();
        let seen = seen.clone();
        async move {
            while rx.recv().await.is_some() {
                if seen.fetch_add(1, Ordering::SeqCst) + 1 == 100 {
                    cancel.cancel();
                }
            }
        }
    });
    let s = settings(json!({"maxPages": 100000, "concurrency": 8}));
    let crawl = tokio::spawn({
        let (policy, client) = (policy.clone(), client(&policy));
        let url = site.url("/");
        async move { crawl(&url, &s, client, &policy, tx, cancel).await }
    });
    // Measured from the cancel, which the consumer fires at page 100.
    while seen.load(Ordering::SeqCst) < 100 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let cancelled_at = Instant::now();
    let summary = crawl.await.unwrap().unwrap();
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        cancelled_at.elapsed()
    );
    assert_eq!(summary.stop, StopReason::Cancelled);
    consumer.await.unwrap();
    // Requests sent just before the return may still be on their way in.
    let at_return = site.requests();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let settled = site.requests();
    assert!(settled - at_return <= 8, "{at_return} then {settled}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(site.requests(), settled, "the request count kept growing");
    // robots.txt, then at most the requests the crawl counted.
    assert!(
        settled as u64 <= summary.requests + 1,
        "{settled} {summary:?}"
    );
    assert_eq!(
        summary.pages + summary.failed + summary.lost + summary.unanswered,
        summary.requests,
        "{summary:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crawl_stops_when_the_consumer_goes_away() {
    let site = TestServer::start("127.0.0.1:0", endless_site).await;
    let policy = loopback_policy();
    let (tx, mut rx) = mpsc::channel(1);
    let consumer = tokio::spawn(async move {
        for _ in 0..5 {
            rx.recv().await;
        }
    });
    let s = settings(json!({"maxPages": 100000}));
    let summary = crawl(
        &site.url("/"),
        &s,
        client(&policy),
        &policy,
        tx,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    consumer.await.unwrap();
    assert_eq!(summary.stop, StopReason::ConsumerClosed, "{summary:?}");
    assert!(summary.lost >= 1, "{summary:?}");
    // Every page requested is accounted for.
    assert_eq!(
        summary.pages + summary.failed + summary.lost + summary.unanswered,
        summary.requests,
        "{summary:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let settled = site.requests();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(site.requests(), settled);
}
