//! Fetching one HTML page safely: policy first, a bounded body, a decoded text.

use std::time::Duration;

use futures_util::StreamExt;
use url::Url;

use crate::crawl::fetch_error::FetchError;
use crate::crawl::page_fetch::{RequestOptions, fetch_html};
use crate::crawl::policy::UrlPolicy;

pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Body bytes kept, counted after gzip/brotli decoding (which also bounds
    /// decompression bombs). Larger bodies are cut off here, not refused.
    pub max_bytes: usize,
    /// Whole request, from connecting to the last body byte.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: crate::crawl::client::DEFAULT_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// Where the page was found, after redirects.
    pub final_url: Url,
    /// Always 2xx: other answers are `FetchError::HttpStatus`.
    pub status: u16,
    pub content_type: Option<String>,
    pub html: String,
    /// Name of the encoding the body was decoded from ("UTF-8", "windows-1252", ...).
    pub encoding: &'static str,
    /// Body bytes received (after content decoding), at most `max_bytes`.
    pub bytes: usize,
    pub truncated: bool,
    pub warnings: Vec<String>,
}

/// Fetches `url` as an HTML page.
///
/// The URL is checked against `policy` before anything is sent; the client
/// (from `build_client`, given the same policy) enforces it again on resolved
/// addresses, on every new connection and on every redirect. Answers that are not 2xx come back as
/// `FetchError::HttpStatus` (status and final URL kept), so `Ok` always holds
/// a page worth parsing.
pub async fn fetch_page(
    client: &reqwest::Client,
    policy: &UrlPolicy,
    url: &str,
    opts: &FetchOptions,
) -> Result<FetchedPage, FetchError> {
    let url = policy.check_url(url).map_err(FetchError::Policy)?;
    let request = RequestOptions {
        timeout: opts.timeout,
        user_agent: None,
        max_bytes: opts.max_bytes,
    };
    let fetched = fetch_html(client, &url, &request).await?;
    for warning in &fetched.warnings {
        tracing::debug!(url = %fetched.final_url, warning, "fetched with warning");
    }
    Ok(FetchedPage {
        bytes: fetched.body.len(),
        final_url: fetched.final_url,
        status: fetched.status,
        content_type: fetched.content_type,
        html: fetched.html,
        encoding: fetched.encoding,
        truncated: fetched.truncated,
        warnings: fetched.warnings,
    })
}

pub(super) struct Body {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Streams the body, keeping at most `max` bytes; the rest is never read (the
/// connection is dropped).
pub(super) async fn read_limited(
    response: reqwest::Response,
    max: usize,
) -> Result<Body, reqwest::Error> {
    let expected = response.content_length().map_or(64 * 1024, |n| n as usize);
    let mut bytes = Vec::with_capacity(expected.min(max));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let room = max - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body {
                bytes,
                truncated: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        truncated: false,
    })
}

pub(super) fn truncation_warning(max: usize, declared: Option<u64>) -> String {
    let size = match declared {
        Some(n) => format!(" (the server announced {n} bytes)"),
        None => String::new(),
    };
    format!(
        "body cut off at the {} limit ({max} bytes){size}; the HTML is incomplete",
        human_bytes(max)
    )
}

fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    const KIB: usize = 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// `Text/HTML; charset=x` -> `text/html`.
pub(super) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn is_html_type(essence: &str) -> bool {
    matches!(essence, "text/html" | "application/xhtml+xml")
}

/// Whether a body that is not labelled HTML starts like an HTML document.
pub(super) fn looks_like_html(body: &[u8]) -> bool {
    let start = skip_bom_and_space(body);
    let head = &start[..start.len().min(64)];
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<title",
        b"<meta",
    ]
    .iter()
    .any(|tag| head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag))
}

/// Whether an unlabelled body is plainly not text: NUL bytes or the magic
/// numbers of common binary formats.
pub(super) fn looks_binary(body: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"%PDF-",
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"\x1f\x8b",
    ];
    let head = &body[..body.len().min(1024)];
    let utf16_bom = head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff");
    MAGIC.iter().any(|m| head.starts_with(m)) || !utf16_bom && head.contains(&0)
}

fn skip_bom_and_space(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_helpers() {
        assert_eq!(essence("Text/HTML; charset=utf-8"), "text/html");
        assert!(is_html_type("application/xhtml+xml"));
        assert!(looks_like_html(b"\xef\xbb\xbf\n  <!DOCTYPE HTML><p>"));
        assert!(!looks_like_html(b"plain words <html>"));
        assert!(looks_binary(b"%PDF-1.7 ..."));
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"\xff\xfe<\0h\0"));
        assert!(!looks_binary(b"<p>hi</p>"));
        assert_eq!(human_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
