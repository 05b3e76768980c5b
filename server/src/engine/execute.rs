//! One run, from its flow's plan to its outcome: fetch pages, extract items,
//! store them in batches, log progress, and say honestly how it ended.

use super::log::RunLog;
use super::plan::{self, ExtractRule, Source};
use super::sink::ItemSink;
use crate::crawl::{ErrorKind, FetchError, FetchOptions, UrlPolicy, fetch_page};
use crate::extract;
use crate::store::{self, Progress, Store};
use scraper::{Html, Selector};
use scraper_common::{Flow, LogLevel, RunStatus};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    pub http: reqwest::Client,
    pub policy: Arc<UrlPolicy>,
    pub fetch: FetchOptions,
    pub prices: Prices,
    pub log_cap: u64,
}

/// How a run ended, as the worker will record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: RunStatus,
    pub failure_reason: Option<&'static str>,
    pub error: Option<String>,
}

impl Outcome {
    fn completed() -> Outcome {
        Outcome {
            status: RunStatus::Completed,
            failure_reason: None,
            error: None,
        }
    }

    fn failed(reason: &'static str, error: impl Into<String>) -> Outcome {
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
struct Tally<'a> {
    ctx: &'a Ctx,
    run_id: &'a str,
    log: RunLog,
    sink: ItemSink,
    progress: Progress,
    limit: u64,
    uncoerced: u64,
    /// The first failure, which explains a run that fetched nothing.
    first_failure: Option<(&'static str, String)>,
    last_report: Instant,
    pages_at_report: u64,
}

impl Tally<'_> {
    async fn page_failed(&mut self, url: &str, err: &FetchError) -> store::Result<()> {
        self.progress.pages_failed += 1;
        self.log.warn(format!("Page failed: {url}: {err}")).await?;
        if self.first_failure.is_none() {
            self.first_failure = Some((failure_reason(err), err.to_string()));
        }
        Ok(())
    }

    async fn page_done(
        &mut self,
        bytes: usize,
        warnings: &[String],
        extracted: Extracted,
    ) -> store::Result<()> {
        self.progress.pages_fetched += 1;
        self.progress.bytes_downloaded += bytes as u64;
        for warning in warnings {
            self.log.warn(warning).await?;
        }
        self.uncoerced += extracted.uncoerced;
        let stored = self.sink.stored;
        self.sink.push(extracted.items).await?;
        if self.sink.stored != stored {
            // Counters follow the items that are really stored.
            self.sync_counters();
            self.ctx
                .store
                .record_progress(self.run_id, &self.progress)
                .await?;
        }
        self.report(false).await
    }

    /// Stores counters; logs progress every 2 s or 100 pages (or when `now`).
    async fn report(&mut self, now: bool) -> store::Result<()> {
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
    let mut log = RunLog::new(ctx.store.clone(), run_id, 1, ctx.log_cap);
    let plan = match plan::of_flow(flow) {
        Ok(plan) => plan,
        Err(message) => {
            let reason = if message.contains("not available") {
                "unsupported"
            } else {
                "invalid_flow"
            };
            return Ok(Outcome::failed(reason, message));
        }
    };
    let limit = match &plan.source {
        Source::Page { .. } => 1,
        Source::Paginate { max_pages, .. } => u64::from(*max_pages),
        Source::Crawl { .. } => {
            return Ok(Outcome::failed(
                "unsupported",
                "crawl steps are not available in this build yet; use navigate (and paginate) steps",
            ));
        }
    };
    log.info(format!(
        "Run started: {}; {} extract step(s); fetch timeout {} s, page size limit {} MiB",
        describe(&plan.source),
        plan.extracts.len(),
        ctx.fetch.timeout.as_secs(),
        ctx.fetch.max_bytes / (1024 * 1024)
    ))
    .await?;

    let rules = Arc::new(plan.extracts);
    let mut tally = Tally {
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
    };

    let (start, next_selector, max_pages) = match plan.source {
        Source::Page { url } => (url, None, 1),
        Source::Paginate {
            url,
            next_selector,
            max_pages,
        } => (url, Some(next_selector), max_pages),
        Source::Crawl { .. } => unreachable!("returned above"),
    };
    let next_selector =
        next_selector.map(|s| Arc::new(Selector::parse(&s).expect("checked by the plan")));
    let mut seen = HashSet::new();
    let mut next = Some(start);
    while let Some(url) = next.take() {
        if cancel.is_cancelled() || !seen.insert(url.clone()) {
            break;
        }
        let fetched = tokio::select! {
            fetched = fetch_page(&ctx.http, &ctx.policy, &url, &ctx.fetch) => fetched,
            _ = cancel.cancelled() => break,
        };
        let page = match fetched {
            Ok(page) => page,
            Err(err) => {
                tally.page_failed(&url, &err).await?;
                break;
            }
        };
        let rules = rules.clone();
        let selector = next_selector.clone();
        let final_url = page.final_url.clone();
        let html = page.html;
        let extracted = tokio::task::spawn_blocking(move || {
            extract_page(&html, &final_url, &rules, selector.as_deref())
        })
        .await
        .expect("extraction does not panic");
        if (seen.len() as u32) < max_pages {
            next = extracted.next.clone();
        }
        tally
            .page_done(page.bytes, &page.warnings, extracted)
            .await?;
    }
    tally.report(true).await?;

    let p = tally.progress;
    let outcome = if cancel.is_cancelled() {
        Outcome {
            status: RunStatus::Cancelled,
            failure_reason: None,
            error: None,
        }
    } else if p.pages_fetched == 0 {
        let (reason, message) = tally
            .first_failure
            .clone()
            .unwrap_or(("internal", "no page was fetched".to_string()));
        Outcome::failed(reason, message)
    } else if p.items_extracted == 0 {
        Outcome::failed(
            "empty_extraction",
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

/// What one page gave.
struct Extracted {
    items: Vec<Map<String, Value>>,
    uncoerced: u64,
    /// The absolute URL of its "next" link, when paginating.
    next: Option<String>,
}

/// Parses a page once and applies every extract rule whose `pages` pattern fits.
fn extract_page(
    html: &str,
    url: &Url,
    rules: &[ExtractRule],
    next: Option<&Selector>,
) -> Extracted {
    let doc = Html::parse_document(html);
    let mut items = Vec::new();
    let mut uncoerced = 0;
    for rule in rules {
        if rule
            .pages
            .as_ref()
            .is_some_and(|p| !p.is_match(url.as_str()))
        {
            continue;
        }
        let out = extract::extract_document(&doc, url, &rule.spec);
        uncoerced += out.uncoerced as u64;
        items.extend(out.items);
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

fn describe(source: &Source) -> String {
    match source {
        Source::Page { url } => format!("one page, {url}"),
        Source::Paginate {
            url,
            next_selector,
            max_pages,
        } => format!("{url} and its next pages (`{next_selector}`, at most {max_pages})"),
        Source::Crawl { url, .. } => format!("crawl from {url}"),
    }
}

/// The run's `failureReason` for a page that could not be had.
pub fn failure_reason(err: &FetchError) -> &'static str {
    match err {
        FetchError::HttpStatus {
            status: 401 | 403 | 407 | 429 | 451,
            ..
        } => "blocked",
        _ => match err.kind() {
            ErrorKind::Policy => "blocked",
            ErrorKind::Timeout => "timeout",
            _ => "unreachable",
        },
    }
}
