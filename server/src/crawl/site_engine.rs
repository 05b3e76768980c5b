//! The fetch engine plugged into spider (`Website::with_fetch_engine`):
//! spider keeps the frontier, the visited set, concurrency and link
//! extraction; every page request goes through here, where the crawl's own
//! rules apply and each result is handed to the consumer.
//!
//! Delivering from here (instead of spider's `subscribe` broadcast) is what
//! makes delivery lossless: `send().await` on a bounded channel holds the
//! spider worker until the consumer has room, so a slow consumer slows the
//! crawl down instead of losing pages.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderValue;
use spider::fetch_engine::{EngineError, EngineRequest, EngineResponse, HttpFetchEngine};
use spider::page::Page;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::crawl::events::{CrawlEvent, CrawledPage, FailedPage, FailureKind};
use crate::crawl::hop_depth::{HopDepths, resolve_link, url_key};
use crate::crawl::link_tags::{decode_value, href, is_base, is_hidden, link_tags};
use crate::crawl::request_gates::{Pacer, RobotsGate, lock};
use crate::crawl::site_scope::{OutOfScope, SiteScope};
use crate::crawl::spider_input::{link_base, spider_headers};
use crate::fetch::{self, MAX_PAGE_BYTES, RequestOptions, fetch_html};
use crate::interact::render::Renderer;
use crate::net::fetch_error::FetchError;

