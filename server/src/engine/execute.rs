//! One run, from its flow's plan to its outcome: fetch pages, extract items,
//! store them in batches, log progress, and say honestly how it ended.

use super::failure::{self, Cause};
use super::log::RunLog;
use super::plan::{self, ExtractRule, Source, Take};
use super::sink::ItemSink;
use crate::crawl::{self, CrawlEvent, CrawlSettings};
use crate::extract;
use crate::fetch::{FetchOptions, fetch_page};
use crate::interact::render::Renderer;
use crate::net::UrlPolicy;
use crate::store::{self, Progress, Store};
use scraper::{Html, Selector};
use scraper_common::{FailureReason, Flow, FlowMode, LogLevel, RunStatus};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

/// What a run is charged: `pages × per_page + MB downloaded × per_mb` (USD).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    pub per_page: f64,
    pub per_mb: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            per_page: 0.0001,
            per_mb: 0.0,
        }
    }
}

impl Prices {
    pub fn cost(&self, pages: u64, bytes: u64) -> f64 {
        let raw = pages as f64 * self.per_page + bytes as f64 / 1e6 * self.per_mb;
        (raw * 1e6).round() / 1e6
    }
}

/// Everything a run needs from the server.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    /// The browser of interact runs and `render: true` pages.
    pub browsers: Arc<crate::interact::Browsers>,
    pub metrics: Arc<crate::prometheus::Metrics>,
    pub http: reqwest::Client,
    /// The same URL policy, following no redirect: for webhooks.
    pub webhook_http: reqwest::Client,
    pub policy: Arc<UrlPolicy>,
    pub fetch: FetchOptions,
    pub prices: Prices,
    pub log_cap: u64,
}

/// How a run ended, as the worker will record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: RunStatus,
    pub failure_reason: Option<FailureReason>,
    pub error: Option<String>,
}

impl Outcome {
    pub(super) fn completed() -> Outcome {
        Outcome {
            status: RunStatus::Completed,
            failure_reason: None,
            error: None,
        }
    }

    pub(super) fn failed(reason: FailureReason, error: impl Into<String>) -> Outcome {
        Outcome {
            status: RunStatus::Failed,
            failure_reason: Some(reason),
            error: Some(error.into()),
        }
    }
}

const PROGRESS_EVERY: Duration = Duration::from_secs(2);
const PROGRESS_PAGES: u64 = 100;

/// The state of a run while pages come in.
pub(super) struct Tally<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) run_id: &'a str,
    pub(super) log: RunLog,
    sink: ItemSink,
    progress: Progress,
    limit: u64,
    uncoerced: u64,
    /// The first failure, which explains a run that fetched nothing.
    first_failure: Option<(FailureReason, String)>,
    last_report: Instant,
    pages_at_report: u64,
}

impl<'a> Tally<'a> {
    /// A run that expects up to `limit` pages.
    pub(super) fn new(ctx: &'a Ctx, run_id: &'a str, log: RunLog, limit: u64) -> Tally<'a> {
        Tally {
            ctx,
            run_id,
            log,
            sink: ItemSink::new(ctx.store.clone(), run_id),
            progress: Progress::default(),
            limit,
            uncoerced: 0,
            first_failure: None,
            last_report: Instant::now(),
            pages_at_report: 0,
        }
    }
}

impl Tally<'_> {
    /// `line` goes to the log; `reason` and `error` explain the run if no
    /// page is fetched at all.
    async fn page_failed(
        &mut self,
        reason: FailureReason,
        line: &str,
        error: &str,
    ) -> store::Result<()> {
        self.progress.pages_failed += 1;
        self.ctx.metrics.page_fetched();
        self.log.warn(line).await?;
        if self.first_failure.is_none() {
            self.first_failure = Some((reason, error.to_string()));
        }
        self.report(false).await
    }

    pub(super) async fn page_done(
        &mut self,
        bytes: usize,
        warnings: &[String],
        extracted: Extracted,
    ) -> store::Result<()> {
        self.progress.pages_fetched += 1;
        self.progress.bytes_downloaded += bytes as u64;
        self.ctx.metrics.page_fetched();
        self.ctx
            .metrics
            .items_extracted(extracted.items.len() as u64);
        for warning in warnings {
            self.log.warn(warning).await?;
        }
        self.uncoerced += extracted.uncoerced;
        let stored = self.sink.stored;
        self.sink.push(extracted.items).await?;
        // When items reached the database, the counters follow at once.
        self.report(self.sink.stored != stored).await
    }

    /// Stores counters; logs progress every 2 s or 100 pages (or when `now`).
    pub(super) async fn report(&mut self, now: bool) -> store::Result<()> {
        let pages = self.progress.pages_fetched + self.progress.pages_failed;
        let due = self.last_report.elapsed() >= PROGRESS_EVERY
            || pages >= self.pages_at_report + PROGRESS_PAGES;
        if !due && !now {
            return Ok(());
        }
        self.sink.flush().await?;
        self.sync_counters();
        self.ctx
            .store
            .record_progress(self.run_id, &self.progress)
            .await?;
        if due {
            self.log
                .info(format!(
                    "Progress: {}/{} pages fetched, {} failed, {} items so far",
                    self.progress.pages_fetched,
                    self.limit,
                    self.progress.pages_failed,
                    self.sink.count()
                ))
                .await?;
            self.last_report = Instant::now();
            self.pages_at_report = pages;
        }
        Ok(())
    }

    fn sync_counters(&mut self) {
        self.progress.items_extracted = self.sink.stored;
        self.progress.cost = self
            .ctx
            .prices
            .cost(self.progress.pages_fetched, self.progress.bytes_downloaded);
    }
}

