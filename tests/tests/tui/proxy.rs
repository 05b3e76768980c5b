//! A reverse proxy on loopback that breaks Server-Sent Events: it answers
//! `GET …/logs/stream` itself with an error status and forwards every other
//! request to the real server. It stands for an outside thing (a proxy or
//! gateway that does not pass event streams on); the server is not faked.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use scraper_tests::site::TestServer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct SseBreakingProxy {
    /// Requests for a log stream, refused.
    pub streams: Arc<AtomicUsize>,
    /// Requests for log lines by `after=`, forwarded.
    pub polls: Arc<AtomicUsize>,
    server: TestServer,
}

impl SseBreakingProxy {
    /// Forwards to `upstream`; stream requests get `status`.
    pub async fn start(upstream: SocketAddr, status: StatusCode) -> SseBreakingProxy {
        let streams = Arc::new(AtomicUsize::new(0));
        let polls = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let (s, p) = (streams.clone(), polls.clone());
        let server = TestServer::start_raw("127.0.0.1:0", move |request| {
            let (http, streams, polls) = (http.clone(), s.clone(), p.clone());
            Box::pin(async move {
                let path = request.uri().path().to_string();
                let query = request.uri().query().unwrap_or_default().to_string();
                if path.ends_with("/logs/stream") {
                    streams.fetch_add(1, Ordering::SeqCst);
                    return Some(
                        Response::builder()
                            .status(status)
                            .header("content-type", "text/html")
                            .body(Full::new(Bytes::from(format!("<h1>{status}</h1>"))))
                            .unwrap(),
                    );
                }
                if path.ends_with("/logs") && query.starts_with("after=") {
                    polls.fetch_add(1, Ordering::SeqCst);
                }
                Some(forward(&http, upstream, request).await)
            })
        })
        .await;
        SseBreakingProxy {
            streams,
            polls,
            server,
        }
    }

    pub fn url(&self) -> String {
        self.server.url("")
    }
}

async fn forward(
    http: &reqwest::Client,
    upstream: SocketAddr,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut outgoing = http
        .request(parts.method, format!("http://{upstream}{target}"))
        .body(body);
    for (name, value) in &parts.headers {
        // The connection's own headers are this hop's, not the next one's.
        if name != "host" && name != "content-length" && name != "connection" {
            outgoing = outgoing.header(name, value);
        }
    }
    match outgoing.send().await {
        Ok(response) => {
            let mut out = Response::builder().status(response.status());
            if let Some(kind) = response.headers().get("content-type") {
                out = out.header("content-type", kind);
            }
            let bytes = response.bytes().await.unwrap_or_default();
            out.body(Full::new(bytes)).unwrap()
        }
        Err(e) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Full::new(Bytes::from(e.to_string())))
            .unwrap(),
    }
}
