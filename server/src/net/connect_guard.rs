//! A connector layer that enforces the policy on every connection the client
//! makes, including ones to IP-literal hosts, which never reach the resolver.
//!
//! `fetch_page` checks literal hosts itself, but the same client is handed to
//! the crawler, which requests whatever URLs it finds; this layer is what keeps
//! that path safe.

use std::fmt::Debug;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use tower_layer::Layer;
use tower_service::Service;

use crate::net::policy::{PolicyError, UrlPolicy};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The connection was made but its peer address could not be read, so it was
/// dropped unused rather than trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused the connection to {destination}: could not tell which address it reached")]
pub struct UnknownPeer {
    pub destination: String,
}

#[derive(Debug, Clone)]
pub struct ConnectGuardLayer {
    policy: Arc<UrlPolicy>,
}

impl ConnectGuardLayer {
    pub fn new(policy: Arc<UrlPolicy>) -> Self {
        ConnectGuardLayer { policy }
    }
}

impl<S> Layer<S> for ConnectGuardLayer {
    type Service = ConnectGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectGuard {
            inner,
            policy: self.policy.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectGuard<S> {
    inner: S,
    policy: Arc<UrlPolicy>,
}

impl<S, R> Service<R> for ConnectGuard<S>
where
    S: Service<R, Error = BoxError>,
    S::Response: Connection + Send + 'static,
    S::Future: Send + 'static,
    R: Debug,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let destination = destination_of(&request);
        // Before connecting: an IP-literal destination is judged without
        // sending a single packet to it.
        if let Some(ip) = destination.as_deref().and_then(literal_ip)
            && let Some(refusal) = self.policy.refusal(ip)
        {
            let error = PolicyError::PrivateAddress {
                target: destination.unwrap_or_else(|| ip.to_string()),
                refusal,
                remedy: self.policy.remedy(),
            };
            return Box::pin(async move { Err(error.into()) });
        }
        let connecting = self.inner.call(request);
        let policy = self.policy.clone();
        Box::pin(async move {
            let conn = connecting.await?;
            // After connecting: the peer address is the ground truth. This
            // catches anything the steps before missed, before a byte of the
            // request is written.
            let mut extras = http::Extensions::new();
            conn.connected().get_extras(&mut extras);
            let target = destination.unwrap_or_else(|| "the server".to_string());
            let Some(peer) = extras.get::<HttpInfo>().map(HttpInfo::remote_addr) else {
                return Err(UnknownPeer {
                    destination: target,
                }
                .into());
            };
            if let Some(refusal) = policy.refusal(peer.ip()) {
                return Err(PolicyError::PrivateAddress {
                    target,
                    refusal,
                    remedy: policy.remedy(),
                }
                .into());
            }
            Ok(conn)
        })
    }
}

/// reqwest wraps the destination URI in a sealed type whose only window is its
/// `Debug` output, `Unnameable(http://host:port/)`. If that format ever
/// changes this returns `None`, and the peer-address check still refuses the
/// connection, only later (after the TCP, and for https the TLS, handshake).
fn destination_of(request: &impl Debug) -> Option<String> {
    let debug = format!("{request:?}");
    let uri = debug.strip_prefix("Unnameable(")?.strip_suffix(')')?;
    uri.parse::<http::Uri>().ok()?;
    Some(uri.to_string())
}

fn literal_ip(uri: &str) -> Option<IpAddr> {
    let uri: http::Uri = uri.parse().ok()?;
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Unnameable(http::Uri);

    #[test]
    fn reads_the_destination_out_of_reqwests_debug_format() {
        let uri: http::Uri = "http://127.0.0.2:8080/".parse().unwrap();
        let destination = destination_of(&Unnameable(uri)).unwrap();
        assert_eq!(destination, "http://127.0.0.2:8080/");
        assert_eq!(literal_ip(&destination), Some("127.0.0.2".parse().unwrap()));
        let v6 = destination_of(&Unnameable("https://[::1]:8443/".parse().unwrap())).unwrap();
        assert_eq!(literal_ip(&v6), Some("::1".parse().unwrap()));
        let name = destination_of(&Unnameable("http://example.com/".parse().unwrap())).unwrap();
        assert_eq!(literal_ip(&name), None);
        assert_eq!(destination_of(&"something else"), None);
    }
}
