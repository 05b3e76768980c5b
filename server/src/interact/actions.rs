//! What each step does to a page, through the DevTools protocol. Elements
//! are found by the browser's own `querySelector`, polled until their
//! timeout (the protocol has no wait-for-selector). The few scripts run
//! here are fixed, ours: a user's selector or text goes in as JSON data,
//! never as code.

use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, Viewport,
};
use chromiumoxide::element::Element;
use chromiumoxide::page::Page;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// How often a selector is looked for while waiting.
const POLL: Duration = Duration::from_millis(100);
/// How quiet the network must stay to count as idle for a wait step.
pub const IDLE_FOR: Duration = Duration::from_millis(500);
/// Full-page screenshots stop at this height (pixels).
pub const MAX_SHOT_HEIGHT: f64 = 8_000.0;

/// Why a step could not do what it says.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    #[error("selector `{selector}` not found after {} ms", waited.as_millis())]
    NotFound { selector: String, waited: Duration },
    #[error("{0}")]
    Failed(String),
    /// The browser itself failed (its connection, a crash).
    #[error("the browser failed: {0}")]
    Browser(String),
}

impl From<chromiumoxide::error::CdpError> for StepError {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        StepError::Browser(e.to_string())
    }
}

type Result<T> = std::result::Result<T, StepError>;

/// Loads `url` and waits for its load event. A refused or unreachable page
/// is a step failure naming the browser's reason.
pub async fn navigate(page: &Page, url: &str) -> Result<()> {
    page.goto(url).await.map_err(|e| {
        let why = e.to_string();
        if why.contains("ERR_BLOCKED_BY_CLIENT") {
            StepError::Failed(format!("{url} is refused by the URL policy"))
        } else if why.contains("ERR_TUNNEL_CONNECTION_FAILED") {
            StepError::Failed(format!(
                "{url} is refused: its host resolves to an address the URL policy refuses"
            ))
        } else {
            StepError::Failed(format!("{url} did not load: {why}"))
        }
    })?;
    Ok(())
}