#[derive(Default)]
pub(crate) struct Counters {
    pub pages: AtomicU64,
    pub failed: AtomicU64,
    pub bytes: AtomicU64,
    pub lost: AtomicU64,
    pub robots_blocked: AtomicU64,
    pub filtered: AtomicU64,
    pub off_site: AtomicU64,
    pub too_deep: AtomicU64,
    pub duplicates: AtomicU64,
    pub unanswered: AtomicU64,
    pub depth_unknown: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Where spider should resolve a delivered page's links from, and its depth.
struct FollowUp {
    base: Url,
    depth: u32,
    /// Whether spider's links still need their depth recorded: the engine
    /// records the ones it resolved itself when it hands them over.
    unrecorded: bool,
}

pub(crate) struct CrawlShared {
    pub client: reqwest::Client,
    /// `concurrency`, enforced here rather than only by spider (see
    /// `configure_website`).
    fetch_slots: tokio::sync::Semaphore,
    pub scope: SiteScope,
    pub robots: RobotsGate,
    pub pacer: Pacer,
    pub depths: HopDepths,
    pub max_depth: Option<u32>,
    pub max_pages: u64,
    pub timeout: Duration,
    pub user_agent: Option<HeaderValue>,
    /// The start URL exactly as spider hands it to the engine.
    pub start_url: String,
    pub start_host: String,
    /// The scheme spider forces links onto: the start page's, after redirects.
    pub site_scheme: OnceLock<String>,
    pub sink: mpsc::Sender<CrawlEvent>,
    /// Fires on the caller's cancel (it is a child of that token) or when
    /// the consumer goes away: no request starts after it.
    pub stop: CancellationToken,
    pub consumer_gone: AtomicBool,
    /// Fires when `max_pages` requests have all been settled.
    pub limit_done: CancellationToken,
    requests: AtomicU64,
    settled: AtomicU64,
    /// Engine calls under way, so that the crawl can wait for them to let go
    /// of their requests before it returns.
    in_flight: AtomicU64,
    idle: tokio::sync::Notify,
    follow_ups: Mutex<HashMap<u64, FollowUp>>,
    /// Requested and final URLs of delivered pages: a redirect target is not
    /// delivered twice.
    delivered: Mutex<HashSet<u64>>,
    pub counters: Counters,
    pub start_failure: Mutex<Option<FetchError>>,
    pub start_disallowed: Mutex<Option<String>>,
    renderer: Option<Arc<Renderer>>,
}

pub(crate) struct CrawlSharedParts {
    pub client: reqwest::Client,
    pub concurrency: usize,
    pub scope: SiteScope,
    pub robots: RobotsGate,
    pub pacer: Pacer,
    pub max_depth: Option<u32>,
    pub max_pages: u64,
    pub timeout: Duration,
    pub user_agent: Option<HeaderValue>,
    pub start: Url,
    pub sink: mpsc::Sender<CrawlEvent>,
    pub stop: CancellationToken,
    /// Loads each page in the browser instead of fetching it (`render: true`).
    pub renderer: Option<Arc<Renderer>>,
}

impl CrawlShared {
    pub(crate) fn new(parts: CrawlSharedParts) -> Self {
        CrawlShared {
            client: parts.client,
            fetch_slots: tokio::sync::Semaphore::new(parts.concurrency.max(1)),
            scope: parts.scope,
            robots: parts.robots,
            pacer: parts.pacer,
            depths: HopDepths::default(),
            max_depth: parts.max_depth,
            max_pages: parts.max_pages,
            timeout: parts.timeout,
            user_agent: parts.user_agent,
            start_url: parts.start.as_str().to_string(),
            start_host: parts.start.host_str().unwrap_or_default().to_string(),
            site_scheme: OnceLock::new(),
            sink: parts.sink,
            stop: parts.stop,
            consumer_gone: AtomicBool::new(false),
            limit_done: CancellationToken::new(),
            requests: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            idle: tokio::sync::Notify::new(),
            follow_ups: Mutex::new(HashMap::new()),
            delivered: Mutex::new(HashSet::new()),
            counters: Counters::default(),
            start_failure: Mutex::new(None),
            start_disallowed: Mutex::new(None),
            renderer: parts.renderer,
        }
    }

    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn reserve_request(&self) -> bool {
        self.requests
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_pages).then_some(n + 1)
            })
            .is_ok()
    }

    fn settle_request(&self) {
        if self.settled.fetch_add(1, Ordering::AcqRel) + 1 == self.max_pages {
            self.limit_done.cancel();
        }
    }

    /// Waits for a moment when no engine call is under way. Once `stop` has
    /// fired, later calls return before sending anything, so after this no
    /// request of the crawl can still go out.
    pub(crate) async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }

    fn budget_left(&self) -> bool {
        self.requests.load(Ordering::Acquire) < self.max_pages
    }

    /// Whether the links of a page at `depth` are worth following.
    fn follows(&self, depth: u32) -> bool {
        self.max_depth.is_none_or(|max| depth < max)
            && self.budget_left()
            && !self.stop.is_cancelled()
    }

    fn site_scheme(&self) -> &str {
        self.site_scheme.get().map_or_else(
            || self.start_url.split(':').next().unwrap_or("http"),
            String::as_str,
        )
    }

    /// Hands an event to the consumer, waiting for room. False when it could
    /// not be delivered (the consumer is gone or the crawl was stopped while
    /// waiting); the caller counts it as lost.
    async fn send(&self, event: CrawlEvent) -> bool {
        tokio::select! {
            biased;
            sent = self.sink.send(event) => match sent {
                Ok(()) => true,
                Err(_) => {
                    self.consumer_gone.store(true, Ordering::Release);
                    self.stop.cancel();
                    false
                }
            },
            _ = self.stop.cancelled() => false,
        }
    }

    /// spider's `on_should_crawl` hook, called once the page's links are
    /// parsed: records the hop depth of links the engine could not resolve
    /// itself (see `links_for_spider`), and tells spider whether to follow
    /// them at all.
    pub(crate) fn after_parse(&self, page: &Page) -> bool {
        let Some(follow_up) = lock(&self.follow_ups).remove(&url_key(page.get_url())) else {
            return false;
        };
        if !self.follows(follow_up.depth) {
            return false;
        }
        if let Some(links) = page.page_links.as_ref().filter(|_| follow_up.unrecorded) {
            self.depths.record_links(
                &follow_up.base,
                self.site_scheme(),
                links.iter().map(|l| l.as_ref()),
                follow_up.depth + 1,
                |url| self.scope.on_site(url),
            );
        }
        true
    }

    async fn handle(&self, url_str: &str) -> Result<EngineResponse, EngineError> {
        if self.stop.is_cancelled() {
            return Err(skipped());
        }
        let Ok(url) = Url::parse(url_str) else {
            bump(&self.counters.filtered);
            return Err(skipped());
        };
        let is_start = url_str == self.start_url;
        let depth = match self.depths.get(url_str) {
            Some(depth) => depth,
            None if is_start => 0,
            None => {
                bump(&self.counters.depth_unknown);
                tracing::debug!(url = url_str, "no hop depth recorded");
                self.max_depth.unwrap_or(0)
            }
        };
        if !is_start {
            match self.scope.check(&url) {
                Err(OutOfScope::OffSite) => {
                    bump(&self.counters.off_site);
                    return Err(skipped());
                }
                Err(OutOfScope::Filtered) => {
                    bump(&self.counters.filtered);
                    return Err(skipped());
                }
                Ok(()) => {}
            }
            if self.max_depth.is_some_and(|max| depth > max) {
                bump(&self.counters.too_deep);
                return Err(skipped());
            }
        }
        let allowed = !self.robots.enabled
            || tokio::select! {
                biased;
                _ = self.stop.cancelled() => return Err(skipped()),
                access = self.robots.access(&url) => access.allows(&url),
            };
        if !allowed {
            bump(&self.counters.robots_blocked);
            if is_start {
                *lock(&self.start_disallowed) = Some(url_str.to_string());
            }
            return Err(skipped());
        }
        if lock(&self.delivered).contains(&url_key(url_str)) {
            bump(&self.counters.duplicates);
            return Err(skipped());
        }
        if !self.reserve_request() {
            return Err(skipped());
        }
        let opts = RequestOptions {
            timeout: self.timeout,
            user_agent: self.user_agent.as_ref(),
            max_bytes: MAX_PAGE_BYTES,
        };
        let fetched = tokio::select! {
            biased;
            _ = self.stop.cancelled() => None,
            fetched = async {
                let _slot = self.fetch_slots.acquire().await;
                self.pacer.wait().await;
                match &self.renderer {
                    Some(renderer) => renderer.fetch(&url, self.timeout).await,
                    None => fetch_html(&self.client, &url, &opts).await,
                }
            } => Some(fetched),
        };
        let response = match fetched {
            // Stopped before an answer: there is no page to lose.
            None => {
                bump(&self.counters.unanswered);
                Err(skipped())
            }
            Some(Ok(page)) => {
                self.deliver_page(url_str, &url, depth, is_start, page)
                    .await
            }
            Some(Err(error)) => self.deliver_failure(url_str, depth, is_start, error).await,
        };
        self.settle_request();
        response
    }

    async fn deliver_page(
        &self,
        url_str: &str,
        url: &Url,
        depth: u32,
        is_start: bool,
        page: fetch::Page,
    ) -> Result<EngineResponse, EngineError> {
        let redirected = page.final_url != *url;
        if redirected && is_start {
            self.scope.adopt_start_redirect(&page.final_url);
        }
        if redirected && !self.scope.on_site(&page.final_url) {
            let failure = FailedPage {
                url: url_str.to_string(),
                depth,
                status: Some(page.status),
                kind: FailureKind::OffSite,
                error: format!(
                    "{url_str} redirected off the site to {}; the page is not kept",
                    page.final_url
                ),
            };
            if self.send(CrawlEvent::Failed(failure)).await {
                bump(&self.counters.failed);
            } else {
                bump(&self.counters.lost);
            }
            return Err(skipped());
        }
        {
            // Checked again after the answer: the same page may have been
            // fetched under two URLs at once.
            let mut delivered = lock(&self.delivered);
            if !delivered.insert(url_key(page.final_url.as_str())) {
                bump(&self.counters.duplicates);
                return Err(skipped());
            }
            if redirected {
                delivered.insert(url_key(url_str));
            }
        }
        if is_start {
            let _ = self.site_scheme.set(page.final_url.scheme().to_string());
        }

        let fetch::Page {
            final_url,
            status,
            headers,
            content_type,
            body,
            truncated,
            html,
            warnings,
            ..
        } = page;
        let bytes = body.len();
        // What spider gets to find links in; `None` when nothing is left to
        // follow, and then spider gets no page at all (its parser alone
        // costs more than fetching a small page).
        let spider_body = if self.follows(depth) {
            let tags = link_tags(&body);
            let (base, base_tag) = link_base(&tags, url, &final_url, &self.start_host);
            let handover = self.links_for_spider(&tags, &base, base_tag, depth);
            (handover.links > 0 || is_start).then(|| {
                let follow_up = FollowUp {
                    base,
                    depth,
                    unrecorded: handover.unrecorded,
                };
                lock(&self.follow_ups).insert(url_key(url_str), follow_up);
                handover.body
            })
        } else {
            is_start.then(Vec::new)
        };
        let event = CrawlEvent::Page(CrawledPage {
            url: url_str.to_string(),
            final_url: final_url.to_string(),
            status,
            html,
            bytes,
            depth,
            content_type,
            truncated,
            warnings,
        });
        if !self.send(event).await {
            bump(&self.counters.lost);
            lock(&self.follow_ups).remove(&url_key(url_str));
            return Err(skipped());
        }
        bump(&self.counters.pages);
        self.counters
            .bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
        let Some(spider_body) = spider_body else {
            return Err(skipped());
        };
        Ok(EngineResponse {
            status_code: reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::OK),
            final_url: redirected.then(|| final_url.to_string()),
            headers: spider_headers(&headers),
            body: spider_body,
            // Our own answer, not a challenge page: spares spider's scan of
            // every body for anti-bot markers.
            anti_bot_tech: Some(spider::page::AntiBotTech::None),
            served: true,
            ..EngineResponse::default()
        })
    }

    /// The body spider parses for links: the page's `<base>` and `<a href>`s
    /// (values decoded), less hidden links, links to pages already fetched,
    /// links spider has already been given at this depth or nearer (it would
    /// skip them, after paying for the parse) and repeats within the page. A
    /// link known only deeper stays, so that its hop depth is lowered. The
    /// links kept get their hop depth recorded here.
    fn links_for_spider(
        &self,
        tags: &[&[u8]],
        base: &Url,
        base_tag: Option<Vec<u8>>,
        depth: u32,
    ) -> Handover {
        // Resolved before taking the lock that every fetch also takes.
        let mut raw_seen = HashSet::new();
        let mut candidates: Vec<(&[u8], LinkText<'_>, Option<Resolved>)> =
            Vec::with_capacity(tags.len());
        for tag in tags {
            let Some(raw) = href(tag) else { continue };
            let base_tag = is_base(tag);
            // The same text twice resolves the same: skip before resolving.
            if !base_tag && (is_hidden(tag) || !raw_seen.insert(raw)) {
                continue;
            }
            let name: &[u8] = if base_tag { b"base" } else { b"a" };
            let Ok(text) = std::str::from_utf8(raw) else {
                // Bytes in the page's own charset: spider decodes the tag
                // as it stands.
                candidates.push((name, LinkText::Verbatim(tag), None));
                continue;
            };
            let value = trimmed(decode_value(text));
            let key = (!base_tag)
                .then(|| resolve_link(base, self.site_scheme(), &value))
                .flatten()
                .map(|abs| Resolved {
                    key: url_key(abs.as_str()),
                    on_site: self.scope.on_site(&abs),
                });
            candidates.push((name, LinkText::Decoded(value), key));
        }
        let mut handover = Handover {
            body: base_tag.unwrap_or_default(),
            links: 0,
            unrecorded: false,
        };
        let mut on_page = HashSet::new();
        let delivered = lock(&self.delivered);
        let mut depths = self.depths.by_key();
        for (name, text, key) in candidates {
            if let Some(Resolved { key, on_site }) = key {
                if delivered.contains(&key)
                    || depths.get(key).is_some_and(|d| d <= depth + 1)
                    || !on_page.insert(key)
                {
                    continue;
                }
                // Recorded now, so spider's parse need not resolve it again.
                if on_site {
                    depths.record(key, depth + 1);
                }
            }
            let is_link = name == b"a";
            handover.links += usize::from(is_link);
            match text {
                LinkText::Decoded(value) => write_link_tag(&mut handover.body, name, &value),
                LinkText::Verbatim(tag) => {
                    handover.unrecorded |= is_link;
                    handover.body.extend_from_slice(tag);
                    handover.body.push(b'\n');
                }
            }
        }
        handover
    }

    async fn deliver_failure(
        &self,
        url_str: &str,
        depth: u32,
        is_start: bool,
        error: FetchError,
    ) -> Result<EngineResponse, EngineError> {
        let failure = FailedPage::from_fetch(url_str, depth, &error);
        let answer = match failure.status {
            Some(status) => EngineError::Status(status),
            None => EngineError::Other(failure.error.clone()),
        };
        if is_start {
            *lock(&self.start_failure) = Some(error);
        }
        if self.send(CrawlEvent::Failed(failure)).await {
            bump(&self.counters.failed);
        } else {
            bump(&self.counters.lost);
        }
        Err(answer)
    }
}

