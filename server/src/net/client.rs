//! The HTTP client, carrying the whole policy itself so that any code handed
//! it (the crawler included) gets the same protection as `fetch_page`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::redirect;
use url::Url;

use crate::net::connect_guard::ConnectGuardLayer;
use crate::net::policy::{PolicyError, UrlPolicy};
use crate::net::resolve::PolicyResolver;

pub const DEFAULT_USER_AGENT: &str = concat!("Scraper/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub user_agent: String,
    /// Whole request, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Redirects followed (each hop checked); `None`: a 3xx is the answer
    /// (webhooks, whose receivers must not send a delivery elsewhere).
    pub max_redirects: Option<usize>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            user_agent: DEFAULT_USER_AGENT.to_string(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_redirects: Some(DEFAULT_MAX_REDIRECTS),
        }
    }
}

/// Why a redirect was not followed. Its own type so that it can be found again
/// in a `reqwest::Error`'s source chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("too many redirects ({max}) starting at {start}; the last one pointed to {next}")]
    TooMany { max: usize, start: Url, next: Url },
    #[error("redirect from {from} to {to} refused: {error}")]
    Refused {
        from: Url,
        to: Url,
        error: PolicyError,
    },
}

/// Builds the client: policy-filtering resolver, connect-time peer check,
/// per-hop redirect check, no proxy, gzip and brotli decoding.
///
/// Fails only if the TLS backend cannot be set up (e.g. no usable root
/// certificates), which is why this returns a `Result` rather than panicking.
pub fn build_client(
    policy: Arc<UrlPolicy>,
    opts: &ClientOptions,
) -> Result<reqwest::Client, reqwest::Error> {
    build_client_with_resolver(PolicyResolver::new(policy), opts)
}

/// As [`build_client`], with a resolver whose lookup is supplied (tests, or a
/// server that brings its own DNS). The resolver's policy is the one enforced.
pub fn build_client_with_resolver(
    resolver: PolicyResolver,
    opts: &ClientOptions,
) -> Result<reqwest::Client, reqwest::Error> {
    let policy = resolver.policy().clone();
    reqwest::Client::builder()
        .user_agent(opts.user_agent.as_str())
        .timeout(opts.timeout)
        .connect_timeout(opts.connect_timeout)
        .gzip(true)
        .brotli(true)
        // Through a proxy the proxy does the connecting, past both the
        // resolver and the peer check; so none, not even from the environment.
        .no_proxy()
        .dns_resolver(resolver)
        .connector_layer(ConnectGuardLayer::new(policy.clone()))
        .redirect(match opts.max_redirects {
            Some(max) => redirect_policy(policy, max),
            None => redirect::Policy::none(),
        })
        .build()
}

/// Each hop is checked like the first URL: a redirect to a literal private
/// address would otherwise connect without the resolver ever seeing it.
fn redirect_policy(policy: Arc<UrlPolicy>, max: usize) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        // `previous` holds the first URL plus every hop already followed.
        let previous = attempt.previous();
        let (start, from) = match (previous.first(), previous.last()) {
            (Some(start), Some(from)) => (start.clone(), from.clone()),
            _ => (attempt.url().clone(), attempt.url().clone()),
        };
        if previous.len() > max {
            let next = attempt.url().clone();
            return attempt.error(RedirectError::TooMany { max, start, next });
        }
        match policy.check_url(attempt.url()) {
            Ok(_) => attempt.follow(),
            Err(error) => {
                let to = attempt.url().clone();
                tracing::warn!(%from, %to, %error, "redirect refused");
                attempt.error(RedirectError::Refused { from, to, error })
            }
        }
    })
}
