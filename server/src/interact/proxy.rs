//! The browser's only way out: an HTTP proxy in this process that resolves
//! each host itself, checks every address with the URL policy, and connects
//! to the address it checked. Chromium resolves names on its own, so a check
//! of URLs alone would let a name that resolves to a private address (DNS
//! rebinding) through; behind this proxy it never reaches the network
//! itself.
//!
//! `CONNECT host:port` (https, wss) is answered by a tunnel to the checked
//! address; a plain-http request in absolute form is sent on over a
//! connection to it. Anything refused gets a 403 whose body says why.

use crate::net::{PolicyResolver, ResolveError, UrlPolicy};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

type Body = BoxBody<Bytes, hyper::Error>;

/// Connections to a site that take longer than this are given up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The proxy, listening on a loopback port until dropped.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    refused: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start(policy: Arc<UrlPolicy>) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let refused = Arc::new(AtomicU64::new(0));
        let resolver = PolicyResolver::new(policy);
        let task = tokio::spawn(serve(listener, resolver, refused.clone()));
        Ok(Proxy {
            addr,
            refused,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections refused so far (an address the policy refuses).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

async fn serve(listener: TcpListener, resolver: PolicyResolver, refused: Arc<AtomicU64>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: give it a moment, not a spin.
                tracing::warn!(error = %e, "the browser proxy could not accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Only this machine's browser may use it.
        if !peer.ip().is_loopback() {
            continue;
        }
        let (resolver, refused) = (resolver.clone(), refused.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let (resolver, refused) = (resolver.clone(), refused.clone());
                async move { Ok::<_, hyper::Error>(handle(request, &resolver, &refused).await) }
            });
            let _ = http1::Builder::new()
                .preserve_header_case(true)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

async fn handle(
    request: Request<Incoming>,
    resolver: &PolicyResolver,
    refused: &AtomicU64,
) -> Response<Body> {
    let Some((host, port)) = target(&request) else {
        return answer(
            StatusCode::BAD_REQUEST,
            "the proxy takes CONNECT host:port and absolute http:// URLs only",
        );
    };
    let stream = match connect(resolver, &host, port).await {
        Ok(stream) => stream,
        Err(Refusal::Policy(why)) => {
            refused.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%host, port, %why, "browser request refused by the URL policy");
            return answer(StatusCode::FORBIDDEN, &why);
        }
        Err(Refusal::Unreachable(why)) => return answer(StatusCode::BAD_GATEWAY, &why),
    };
    if request.method() == Method::CONNECT {
        tokio::spawn(async move {
            let Ok(upgraded) = hyper::upgrade::on(request).await else {
                return;
            };
            let mut client = TokioIo::new(upgraded);
            let mut site = stream;
            let _ = tokio::io::copy_bidirectional(&mut client, &mut site).await;
        });
        return Response::new(empty());
    }
    forward(request, stream).await
}

/// A plain-http request, sent on in origin form over `stream`.
async fn forward(mut request: Request<Incoming>, stream: TcpStream) -> Response<Body> {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let host = request.uri().authority().map(|a| a.to_string());
    match path.parse() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return answer(StatusCode::BAD_REQUEST, "a request target it cannot read"),
    }
    if let Some(host) = host
        && let Ok(value) = host.parse()
    {
        request.headers_mut().insert(hyper::header::HOST, value);
    }
    request.headers_mut().remove("proxy-connection");
    request.headers_mut().remove("proxy-authorization");
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return answer(StatusCode::BAD_GATEWAY, "the site closed the connection");
    };
    tokio::spawn(connection);
    match sender.send_request(request).await {
        Ok(response) => response.map(|body| body.boxed()),
        Err(e) => answer(StatusCode::BAD_GATEWAY, &format!("the site failed: {e}")),
    }
}

/// Where a request goes: CONNECT's authority, or an absolute URI's.
fn target<B>(request: &Request<B>) -> Option<(String, u16)> {
    let uri = request.uri();
    let authority = uri.authority()?;
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = match (authority.port_u16(), request.method(), uri.scheme_str()) {
        (Some(port), _, _) => port,
        (None, &Method::CONNECT, _) => 443,
        (None, _, Some("http")) | (None, _, None) => 80,
        (None, _, Some(_)) => return None,
    };
    if request.method() != Method::CONNECT && uri.scheme_str() != Some("http") {
        return None;
    }
    Some((host, port))
}

enum Refusal {
    Policy(String),
    Unreachable(String),
}

/// Connects to the first address of `host` the policy allows; the address
/// connected to is the one checked.
async fn connect(resolver: &PolicyResolver, host: &str, port: u16) -> Result<TcpStream, Refusal> {
    let ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => {
            resolver
                .policy()
                .check_ip(ip)
                .map_err(|e| Refusal::Policy(e.to_string()))?;
            vec![ip]
        }
        Err(_) => match resolver.resolve_host(host).await {
            Ok(ips) => ips,
            Err(ResolveError::Refused(e)) => return Err(Refusal::Policy(e.to_string())),
            Err(e) => return Err(Refusal::Unreachable(e.to_string())),
        },
    };
    let mut last = String::from("no address");
    for ip in ips {
        let addr = SocketAddr::new(ip, port);
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => last = format!("could not connect to {addr}: {e}"),
            Err(_) => last = format!("could not connect to {addr} in time"),
        }
    }
    Err(Refusal::Unreachable(last))
}

fn empty() -> Body {
    Full::new(Bytes::new())
        .map_err(|never| match never {})
        .boxed()
}

fn answer(status: StatusCode, why: &str) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(why.to_string()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = status;
    response
}