/// A link as spider will ask for it: its `url_key`, and whether it is on
/// the site (only those get a hop depth).
struct Resolved {
    key: u64,
    on_site: bool,
}

/// What spider is handed for one page.
struct Handover {
    body: Vec<u8>,
    /// `<a>` tags in `body`.
    links: usize,
    /// Some of them could not be resolved here (not UTF-8): their depth is
    /// recorded from spider's parse.
    unrecorded: bool,
}

/// A link's value for spider: decoded (rewritten into a tag of our own) or,
/// when it is not UTF-8, the page's tag as it stands.
enum LinkText<'a> {
    Decoded(Cow<'a, str>),
    Verbatim(&'a [u8]),
}

/// `<name href="value">` and a newline, in ASCII whatever the page's
/// charset: a quote and every non-ASCII character are percent-encoded (as
/// UTF-8, as a URL parser does), so spider reads exactly the value.
fn write_link_tag(body: &mut Vec<u8>, name: &[u8], value: &str) {
    body.push(b'<');
    body.extend_from_slice(name);
    body.extend_from_slice(b" href=\"");
    for &b in value.as_bytes() {
        if b == b'"' || !b.is_ascii() {
            body.extend_from_slice(format!("%{b:02X}").as_bytes());
        } else {
            body.push(b);
        }
    }
    body.extend_from_slice(b"\">\n");
}

/// HTML strips spaces around URL attribute values; no copy when there are none.
fn trimmed(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(v) => Cow::Borrowed(v.trim()),
        Cow::Owned(v) if v.trim().len() == v.len() => Cow::Owned(v),
        Cow::Owned(v) => Cow::Owned(v.trim().to_string()),
    }
}

/// What spider gets for a URL the crawl does not fetch: a 4xx-class answer
/// without body, so it neither retries nor finds links.
fn skipped() -> EngineError {
    EngineError::Request
}

/// The adapter spider holds.
pub(crate) struct SiteEngine(pub Arc<CrawlShared>);

#[async_trait::async_trait]
impl HttpFetchEngine for SiteEngine {
    async fn fetch(&self, req: EngineRequest<'_>) -> Result<EngineResponse, EngineError> {
        // spider retries a truncated body once (attempt 1); this engine
        // never reports truncation, so a retry would only be a second request.
        if req.attempt > 0 {
            return Err(skipped());
        }
        let _in_flight = InFlight::enter(&self.0);
        self.0.handle(req.url).await
    }
}

/// Counts an engine call from start to end, however it ends (spider may
/// drop the future when its task is aborted).
struct InFlight<'a>(&'a CrawlShared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a CrawlShared) -> Self {
        shared.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
