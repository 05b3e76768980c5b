//! DNS resolution that hands the connector only addresses the policy allows.
//!
//! Checking a host name once and connecting later would let DNS rebinding
//! swap in a private address in between; filtering here means the check
//! applies to exactly the addresses that get connected to.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::net::policy::{LOCALHOST_ADDRS, PolicyError, Refusal, UrlPolicy, is_localhost_name};

/// The future a [`Lookup`] returns.
pub type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. The default is the system resolver;
/// tests (or a server that wants its own DNS) can plug in another.
pub type Lookup = Arc<dyn Fn(String) -> LookupFuture + Send + Sync>;

/// A resolver error. Kept as its own type so that callers can find it again
/// by walking `std::error::Error::source()` out of a `reqwest::Error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("could not resolve host {host}: {reason}")]
    NotFound { host: String, reason: String },
    #[error(transparent)]
    Refused(#[from] PolicyError),
}

#[derive(Clone)]
pub struct PolicyResolver {
    policy: Arc<UrlPolicy>,
    lookup: Lookup,
}

impl std::fmt::Debug for PolicyResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyResolver")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl PolicyResolver {
    /// Resolves with the system resolver (`getaddrinfo` via tokio).
    pub fn new(policy: Arc<UrlPolicy>) -> Self {
        Self::with_lookup(policy, Arc::new(|host| Box::pin(system_lookup(host))))
    }

    pub fn with_lookup(policy: Arc<UrlPolicy>, lookup: Lookup) -> Self {
        PolicyResolver { policy, lookup }
    }

    pub fn policy(&self) -> &Arc<UrlPolicy> {
        &self.policy
    }

    /// The allowed addresses of `host`, in resolver order. Refused ones are
    /// dropped; if none is left the error names each address and its range.
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let candidates = self.candidates(host).await?;
        let mut allowed = Vec::new();
        let mut refused = Vec::new();
        for ip in candidates {
            if allowed.contains(&ip) || refused.iter().any(|r: &Refusal| r.ip == ip) {
                continue;
            }
            match self.policy.refusal(ip) {
                None => allowed.push(ip),
                Some(refusal) => {
                    tracing::debug!(host, %ip, class = %refusal.class, "dropping refused address");
                    refused.push(refusal);
                }
            }
        }
        if allowed.is_empty() {
            return Err(ResolveError::Refused(PolicyError::AllAddressesRefused {
                host: host.to_string(),
                refused,
                remedy: self.policy.remedy(),
            }));
        }
        Ok(allowed)
    }

    async fn candidates(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let not_found = |reason: String| ResolveError::NotFound {
            host: host.to_string(),
            reason,
        };
        // RFC 6761: answer these locally. For localhost that pins the name to
        // loopback whatever DNS says; for .invalid it keeps the query (and its
        // traffic) off the network.
        if is_localhost_name(host) {
            return Ok(LOCALHOST_ADDRS.to_vec());
        }
        let bare = host.strip_suffix('.').unwrap_or(host);
        if bare.eq_ignore_ascii_case("invalid")
            || bare.len() > ".invalid".len()
                && bare[bare.len() - ".invalid".len()..].eq_ignore_ascii_case(".invalid")
        {
            return Err(not_found(
                "names under .invalid never resolve (RFC 6761)".into(),
            ));
        }
        let ips = (self.lookup)(host.to_string())
            .await
            .map_err(|e| not_found(e.to_string()))?;
        if ips.is_empty() {
            return Err(not_found("the name has no addresses".into()));
        }
        Ok(ips)
    }
}

async fn system_lookup(host: String) -> io::Result<Vec<IpAddr>> {
    let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
    Ok(addrs.map(|addr| addr.ip()).collect())
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = this.resolve_host(&host).await?;
            // Port 0 tells reqwest to put in the URL's port.
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