/// Runs `flow` as run `run_id` until it ends or `cancel` fires. Store errors
/// end the run early and are returned.
pub async fn execute(
    ctx: &Ctx,
    run_id: &str,
    flow: &Flow,
    cancel: &CancellationToken,
) -> store::Result<Outcome> {
    if flow.mode == FlowMode::Interact {
        return super::browse::execute(ctx, run_id, flow, cancel).await;
    }
    let mut log = RunLog::new(ctx.store.clone(), run_id, 1, ctx.log_cap);
    let plan = match plan::of_flow(flow) {
        Ok(plan) => plan,
        Err(err) => {
            let reason = failure::reason(Cause::Plan(&err));
            return Ok(Outcome::failed(reason, err.to_string()));
        }
    };
    let limit = match &plan.source {
        Source::Page { .. } => 1,
        Source::Paginate { max_pages, .. } => u64::from(*max_pages),
        Source::Crawl { settings, .. } => u64::from(settings.max_pages),
    };
    let timeout = match &plan.source {
        Source::Crawl { settings, .. } => settings.timeout(),
        _ => ctx.fetch.timeout,
    };
    log.info(format!(
        "Run started: {}; {} extract step(s); timeout {} ms a page, page size limit {} MiB",
        describe(&plan.source),
        plan.extracts.len(),
        timeout.as_millis(),
        ctx.fetch.max_bytes / (1024 * 1024)
    ))
    .await?;

    let renderer = match plan.source.renders() {
        false => None,
        true => {
            let tabs = match &plan.source {
                Source::Crawl { settings, .. } => settings.concurrency as usize,
                _ => 1,
            };
            let mut waited = false;
            let started = Instant::now();
            let opened =
                Renderer::open(&ctx.browsers, ctx.policy.clone(), tabs, |_| waited = true).await;
            if waited {
                super::browse::log_slot_wait(&mut log, ctx, started).await?;
            }
            match opened {
                Ok(renderer) => Some(Arc::new(renderer)),
                Err(e) => return Ok(super::browse::browser_failure(e)),
            }
        }
    };

    let rules = Arc::new(plan.extracts);
    let mut tally = Tally::new(ctx, run_id, log, limit);
    let render = renderer.as_deref();
    match plan.source {
        Source::Page { url, .. } => {
            follow(&mut tally, &rules, url, None, 1, render, cancel).await?
        }
        Source::Paginate {
            url,
            next_selector,
            max_pages,
            ..
        } => {
            let selector = Selector::parse(&next_selector).expect("checked by the plan");
            follow(
                &mut tally,
                &rules,
                url,
                Some(selector),
                max_pages,
                render,
                cancel,
            )
            .await?
        }
        Source::Crawl { url, settings } => {
            crawl_site(
                &mut tally,
                &rules,
                &url,
                &settings,
                renderer.clone(),
                cancel,
            )
            .await?
        }
    }
    if let Some(renderer) = renderer {
        let refused = renderer.refused().await;
        if refused.count > 0 {
            tally
                .log
                .warn(format!(
                    "{} request(s) of the rendered pages refused by the URL policy: {}",
                    refused.count,
                    refused.first.join("; ")
                ))
                .await?;
        }
        // The crawl has let go of its handle by now.
        if let Ok(renderer) = Arc::try_unwrap(renderer) {
            renderer.close().await;
        }
    }
    conclude(tally, cancel, None).await
}

