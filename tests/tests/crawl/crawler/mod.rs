//! The crawler against sites served on loopback addresses by the tests
//! themselves (127.0.0.x only; nothing else is ever contacted).

mod delivery;
mod failures;
mod limits;
mod redirects;
mod robots_and_sitemap;
mod scope;

use std::sync::Arc;

use scraper_server::crawl::{
    CrawlError, CrawlEvent, CrawlSettings, CrawlSummary, CrawledPage, FailedPage, crawl,
};
use scraper_server::net::{ClientOptions, PrivateNetworks, UrlPolicy, build_client};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use scraper_tests::site::Reply;

/// Only the first test site's address is allowed, as in the brief's setup.
pub fn loopback_policy() -> Arc<UrlPolicy> {
    Arc::new(UrlPolicy::new(PrivateNetworks::Allow(vec![
        "127.0.0.1/32".parse().unwrap(),
    ])))
}

pub fn client(policy: &Arc<UrlPolicy>) -> reqwest::Client {
    build_client(policy.clone(), &ClientOptions::default()).unwrap()
}

pub struct Outcome {
    pub result: Result<CrawlSummary, CrawlError>,
    pub pages: Vec<CrawledPage>,
    pub failures: Vec<FailedPage>,
}

impl Outcome {
    pub fn summary(&self) -> &CrawlSummary {
        self.result.as_ref().expect("the crawl should succeed")
    }

    /// Paths of the delivered pages (as requested), sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.pages.iter().map(|p| path_of(&p.url)).collect();
        paths.sort();
        paths
    }

    pub fn page(&self, path: &str) -> &CrawledPage {
        self.pages
            .iter()
            .find(|p| path_of(&p.url) == path)
            .unwrap_or_else(|| panic!("{path} not delivered; got {:?}", self.paths()))
    }

    pub fn failure(&self, path: &str) -> &FailedPage {
        self.failures
            .iter()
            .find(|p| path_of(&p.url) == path)
            .unwrap_or_else(|| panic!("no failure for {path}; got {:?}", self.failures))
    }
}

pub fn path_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

pub fn settings(json: Value) -> CrawlSettings {
    CrawlSettings::from_json(&json).unwrap()
}

/// Crawls with a consumer that keeps every event.
pub async fn run(start: &str, json: Value) -> Outcome {
    run_with(start, settings(json), 64, CancellationToken::new()).await
}

pub async fn run_with(
    start: &str,
    settings: CrawlSettings,
    capacity: usize,
    cancel: CancellationToken,
) -> Outcome {
    let policy = loopback_policy();
    let (tx, mut rx) = mpsc::channel(capacity);
    let consumer = tokio::spawn(async move {
        let (mut pages, mut failures) = (Vec::new(), Vec::new());
        while let Some(event) = rx.recv().await {
            match event {
                CrawlEvent::Page(p) => pages.push(p),
                CrawlEvent::Failed(f) => failures.push(f),
            }
        }
        (pages, failures)
    });
    let result = crawl(start, &settings, client(&policy), &policy, tx, cancel).await;
    let (pages, failures) = consumer.await.unwrap();
    Outcome {
        result,
        pages,
        failures,
    }
}

/// An HTML page whose body is the given links.
pub fn links(hrefs: &[&str]) -> Reply {
    let body: String = hrefs
        .iter()
        .map(|h| format!("<a href=\"{h}\">{h}</a>\n"))
        .collect();
    Reply::html(format!(
        "<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
    ))
}

pub fn not_found() -> Reply {
    Reply::status(404)
}
