//! One GET of an HTML page, for `fetch_page` and the crawler alike. The page
//! keeps its raw body next to the decoded text: the crawler finds links in
//! the bytes, extraction reads the text.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use url::Url;

use super::body::{Body, read_limited, truncation_warning};
use super::charset::decode_html;
use super::sniff::{essence, is_html_type, looks_binary, looks_like_html};
use crate::net::FetchError;

pub(crate) struct RequestOptions<'a> {
    pub timeout: Duration,
    pub user_agent: Option<&'a HeaderValue>,
    pub max_bytes: usize,
}

/// A page answered 2xx with HTML (or what reads as HTML).
#[derive(Debug, Clone)]
pub struct Page {
    /// Where the page was found, after redirects.
    pub final_url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub content_type: Option<String>,
    /// Raw body, after content decoding (gzip, brotli), at most `max_bytes`.
    pub body: Vec<u8>,
    pub truncated: bool,
    pub html: String,
    /// Name of the encoding the body was decoded from ("UTF-8", "windows-1252", ...).
    pub encoding: &'static str,
    pub warnings: Vec<String>,
}

impl Page {
    /// Body bytes received (after content decoding), at most the limit.
    pub fn bytes(&self) -> usize {
        self.body.len()
    }
}

/// Sends one GET and reads an HTML answer. Non-2xx answers and non-HTML
/// bodies are errors; the client enforces the URL policy on every
/// connection and redirect, but `url` itself must have been checked.
pub(crate) async fn fetch_html(
    client: &reqwest::Client,
    url: &Url,
    opts: &RequestOptions<'_>,
) -> Result<Page, FetchError> {
    let started = Instant::now();
    let mut request = client
        .get(url.clone())
        .header(ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
        .timeout(opts.timeout);
    if let Some(agent) = opts.user_agent {
        request = request.header(USER_AGENT, agent.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|err| FetchError::from_reqwest(&err, url, started.elapsed()))?;

    let final_url = response.url().clone();
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::HttpStatus {
            url: final_url,
            status: status.as_u16(),
        });
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty());
    let label = content_type.as_deref().map(essence);
    if let Some(label) = &label
        && !is_html_type(label)
        && label != "text/plain"
    {
        return Err(FetchError::NotHtml {
            url: final_url,
            content_type: label.clone(),
        });
    }
    let headers = response.headers().clone();
    let declared = response.content_length();
    let Body {
        bytes: body,
        truncated,
    } = read_limited(response, opts.max_bytes)
        .await
        .map_err(|err| FetchError::from_reqwest(&err, &final_url, started.elapsed()))?;

    let mut warnings = Vec::new();
    if truncated {
        warnings.push(truncation_warning(opts.max_bytes, declared));
    }
    match label.as_deref() {
        Some(label) if is_html_type(label) => {}
        Some(label) if looks_like_html(&body) => {
            warnings.push(format!(
                "served as {label} but looks like HTML; read as HTML"
            ));
        }
        Some(label) => {
            return Err(FetchError::NotHtml {
                url: final_url,
                content_type: label.to_string(),
            });
        }
        None if looks_binary(&body) => {
            return Err(FetchError::NotHtml {
                url: final_url,
                content_type: "unlabelled binary data (no Content-Type)".into(),
            });
        }
        None => warnings.push("no Content-Type header; read as HTML".into()),
    }
    let decoded = decode_html(&body, content_type.as_deref(), !truncated, &mut warnings);
    Ok(Page {
        final_url,
        status: status.as_u16(),
        headers,
        content_type,
        body,
        truncated,
        html: decoded.text,
        encoding: decoded.encoding.name(),
        warnings,
    })
}
