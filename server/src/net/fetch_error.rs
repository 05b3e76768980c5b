//! What can go wrong fetching a page, in terms a person can act on, and how
//! reqwest's error chain is read to tell the cases apart.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use scraper_common::ErrorCode;
use url::Url;

use crate::net::client::RedirectError;
use crate::net::connect_guard::UnknownPeer;
use crate::net::policy::PolicyError;
use crate::net::resolve::ResolveError;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL, or an address it resolved to, is not allowed.
    #[error("{0}")]
    Policy(PolicyError),
    #[error("redirect from {from} to {to} refused: {error}")]
    RedirectRefused {
        from: Url,
        to: Url,
        error: PolicyError,
    },
    #[error("could not resolve host {host} (for {url}): {reason}")]
    Dns {
        url: Url,
        host: String,
        reason: String,
    },
    /// `addr` is `host:port`.
    #[error("could not connect to {addr} (for {url}): {reason}")]
    Connect {
        url: Url,
        addr: String,
        reason: String,
    },
    /// `after` is the time from sending the request to giving up.
    #[error("{url} did not answer in time: gave up after {}", human_duration(*after))]
    Timeout { url: Url, after: Duration },
    #[error("{url} is {content_type}, not an HTML page")]
    NotHtml { url: Url, content_type: String },
    #[error("too many redirects ({max}) starting at {url}; the last one pointed to {last}")]
    TooManyRedirects { url: Url, last: Url, max: usize },
    /// A 4xx or 5xx (or any other non-2xx) answer. `url` is where it came
    /// from, after redirects.
    #[error("{} at {url}", status_line(*status))]
    HttpStatus { url: Url, status: u16 },
    /// Anything else on the wire: TLS failures after connecting, resets,
    /// malformed responses, a body cut short.
    #[error("fetching {url} failed: {reason}")]
    Network { url: Url, reason: String },
}

/// The class of a failure: what the API answers and a run records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Policy,
    Dns,
    Connect,
    Timeout,
    NotHtml,
    TooManyRedirects,
    HttpStatus,
    Network,
}

impl ErrorKind {
    /// The API's code for a failed fetch; its HTTP status follows from the
    /// code (422 for what the caller can fix, 502 when the remote side
    /// failed, 504 when it was too slow).
    pub fn error_code(self) -> ErrorCode {
        match self {
            ErrorKind::Policy => ErrorCode::UrlRefused,
            ErrorKind::NotHtml => ErrorCode::NotHtml,
            ErrorKind::Dns => ErrorCode::DnsFailed,
            ErrorKind::Connect => ErrorCode::ConnectFailed,
            ErrorKind::Timeout => ErrorCode::Timeout,
            ErrorKind::TooManyRedirects => ErrorCode::TooManyRedirects,
            ErrorKind::HttpStatus => ErrorCode::UpstreamStatus,
            ErrorKind::Network => ErrorCode::FetchFailed,
        }
    }
}

impl FetchError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Policy(_) | FetchError::RedirectRefused { .. } => ErrorKind::Policy,
            FetchError::Dns { .. } => ErrorKind::Dns,
            FetchError::Connect { .. } => ErrorKind::Connect,
            FetchError::Timeout { .. } => ErrorKind::Timeout,
            FetchError::NotHtml { .. } => ErrorKind::NotHtml,
            FetchError::TooManyRedirects { .. } => ErrorKind::TooManyRedirects,
            FetchError::HttpStatus { .. } => ErrorKind::HttpStatus,
            FetchError::Network { .. } => ErrorKind::Network,
        }
    }

    /// The status the remote server answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::HttpStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn http_status(&self) -> u16 {
        self.kind().error_code().status()
    }

    /// Reads a reqwest error. Our own error types (redirect, resolver, connect
    /// guard) are looked for first along the `source()` chain, since reqwest
    /// wraps them several layers deep and would otherwise report a policy
    /// refusal as a generic connect error.
    pub fn from_reqwest(err: &reqwest::Error, requested: &Url, elapsed: Duration) -> FetchError {
        let url = err.url().cloned().unwrap_or_else(|| requested.clone());
        for cause in chain(err) {
            if let Some(redirect) = cause.downcast_ref::<RedirectError>() {
                return match redirect.clone() {
                    RedirectError::TooMany { max, start, next } => FetchError::TooManyRedirects {
                        url: start,
                        last: next,
                        max,
                    },
                    RedirectError::Refused { from, to, error } => {
                        FetchError::RedirectRefused { from, to, error }
                    }
                };
            }
            if let Some(resolve) = cause.downcast_ref::<ResolveError>() {
                return match resolve.clone() {
                    ResolveError::NotFound { host, reason } => {
                        FetchError::Dns { url, host, reason }
                    }
                    ResolveError::Refused(error) => FetchError::Policy(error),
                };
            }
            if let Some(policy) = cause.downcast_ref::<PolicyError>() {
                return FetchError::Policy(policy.clone());
            }
            if let Some(unknown) = cause.downcast_ref::<UnknownPeer>() {
                return FetchError::Network {
                    url,
                    reason: unknown.to_string(),
                };
            }
        }
        // A connect timeout is both; it is reported as a timeout.
        if err.is_timeout() {
            return FetchError::Timeout {
                url,
                after: elapsed,
            };
        }
        if err.is_connect() {
            return FetchError::Connect {
                addr: host_port(&url),
                reason: connect_reason(err),
                url,
            };
        }
        FetchError::Network {
            reason: root_cause(err),
            url,
        }
    }
}

fn chain<'a>(err: &'a reqwest::Error) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let first: &'a (dyn StdError + 'static) = err;
    std::iter::successors(Some(first), |e: &&'a (dyn StdError + 'static)| {
        (*e).source()
    })
}

fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn connect_reason(err: &reqwest::Error) -> String {
    let io = chain(err).find_map(|e| e.downcast_ref::<io::Error>());
    match io.map(io::Error::kind) {
        Some(io::ErrorKind::ConnectionRefused) => {
            "connection refused (nothing is listening on that port)".into()
        }
        _ => root_cause(err),
    }
}

/// The innermost message, which is the specific one ("connection refused",
/// "invalid peer certificate: ..."); the outer ones only repeat the URL.
fn root_cause(err: &reqwest::Error) -> String {
    chain(err)
        .last()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => format!("HTTP status {status}"),
    }
}

pub(crate) fn human_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_api_statuses() {
        let url = Url::parse("http://example.com/x").unwrap();
        let cases = [
            (
                FetchError::HttpStatus {
                    url: url.clone(),
                    status: 404,
                },
                502,
                "404 Not Found at http://example.com/x",
            ),
            (
                FetchError::Timeout {
                    url: url.clone(),
                    after: Duration::from_millis(312),
                },
                504,
                "http://example.com/x did not answer in time: gave up after 312 ms",
            ),
            (
                FetchError::NotHtml {
                    url: url.clone(),
                    content_type: "application/pdf".into(),
                },
                422,
                "http://example.com/x is application/pdf, not an HTML page",
            ),
        ];
        for (err, status, message) in cases {
            assert_eq!(err.http_status(), status);
            assert_eq!(err.to_string(), message);
        }
        assert_eq!(human_duration(Duration::from_secs(30)), "30.0 s");
        assert_eq!(status_line(599), "HTTP status 599");
    }
}
