//! `crawl`: one crawl step of a run, from the start URL to a summary, with
//! every page streamed to the caller's channel as it is fetched.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use spider::CaseInsensitiveString;
use spider::hashbrown::HashSet;
use spider::page::Page;
use spider::website::Website;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::crawl::events::{CrawlError, CrawlEvent, CrawlSummary, StopReason};
use crate::crawl::request_gates::{Pacer, RobotsGate};
use crate::crawl::robots::{Access, RobotsFetch, fetch_robots};
use crate::crawl::settings::CrawlSettings;
use crate::crawl::site_engine::{CrawlShared, CrawlSharedParts, SiteEngine};
use crate::crawl::site_scope::SiteScope;
use crate::crawl::sitemap::{SitemapOptions, read_sitemaps};
use crate::net::client::DEFAULT_USER_AGENT;
use crate::net::policy::UrlPolicy;

/// How long a stopped crawl waits for its requests to be dropped.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// Sitemap URLs kept as seeds, whatever `maxPages` (they are only strings).
const MAX_SITEMAP_SEEDS: usize = 100_000;

/// Crawls from `start_url`, sending one [`CrawlEvent`] per page requested to
/// `sink`, and returns what happened.
///
/// `client` must be the policy client (`build_client`) for `policy`: it is
/// the only thing that makes requests, spider's included. The channel's
/// capacity is the number of fetched pages that may wait for the consumer;
/// when it is full the crawl waits, so nothing is dropped. Cancelling
/// `cancel` stops the crawl at once: requests in flight are dropped and no
/// new one starts; the summary then says `StopReason::Cancelled`.
///
/// Errors only when nothing could be crawled: a start URL the policy refuses,
/// or a start page that failed (or was disallowed by robots.txt) with no
/// other page fetched. Failed pages otherwise come as `CrawlEvent::Failed`.
pub async fn crawl(
    start_url: &str,
    settings: &CrawlSettings,
    client: reqwest::Client,
    policy: &UrlPolicy,
    sink: mpsc::Sender<CrawlEvent>,
    cancel: CancellationToken,
) -> Result<CrawlSummary, CrawlError> {
    crawl_with(start_url, settings, client, policy, sink, cancel, None).await
}

/// `crawl`, with each page loaded in the browser by `renderer` (robots.txt
/// and sitemaps are still fetched).
pub async fn crawl_with(
    start_url: &str,
    settings: &CrawlSettings,
    client: reqwest::Client,
    policy: &UrlPolicy,
    sink: mpsc::Sender<CrawlEvent>,
    cancel: CancellationToken,
    renderer: Option<Arc<crate::interact::render::Renderer>>,
) -> Result<CrawlSummary, CrawlError> {
    let started = Instant::now();
    settings.validate()?;
    let mut start = policy
        .check_url(start_url)
        .map_err(|error| CrawlError::StartUrl {
            url: start_url.to_string(),
            error,
        })?;
    start.set_fragment(None);
    let scope = SiteScope::new(&start, settings)?;
    let agent_header = settings.user_agent_header()?;
    let agent_name = settings
        .user_agent
        .clone()
        .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
    let stop = cancel.child_token();

    let robots = if settings.respect_robots || settings.use_sitemap {
        let fetched = tokio::select! {
            fetched = fetch_robots(&client, &start, &agent_name, agent_header.as_ref(), settings.timeout()) => fetched,
            _ = stop.cancelled() => return Ok(cancelled_early(started)),
        };
        if let Some(note) = &fetched.note {
            tracing::warn!("{note}");
        }
        Some(fetched)
    } else {
        None
    };
    let access = match (&robots, settings.respect_robots) {
        (Some(RobotsFetch { access, .. }), true) => access.clone(),
        _ => Access::AllowAll,
    };
    let delay = access
        .crawl_delay()
        .map_or(settings.delay(), |robots_delay| {
            robots_delay.max(settings.delay())
        });

    let seeds = if settings.use_sitemap {
        let sitemaps = sitemap_locations(&start, robots.as_ref());
        let opts = SitemapOptions {
            timeout: settings.timeout(),
            user_agent: agent_header.as_ref(),
            max_urls: MAX_SITEMAP_SEEDS,
        };
        let read = tokio::select! {
            read = read_sitemaps(&client, sitemaps, |url| scope.on_site(url), &opts) => read,
            _ = stop.cancelled() => return Ok(cancelled_early(started)),
        };
        for problem in &read.problems {
            tracing::warn!("{problem}");
        }
        read.urls
    } else {
        Vec::new()
    };

    let robots_gate = RobotsGate::new(
        settings.respect_robots,
        client.clone(),
        agent_name,
        agent_header.clone(),
        settings.timeout(),
    );
    robots_gate.preload(&start, access);
    let shared = Arc::new(CrawlShared::new(CrawlSharedParts {
        client: client.clone(),
        concurrency: settings.concurrency as usize,
        scope,
        robots: robots_gate,
        pacer: Pacer::new(delay),
        max_depth: settings.max_depth,
        max_pages: u64::from(settings.max_pages),
        timeout: settings.timeout(),
        user_agent: agent_header,
        start: start.clone(),
        sink,
        stop: stop.clone(),
        renderer,
    }));
    shared.depths.record(start.as_str(), 0);
    for seed in &seeds {
        shared.depths.record(seed.as_str(), 1);
    }

    let mut website = configure_website(&start, settings, client, &shared);
    if !seeds.is_empty() {
        // spider skips its first-page fetch when it has extra links, so the
        // start URL goes in with them; `persist_links` keeps them from being
        // cleared when the crawl starts.
        let mut links: HashSet<CaseInsensitiveString> =
            seeds.iter().map(|u| u.as_str().into()).collect();
        links.insert(start.as_str().into());
        website.set_extra_links(links);
        website.persist_links();
    }

    // Boxed so that it can be dropped (ending its borrow) before `website`.
    let mut crawling = Box::pin(website.crawl_raw());
    let mut spider_done = false;
    tokio::select! {
        _ = &mut crawling => spider_done = true,
        _ = shared.limit_done.cancelled() => {}
        _ = stop.cancelled() => {}
    };
    // Read from what happened, not from which branch won: spider also ends
    // by itself once the budget is spent or the consumer has gone (nothing
    // is followed any more), often in the same instant.
    let stop_reason = if shared.consumer_gone.load(Ordering::Acquire) {
        StopReason::ConsumerClosed
    } else if stop.is_cancelled() {
        StopReason::Cancelled
    } else if shared.limit_done.is_cancelled() || shared.requests() == u64::from(settings.max_pages)
    {
        StopReason::MaxPages
    } else {
        StopReason::Finished
    };
    stop.cancel();
    if !spider_done {
        // spider keeps running meanwhile, so that the engine calls under way
        // end on their own (each one sees `stop`, drops its request and
        // counts a page it could not deliver) rather than being cut off by
        // an abort; then nothing can reach the site after this returns.
        let settled = async {
            tokio::select! {
                _ = &mut crawling => {}
                _ = shared.idle() => {}
            }
            // spider may return while calls it spawned are still ending;
            // the summary waits for them to count what they could not deliver.
            shared.idle().await;
        };
        if tokio::time::timeout(STOP_GRACE, settled).await.is_err() {
            tracing::warn!("engine calls still under way {STOP_GRACE:?} after the crawl stopped");
        }
    }
    drop(crawling);
    drop(website);

    let summary = summarize(&shared, stop_reason, seeds.len(), delay, started);
    if summary.pages == 0 && matches!(stop_reason, StopReason::Finished | StopReason::MaxPages) {
        if let Some(url) = take(&shared.start_disallowed) {
            return Err(CrawlError::StartDisallowed { url });
        }
        if let Some(error) = take(&shared.start_failure) {
            return Err(CrawlError::StartFailed {
                url: start.to_string(),
                error,
            });
        }
    }
    Ok(summary)
}