/// How the run ended, from what it did, with the summary line: cancelled,
/// `failed` (the run's own failure, else no page fetched, else nothing
/// extracted), or completed.
pub(super) async fn conclude(
    mut tally: Tally<'_>,
    cancel: &CancellationToken,
    failed: Option<Outcome>,
) -> store::Result<Outcome> {
    tally.report(true).await?;
    let p = tally.progress;
    let outcome = if cancel.is_cancelled() {
        Outcome {
            status: RunStatus::Cancelled,
            failure_reason: None,
            error: None,
        }
    } else if let Some(failed) = failed {
        failed
    } else if p.pages_fetched == 0 {
        let (reason, message) = tally
            .first_failure
            .clone()
            .unwrap_or((FailureReason::Internal, "no page was fetched".to_string()));
        Outcome::failed(reason, message)
    } else if p.items_extracted == 0 {
        Outcome::failed(
            FailureReason::EmptyExtraction,
            format!(
                "{} page(s) loaded but no items were extracted: the site's layout may have changed; \
                 check the flow's selectors and outputSchema",
                p.pages_fetched
            ),
        )
    } else {
        Outcome::completed()
    };
    let mut summary = format!(
        "Summary: {} pages fetched, {} failed, {} items extracted, {} bytes downloaded, cost ${:.6}",
        p.pages_fetched, p.pages_failed, p.items_extracted, p.bytes_downloaded, p.cost
    );
    if tally.uncoerced > 0 {
        summary.push_str(&format!(
            "; {} values did not fit their type and are null",
            tally.uncoerced
        ));
    }
    let level = if outcome.status == RunStatus::Completed {
        LogLevel::Info
    } else {
        LogLevel::Warn
    };
    tally.log.force(level, &summary).await?;
    Ok(outcome)
}

/// Fetches `start`, then the pages its `next` links lead to (up to
/// `max_pages`); in the browser when `render` is given.
async fn follow(
    tally: &mut Tally<'_>,
    rules: &Arc<Vec<ExtractRule>>,
    start: String,
    next_selector: Option<Selector>,
    max_pages: u32,
    render: Option<&Renderer>,
    cancel: &CancellationToken,
) -> store::Result<()> {
    let ctx = tally.ctx;
    let next_selector = next_selector.map(Arc::new);
    let mut seen = HashSet::new();
    let mut next = Some(start);
    while let Some(url) = next.take() {
        if cancel.is_cancelled() || !seen.insert(url.clone()) {
            break;
        }
        let started = Instant::now();
        let fetched = tokio::select! {
            fetched = fetch_one(ctx, &url, render) => fetched,
            _ = cancel.cancelled() => break,
        };
        ctx.metrics.fetch_took(started.elapsed());
        let page = match fetched {
            Ok(page) => page,
            Err(err) => {
                tally
                    .page_failed(
                        failure::reason(Cause::Fetch(&err)),
                        &format!("Page failed: {url}: {err}"),
                        &err.to_string(),
                    )
                    .await?;
                break;
            }
        };
        let extracted =
            extract_if_wanted(rules, &page.final_url, &page.html, next_selector.as_deref());
        if (seen.len() as u32) < max_pages {
            next = extracted.next.clone();
        }
        tally
            .page_done(page.bytes(), &page.warnings, extracted)
            .await?;
    }
    Ok(())
}

/// Crawls from `url`, extracting pages as they arrive, in order.
async fn crawl_site(
    tally: &mut Tally<'_>,
    rules: &Arc<Vec<ExtractRule>>,
    url: &str,
    settings: &CrawlSettings,
    renderer: Option<Arc<Renderer>>,
    cancel: &CancellationToken,
) -> store::Result<()> {
    let ctx = tally.ctx;
    let (tx, mut rx) = mpsc::channel::<CrawlEvent>(256);
    let crawler = crawl::crawl_with(
        url,
        settings,
        ctx.http.clone(),
        &ctx.policy,
        tx,
        cancel.clone(),
        renderer,
    );

    // Pages are extracted here, on this task, as they arrive: the crawl's
    // own tasks keep the other cores busy, and no page hops threads (on two
    // cores the hop to a blocking thread cost more than it saved).
    let consume = async {
        while let Some(event) = rx.recv().await {
            match event {
                CrawlEvent::Page(page) => {
                    let extracted = match Url::parse(&page.final_url) {
                        Ok(url) => extract_if_wanted(rules, &url, &page.html, None),
                        Err(_) => Extracted::default(),
                    };
                    tally
                        .page_done(page.bytes, &page.warnings, extracted)
                        .await?;
                }
                CrawlEvent::Failed(failed) => {
                    let what = match failed.status {
                        Some(status) => format!("Page failed ({status}): {}", failed.error),
                        None => format!("Page failed: {}", failed.error),
                    };
                    tally
                        .page_failed(failure::reason(Cause::Page(&failed)), &what, &failed.error)
                        .await?;
                }
            }
        }
        Ok::<(), store::StoreError>(())
    };
    let (crawled, consumed) = tokio::join!(crawler, consume);
    consumed?;
    match crawled {
        Ok(summary) => {
            if summary.lost + summary.unanswered > 0 && !cancel.is_cancelled() {
                let lost = summary.lost + summary.unanswered;
                tally.progress.pages_failed += lost;
                tally
                    .log
                    .warn(format!(
                        "{lost} page(s) were fetched but not delivered; counted as failed"
                    ))
                    .await?;
            }
            tally
                .log
                .info(format!(
                    "Crawl finished ({:?}): {} requests; links not followed: {} disallowed by robots.txt, \
                     {} filtered by include/exclude, {} off-site, {} deeper than maxDepth",
                    summary.stop,
                    summary.requests,
                    summary.robots_blocked,
                    summary.filtered,
                    summary.off_site,
                    summary.too_deep
                ))
                .await?;
        }
        Err(err) => {
            let reason = failure::reason(Cause::Crawl(&err));
            tally.log.warn(format!("Crawl failed: {err}")).await?;
            // The crawler's own verdict explains the run better than a page's.
            tally.first_failure = Some((reason, err.to_string()));
        }
    }
    Ok(())
}