/// The first element `selector` matches, waiting for it up to `timeout`.
pub async fn find(page: &Page, selector: &str, timeout: Duration) -> Result<Element> {
    let started = Instant::now();
    loop {
        if let Ok(element) = page.find_element(selector).await {
            return Ok(element);
        }
        if started.elapsed() >= timeout {
            return Err(StepError::NotFound {
                selector: selector.to_string(),
                waited: timeout,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Clicks the first match, or with `all` every match there is once the
/// first has appeared; returns how many were clicked. A missing element is
/// 0 clicks when `optional`.
pub async fn click(
    page: &Page,
    selector: &str,
    all: bool,
    optional: bool,
    timeout: Duration,
) -> Result<usize> {
    let first = match find(page, selector, timeout).await {
        Ok(element) => element,
        Err(StepError::NotFound { .. }) if optional => return Ok(0),
        Err(e) => return Err(e),
    };
    if !all {
        first.click().await?;
        return Ok(1);
    }
    let elements = page.find_elements(selector).await?;
    for element in &elements {
        element.click().await?;
    }
    Ok(elements.len())
}

/// Types `text` into the element (focused by a click first), then presses
/// Enter when `submit`.
pub async fn type_into(
    page: &Page,
    selector: &str,
    text: &str,
    submit: bool,
    timeout: Duration,
) -> Result<()> {
    let element = find(page, selector, timeout).await?;
    element.click().await?;
    element.type_str(text).await?;
    if submit {
        element.press_key("Enter").await?;
    }
    Ok(())
}

/// Presses `key` where the focus is.
pub async fn press(page: &Page, key: &str) -> Result<()> {
    let body = find(page, "body", Duration::from_secs(1)).await?;
    body.press_key(key).await?;
    Ok(())
}

/// Chooses the option whose value is `value` and tells the page so (the
/// `input` and `change` events a person's choice fires).
pub async fn select(page: &Page, selector: &str, value: &str, timeout: Duration) -> Result<()> {
    let element = find(page, selector, timeout).await?;
    let value_json = serde_json::to_string(value).expect("strings serialize");
    let chose: bool = element
        .call_js_fn(
            format!(
                "function() {{ const v = {value_json}; \
                 if (!this.options || ![...this.options].some(o => o.value === v)) return false; \
                 this.value = v; \
                 this.dispatchEvent(new Event('input', {{bubbles: true}})); \
                 this.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }}"
            ),
            false,
        )
        .await?
        .result
        .value
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if chose {
        Ok(())
    } else {
        Err(StepError::Failed(format!(
            "`{selector}` has no option with value `{value}`"
        )))
    }
}

pub async fn hover(page: &Page, selector: &str, timeout: Duration) -> Result<()> {
    find(page, selector, timeout).await?.hover().await?;
    Ok(())
}

/// Waits until the page has loaded and no new resource has been fetched
/// for `quiet`.
pub async fn network_idle(page: &Page, timeout: Duration, quiet: Duration) -> Result<()> {
    let started = Instant::now();
    let mut last: Option<(String, u64)> = None;
    let mut quiet_since = Instant::now();
    loop {
        let now: (String, u64) = eval(
            page,
            "[document.readyState, performance.getEntriesByType('resource').length]",
        )
        .await?;
        if last.as_ref() != Some(&now) {
            quiet_since = Instant::now();
        } else if now.0 == "complete" && quiet_since.elapsed() >= quiet {
            return Ok(());
        }
        last = Some(now);
        if started.elapsed() >= timeout {
            return Err(StepError::Failed(format!(
                "the network did not go quiet within {} ms",
                timeout.as_millis()
            )));
        }
        tokio::time::sleep(quiet.min(POLL)).await;
    }
}

/// How a scroll step went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scrolled {
    pub scrolls: u32,
    pub height: f64,
    /// The page stopped growing before the step ran out of scrolls.
    pub stable: bool,
}

/// Scrolls to the bottom `times` times, or while the page keeps growing
/// (infinite scroll), at most `max` times; each scroll waits for the page
/// to grow, up to `settle`.
pub async fn scroll(
    page: &Page,
    times: Option<u32>,
    max: u32,
    until_stable: bool,
    settle: Duration,
) -> Result<Scrolled> {
    let limit = times.unwrap_or(max).min(max);
    let mut height: f64 = eval(page, "document.documentElement.scrollHeight").await?;
    let mut scrolls = 0;
    while scrolls < limit {
        let _: f64 = eval(
            page,
            "window.scrollTo(0, document.documentElement.scrollHeight), document.documentElement.scrollHeight",
        )
        .await?;
        scrolls += 1;
        let started = Instant::now();
        let grown = loop {
            tokio::time::sleep(POLL).await;
            let now: f64 = eval(page, "document.documentElement.scrollHeight").await?;
            if now > height {
                height = now;
                break true;
            }
            if started.elapsed() >= settle {
                break false;
            }
        };
        if !grown && until_stable {
            return Ok(Scrolled {
                scrolls,
                height,
                stable: true,
            });
        }
    }
    Ok(Scrolled {
        scrolls,
        height,
        stable: false,
    })
}

/// A PNG of the viewport, or of the whole page up to `MAX_SHOT_HEIGHT`.
pub async fn screenshot(page: &Page, full_page: bool) -> Result<Vec<u8>> {
    let mut params = CaptureScreenshotParams::builder().format(CaptureScreenshotFormat::Png);
    if full_page {
        let (width, height): (f64, f64) = eval(
            page,
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
        )
        .await?;
        params = params.capture_beyond_viewport(true).clip(Viewport {
            x: 0.0,
            y: 0.0,
            width: width.clamp(1.0, 4_000.0),
            height: height.clamp(1.0, MAX_SHOT_HEIGHT),
            scale: 1.0,
        });
    }
    let shot = page.execute(params.build()).await?;
    let bytes: &[u8] = shot.result.data.as_ref();
    base64_decode(bytes)
}

fn base64_decode(data: &[u8]) -> Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| StepError::Browser(format!("a screenshot that is not base64: {e}")))
}

/// The page's URL and its DOM as HTML, as rendered now.
pub async fn html(page: &Page) -> Result<(String, String)> {
    let url = page.url().await?.unwrap_or_default();
    let html = page.content().await?;
    Ok((url, html))
}

/// What changes when a "next" control works: the address, or the page's
/// content.
pub async fn signature(page: &Page) -> Result<(String, u64)> {
    eval(
        page,
        "[location.href, document.body ? document.body.innerHTML.length : 0]",
    )
    .await
}

/// Waits (up to `timeout`) for the page to differ from `before` and have
/// loaded; `false` if it never changed.
pub async fn changed_from(page: &Page, before: &(String, u64), timeout: Duration) -> Result<bool> {
    let started = Instant::now();
    loop {
        tokio::time::sleep(POLL).await;
        // A page being replaced answers nothing for a moment.
        if let Ok(now) = signature(page).await
            && &now != before
        {
            let ready: String = eval(page, "document.readyState").await.unwrap_or_default();
            if ready == "complete" {
                return Ok(true);
            }
        }
        if started.elapsed() >= timeout {
            return Ok(false);
        }
    }
}

async fn eval<T: DeserializeOwned>(page: &Page, script: &str) -> Result<T> {
    page.evaluate(script)
        .await?
        .into_value()
        .map_err(|e| StepError::Browser(format!("an unexpected value from the page: {e}")))
}