fn configure_website(
    start: &Url,
    settings: &CrawlSettings,
    client: reqwest::Client,
    shared: &Arc<CrawlShared>,
) -> Website {
    let mut website = Website::new(start.as_str());
    let after_parse = shared.clone();
    website
        // robots.txt, pacing, depth and the page budget are the engine's:
        // spider's robots parser mishandles prefix rules (see robots.rs), its
        // depth is path depth and its budget counts URLs it never requests.
        .with_respect_robots_txt(false)
        .with_delay(0)
        .with_subdomains(settings.allow_subdomains)
        .with_tld(false)
        // At least 2: with a limit of 1, spider ends the whole crawl as soon
        // as one page yields no new link while others still wait in its
        // queue (it checks "no task running and no new link" but not the
        // queue). The engine holds requests to `concurrency` itself.
        .with_concurrency_limit(Some(settings.concurrency.max(2) as usize))
        .with_retry(0)
        // The page's raw hrefs, for recording hop depths.
        .with_return_page_links(true)
        .with_normalize(false)
        .with_fetch_engine(SiteEngine(shared.clone()))
        .with_on_should_crawl_callback_closure(Some(move |page: &Page| {
            after_parse.after_parse(page)
        }));
    // Also used for anything spider fetches by itself; without it spider
    // builds its own client, whose redirect guard refuses loopback targets.
    website.set_http_client(client);
    website
}

/// robots.txt's `Sitemap:` lines, else `/sitemap.xml`.
fn sitemap_locations(start: &Url, robots: Option<&RobotsFetch>) -> Vec<Url> {
    let listed: Vec<Url> = robots
        .map(|r| {
            r.sitemaps
                .iter()
                .filter_map(|s| start.join(s).ok())
                .collect()
        })
        .unwrap_or_default();
    if listed.is_empty() {
        start.join("/sitemap.xml").into_iter().collect()
    } else {
        listed
    }
}

fn summarize(
    shared: &CrawlShared,
    stop: StopReason,
    sitemap_urls: usize,
    delay: std::time::Duration,
    started: Instant,
) -> CrawlSummary {
    let c = &shared.counters;
    let get = |n: &std::sync::atomic::AtomicU64| n.load(Ordering::Acquire);
    CrawlSummary {
        stop,
        pages: get(&c.pages),
        failed: get(&c.failed),
        bytes: get(&c.bytes),
        requests: shared.requests(),
        lost: get(&c.lost),
        robots_blocked: get(&c.robots_blocked),
        filtered: get(&c.filtered),
        off_site: get(&c.off_site),
        too_deep: get(&c.too_deep),
        duplicates: get(&c.duplicates),
        unanswered: get(&c.unanswered),
        depth_unknown: get(&c.depth_unknown),
        sitemap_urls: sitemap_urls as u64,
        delay,
        elapsed: started.elapsed(),
    }
}

fn cancelled_early(started: Instant) -> CrawlSummary {
    CrawlSummary {
        stop: StopReason::Cancelled,
        elapsed: started.elapsed(),
        ..CrawlSummary::default()
    }
}

fn take<T>(slot: &std::sync::Mutex<Option<T>>) -> Option<T> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}
