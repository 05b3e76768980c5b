//! Fetching one HTML page safely: the URL policy first (see `net`), a bounded
//! body, content sniffing, and a text decoded from the page's charset.

mod body;
pub mod charset;
mod page;
mod sniff;

use std::time::Duration;

use crate::net::{FetchError, UrlPolicy};

pub(crate) use body::{Body, read_limited};
pub use page::Page;
pub(crate) use page::{RequestOptions, fetch_html};

/// The most body bytes a page may have (after gzip/brotli decoding, which
/// also bounds decompression bombs); larger bodies are cut off, not refused.
pub const MAX_PAGE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Body bytes kept (`MAX_PAGE_BYTES` by default).
    pub max_bytes: usize,
    /// Whole request, from connecting to the last body byte.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: MAX_PAGE_BYTES,
            timeout: crate::net::DEFAULT_TIMEOUT,
        }
    }
}

/// Fetches `url` as an HTML page.
///
/// The URL is checked against `policy` before anything is sent; the client
/// (from `net::build_client`, given the same policy) enforces it again on
/// resolved addresses, on every new connection and on every redirect.
/// Answers that are not 2xx come back as `FetchError::HttpStatus` (status and
/// final URL kept), so `Ok` always holds a page worth parsing.
pub async fn fetch_page(
    client: &reqwest::Client,
    policy: &UrlPolicy,
    url: &str,
    opts: &FetchOptions,
) -> Result<Page, FetchError> {
    let url = policy.check_url(url).map_err(FetchError::Policy)?;
    let request = RequestOptions {
        timeout: opts.timeout,
        user_agent: None,
        max_bytes: opts.max_bytes,
    };
    let page = fetch_html(client, &url, &request).await?;
    for warning in &page.warnings {
        tracing::debug!(url = %page.final_url, warning, "fetched with warning");
    }
    Ok(page)
}
