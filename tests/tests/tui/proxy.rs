//! A reverse proxy on loopback that breaks Server-Sent Events: it answers
//! `GET …/logs/stream` itself with an error status and forwards every other
//! request to the real server. It stands for an outside thing (a proxy or
//! gateway that does not pass event streams on); the server is not faked.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::oneshot;
use warp::Filter;
use warp::http::{HeaderMap, Method, Response, StatusCode};

pub struct SseBreakingProxy {
    pub addr: SocketAddr,
    /// Requests for a log stream, refused.
    pub streams: Arc<AtomicUsize>,
    /// Requests for log lines by `after=`, forwarded.
    pub polls: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

impl SseBreakingProxy {
    /// Forwards to `upstream`; stream requests get `status`.
    pub async fn start(upstream: SocketAddr, status: StatusCode) -> SseBreakingProxy {
        let streams = Arc::new(AtomicUsize::new(0));
        let polls = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let (s, p) = (streams.clone(), polls.clone());
        let query = warp::query::raw().or(warp::any().map(String::new)).unify();
        let route = warp::method()
            .and(warp::path::full())
            .and(query)
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(
                move |method: Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: HeaderMap,
                      body: warp::hyper::body::Bytes| {
                    let (http, streams, polls) = (http.clone(), s.clone(), p.clone());
                    async move {
                        let path = path.as_str().to_string();
                        if path.ends_with("/logs/stream") {
                            streams.fetch_add(1, Ordering::SeqCst);
                            return Response::builder()
                                .status(status)
                                .header("content-type", "text/html")
                                .body(format!("<h1>{status}</h1>").into_bytes())
                                .unwrap();
                        }
                        if path.ends_with("/logs") && query.starts_with("after=") {
                            polls.fetch_add(1, Ordering::SeqCst);
                        }
                        forward(&http, upstream, method, &path, &query, headers, body).await
                    }
                },
            );
        let (addr, tx) = scraper_tests::site::serve("127.0.0.1", route).await;
        SseBreakingProxy {
            addr,
            streams,
            polls,
            _stop: tx,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn forward(
    http: &reqwest::Client,
    upstream: SocketAddr,
    method: Method,
    path: &str,
    query: &str,
    headers: HeaderMap,
    body: warp::hyper::body::Bytes,
) -> Response<Vec<u8>> {
    let mut url = format!("http://{upstream}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    let mut request = http.request(method, url).body(body.to_vec());
    for (name, value) in &headers {
        // The connection's own headers are this hop's, not the next one's.
        if name != "host" && name != "content-length" && name != "connection" {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(response) => {
            let mut out = Response::builder().status(response.status());
            if let Some(kind) = response.headers().get("content-type") {
                out = out.header("content-type", kind);
            }
            let bytes = response.bytes().await.unwrap_or_default();
            out.body(bytes.to_vec()).unwrap()
        }
        Err(e) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(e.to_string().into_bytes())
            .unwrap(),
    }
}
