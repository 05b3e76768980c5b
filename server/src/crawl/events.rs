//! What a crawl hands its consumer (one event per page requested) and what it
//! returns at the end.

use std::time::Duration;

use crate::net::fetch_error::{ErrorKind, FetchError};
use crate::net::policy::PolicyError;

/// A page fetched with a 2xx HTML answer.
#[derive(Debug, Clone)]
pub struct CrawledPage {
    /// The URL as requested (found in a link, the sitemap, or the start URL).
    pub url: String,
    /// Where the page was found, after redirects.
    pub final_url: String,
    pub status: u16,
    pub html: String,
    /// Body bytes received, after content decoding.
    pub bytes: usize,
    /// Link hops from the start URL (0 for the start URL, 1 for sitemap URLs).
    pub depth: u32,
    pub content_type: Option<String>,
    /// The body went past the size limit and was cut off.
    pub truncated: bool,
    pub warnings: Vec<String>,
}

/// A page that was requested but gave no usable HTML: a non-2xx status, a
/// timeout, a refused redirect, a non-HTML answer, ...
#[derive(Debug, Clone)]
pub struct FailedPage {
    pub url: String,
    pub depth: u32,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    pub kind: FailureKind,
    /// The whole reason, ready to log (it names the URL).
    pub error: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// One of the fetcher's error kinds (policy, timeout, HTTP status, ...).
    Fetch(ErrorKind),
    /// A redirect led off the crawled site; the page is not kept.
    OffSite,
}

impl FailedPage {
    pub(crate) fn from_fetch(url: &str, depth: u32, error: &FetchError) -> FailedPage {
        FailedPage {
            url: url.to_string(),
            depth,
            status: error.status(),
            kind: FailureKind::Fetch(error.kind()),
            error: error.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum CrawlEvent {
    Page(CrawledPage),
    Failed(FailedPage),
}

/// Why the crawl ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StopReason {
    /// Every reachable page in scope was requested.
    #[default]
    Finished,
    /// `maxPages` pages were requested.
    MaxPages,
    /// The caller's cancellation token fired.
    Cancelled,
    /// The event receiver was dropped.
    ConsumerClosed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlSummary {
    pub stop: StopReason,
    /// `CrawlEvent::Page` events delivered.
    pub pages: u64,
    /// `CrawlEvent::Failed` events delivered.
    pub failed: u64,
    /// Body bytes of the delivered pages.
    pub bytes: u64,
    /// Requests sent for pages (redirect hops not counted); at most `maxPages`.
    pub requests: u64,
    /// Fetched but not delivered because the crawl was cancelled or the
    /// receiver went away while the page waited for it: every request is a
    /// page, a failure, a duplicate, lost or unanswered, never dropped unseen.
    pub lost: u64,
    /// Requests dropped without an answer because the crawl stopped.
    pub unanswered: u64,
    /// Links not followed because robots.txt disallows them.
    pub robots_blocked: u64,
    /// Links not followed because of `include`/`exclude`.
    pub filtered: u64,
    /// Links not followed because they are off the site.
    pub off_site: u64,
    /// Links not followed because they are deeper than `maxDepth`.
    pub too_deep: u64,
    /// Pages reached a second time through a redirect, and not delivered
    /// again (counted whether or not the second request was needed to know).
    pub duplicates: u64,
    /// URLs that spider queued whose hop depth had not been recorded (should
    /// stay 0; the page is then reported at `maxDepth`).
    pub depth_unknown: u64,
    /// URLs read from sitemaps to seed the crawl.
    pub sitemap_urls: u64,
    /// The delay used between requests (the larger of `delayMs` and robots.txt's `Crawl-delay`).
    pub delay: Duration,
    pub elapsed: Duration,
}

/// The crawl could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("invalid crawl settings: {0}")]
    Settings(#[from] crate::crawl::settings::SettingsError),
    #[error("cannot crawl from {url}: {error}")]
    StartUrl { url: String, error: PolicyError },
    /// The start URL (and the sitemap, if used) gave no page at all.
    #[error("the crawl found nothing: the start page failed: {error}")]
    StartFailed { url: String, error: FetchError },
    #[error(
        "the start URL {url} is disallowed by the site's robots.txt (set respectRobots to false to crawl it anyway)"
    )]
    StartDisallowed { url: String },
}