/// One page: fetched, or loaded in the browser.
async fn fetch_one(
    ctx: &Ctx,
    url: &str,
    render: Option<&Renderer>,
) -> Result<crate::fetch::Page, crate::net::FetchError> {
    let Some(renderer) = render else {
        return fetch_page(&ctx.http, &ctx.policy, url, &ctx.fetch).await;
    };
    let url = ctx
        .policy
        .check_url(url)
        .map_err(crate::net::FetchError::Policy)?;
    renderer.fetch(&url, ctx.fetch.timeout).await
}

/// Extraction is CPU work done inline (about 100 µs for a product page):
/// short enough not to starve the runtime, and cheaper than a thread hop.
fn extract_if_wanted(
    rules: &[ExtractRule],
    url: &Url,
    html: &str,
    next: Option<&Selector>,
) -> Extracted {
    if next.is_none() && !rules.iter().any(|rule| rule.applies_to(url)) {
        // Nothing to take from this page: no parse.
        return Extracted::default();
    }
    extract_page(html, url, rules, next)
}

/// What one page gave.
#[derive(Default)]
pub(super) struct Extracted {
    pub(super) items: Vec<Map<String, Value>>,
    uncoerced: u64,
    /// The absolute URL of its "next" link, when paginating.
    next: Option<String>,
}

/// Parses a page once and applies every extract rule whose `pages` pattern fits.
pub(super) fn extract_page(
    html: &str,
    url: &Url,
    rules: &[ExtractRule],
    next: Option<&Selector>,
) -> Extracted {
    let doc = Html::parse_document(html);
    let mut items = Vec::new();
    let mut uncoerced = 0;
    for rule in rules.iter().filter(|rule| rule.applies_to(url)) {
        match &rule.take {
            Take::Records(spec) => {
                let out = extract::extract_document(&doc, url, spec);
                uncoerced += out.uncoerced as u64;
                items.extend(out.items);
            }
            Take::Text(selector) => {
                let mut item = Map::new();
                item.insert("url".into(), Value::from(url.as_str()));
                item.insert(
                    "text".into(),
                    Value::from(extract::page_text(&doc, selector.as_ref())),
                );
                items.push(item);
            }
        }
    }
    let next = next.and_then(|selector| {
        doc.select(selector)
            .find_map(|el| el.value().attr("href"))
            .and_then(|href| url.join(href).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from)
    });
    Extracted {
        items,
        uncoerced,
        next,
    }
}

fn rendered(render: bool) -> &'static str {
    if render {
        ", loaded in the browser"
    } else {
        ""
    }
}

fn describe(source: &Source) -> String {
    match source {
        Source::Page { url, render } => format!("one page, {url}{}", rendered(*render)),
        Source::Paginate {
            url,
            next_selector,
            max_pages,
            render,
        } => format!(
            "{url} and its next pages (`{next_selector}`, at most {max_pages}){}",
            rendered(*render)
        ),
        Source::Crawl { url, settings } => format!(
            "crawl from {url} (maxPages {}, maxDepth {}, concurrency {}, robots.txt {}){}",
            settings.max_pages,
            settings
                .max_depth
                .map_or("none".to_string(), |d| d.to_string()),
            settings.concurrency,
            if settings.respect_robots {
                "honoured"
            } else {
                "ignored"
            },
            rendered(settings.render)
        ),
    }
}
