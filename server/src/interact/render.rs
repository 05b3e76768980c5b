//! `render: true`: pages of an extract or monitor flow loaded in the browser
//! (the same pool, the same policy) instead of fetched, for sites that build
//! their HTML with JavaScript. A run gets one browser context and opens tabs
//! in it as its concurrency asks; each page is handed on as the HTML the
//! browser rendered, exactly as a fetched page would be.

use super::actions::{self, StepError};
use super::guard::Guard;
use super::{BrowserError, Browsers, Session};
use crate::fetch::Page as Fetched;
use crate::net::{FetchError, UrlPolicy};
use chromiumoxide::cdp::browser_protocol::network::{EventResponseReceived, ResourceType};
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore};
use url::Url;

/// How long a rendered page may keep fetching before it is read anyway.
const SETTLE: Duration = Duration::from_secs(2);
/// Tabs a run loads pages in at once, whatever its concurrency: two a CPU.
/// Rendering is CPU work, so more tabs add memory (a renderer each), not
/// speed (measured on two cores: 8 tabs, 27 pages/s and 1.06 GB; 4 tabs,
/// 22 pages/s and 0.85 GB).
fn max_tabs() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .saturating_mul(2)
        .clamp(2, 16)
}
/// How quiet it must be after its load event to count as done.
const QUIET: Duration = Duration::from_millis(100);

/// A tab of the run, with the watch on its requests.
struct Tab {
    page: Page,
    guard: Guard,
}

pub struct Renderer {
    session: Session,
    policy: Arc<UrlPolicy>,
    tabs: Mutex<Vec<Tab>>,
    /// The first tab is the session's own; more are opened up to this.
    slots: Semaphore,
    opened: Mutex<usize>,
}

impl Renderer {
    /// A context of the run's own, with up to `tabs` pages loading at once.
    pub async fn open(
        browsers: &Arc<Browsers>,
        policy: Arc<UrlPolicy>,
        tabs: usize,
        waiting: impl FnOnce(usize),
    ) -> Result<Renderer, BrowserError> {
        let session = browsers.session(waiting).await?;
        let guard = Guard::attach(&session.page, policy.clone()).await?;
        let first = Tab {
            page: session.page.clone(),
            guard,
        };
        Ok(Renderer {
            session,
            policy,
            tabs: Mutex::new(vec![first]),
            slots: Semaphore::new(tabs.clamp(1, max_tabs())),
            opened: Mutex::new(1),
        })
    }

    /// Loads `url` in a tab and reads what it rendered. Failures are those
    /// of a fetch: refused, unreachable, an error status, too slow.
    pub async fn fetch(&self, url: &Url, timeout: Duration) -> Result<Fetched, FetchError> {
        let checked = self
            .policy
            .check_url(url.as_str())
            .map_err(FetchError::Policy)?;
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| network(url, "the run ended"))?;
        let tab = self.tab().await.map_err(|e| network(url, &e.to_string()))?;
        let loaded = tokio::time::timeout(timeout, load(&tab.page, &checked)).await;
        let outcome = match loaded {
            Ok(Ok(page)) => {
                self.session.loaded();
                Ok(page)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(FetchError::Timeout {
                url: checked.clone(),
                after: timeout,
            }),
        };
        self.tabs.lock().await.push(tab);
        outcome
    }

    /// A free tab, opening one more while under the limit.
    async fn tab(&self) -> Result<Tab, BrowserError> {
        if let Some(tab) = self.tabs.lock().await.pop() {
            return Ok(tab);
        }
        let page = self.session.new_page().await?;
        let guard = Guard::attach(&page, self.policy.clone()).await?;
        *self.opened.lock().await += 1;
        Ok(Tab { page, guard })
    }

    /// Requests the run's pages made that the URL policy refused.
    pub async fn refused(&self) -> super::guard::Refused {
        let mut all = super::guard::Refused::default();
        for tab in self.tabs.lock().await.iter() {
            let one = tab.guard.refused();
            all.count += one.count;
            all.first.extend(one.first);
        }
        all.first.truncate(5);
        all
    }

    pub fn crashed(&self) -> bool {
        self.session.crashed()
    }

    /// Ends the run's context, with every tab in it.
    pub async fn close(self) {
        self.tabs.lock().await.clear();
        if !self.session.crashed() {
            self.session.close().await;
        }
    }
}

/// Loads `url` and waits for it to settle; the status is the main
/// document's (after redirects).
async fn load(page: &Page, url: &Url) -> Result<Fetched, FetchError> {
    let mut responses = page
        .event_listener::<EventResponseReceived>()
        .await
        .map_err(|e| network(url, &e.to_string()))?;
    let started = Instant::now();
    actions::navigate(page, url.as_str())
        .await
        .map_err(|e| match e {
            StepError::Failed(why) if why.contains("refused") => network(url, &why),
            other => network(url, &other.to_string()),
        })?;
    // Scripts may fetch more after the load event; they get a moment.
    let _ = actions::network_idle(page, SETTLE, QUIET).await;
    let mut status = None;
    while let Some(Some(event)) = futures_util::FutureExt::now_or_never(responses.next()) {
        if event.r#type == ResourceType::Document {
            status = Some(event.response.status as u16);
        }
    }
    let (final_url, html) = actions::html(page)
        .await
        .map_err(|e| network(url, &e.to_string()))?;
    let final_url = Url::parse(&final_url).unwrap_or_else(|_| url.clone());
    let status = status.unwrap_or(200);
    if !(200..300).contains(&status) {
        return Err(FetchError::HttpStatus {
            url: final_url,
            status,
        });
    }
    tracing::debug!(url = %final_url, ms = started.elapsed().as_millis(), "rendered");
    let body = html.clone().into_bytes();
    Ok(Fetched {
        final_url,
        status,
        headers: HeaderMap::new(),
        content_type: Some("text/html; charset=utf-8".into()),
        body,
        truncated: false,
        html,
        encoding: "UTF-8",
        warnings: Vec::new(),
    })
}

fn network(url: &Url, reason: &str) -> FetchError {
    FetchError::Network {
        url: url.clone(),
        reason: reason.to_string(),
    }
}
