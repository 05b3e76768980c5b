//! The one HTTP/1.1 server of the tests. It counts accepted connections and
//! requests, so a test can prove that a refused fetch never reached it.

use super::Reply;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// An answer being made; `None` never answers.
pub type Answer = Pin<Box<dyn Future<Output = Option<Response<Full<Bytes>>>> + Send>>;
type Handler = Arc<dyn Fn(Request<Incoming>) -> Answer + Send + Sync>;

pub struct TestServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<(String, HeaderMap)>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Serves on `bind` (a loopback address; port 0 picks a free one). The
    /// handler gets the path and query of each request.
    pub async fn start(
        bind: &str,
        handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        Self::try_start(bind, handler).await.unwrap()
    }

    /// Serves on `bind` with a handler that reads the whole request and
    /// answers in its own time (a proxy, say).
    pub async fn start_raw(
        bind: &str,
        handler: impl Fn(Request<Incoming>) -> Answer + Send + Sync + 'static,
    ) -> TestServer {
        Self::listen(bind, Arc::new(handler)).await.unwrap()
    }

    /// Two servers on the same port of two loopback addresses, so that URLs
    /// differ only in the address. Retries if the port is taken on the second.
    pub async fn pair<A, B>(first_ip: &str, a: A, second_ip: &str, b: B) -> (TestServer, TestServer)
    where
        A: Fn(&str) -> Reply + Clone + Send + Sync + 'static,
        B: Fn(&str) -> Reply + Clone + Send + Sync + 'static,
    {
        for _ in 0..10 {
            let first = Self::start(&format!("{first_ip}:0"), a.clone()).await;
            let second_addr = SocketAddr::new(second_ip.parse().unwrap(), first.port());
            if let Ok(second) = Self::try_start(&second_addr.to_string(), b.clone()).await {
                return (first, second);
            }
        }
        panic!("no port free on both {first_ip} and {second_ip}");
    }

    async fn try_start(
        bind: &str,
        handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<TestServer> {
        let handler = Arc::new(handler);
        Self::listen(
            bind,
            Arc::new(move |request: Request<Incoming>| {
                let reply = handler(&path_and_query(&request));
                Box::pin(answer(reply)) as Answer
            }),
        )
        .await
    }

    async fn listen(bind: &str, handler: Handler) -> std::io::Result<TestServer> {
        let ip: std::net::IpAddr = bind.parse::<SocketAddr>().unwrap().ip();
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(listener, handler, connections.clone(), seen.clone()));
        Ok(TestServer {
            addr,
            connections,
            seen,
            task,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Requests received so far, as (path, headers).
    pub fn seen(&self) -> Vec<(String, HeaderMap)> {
        self.seen.lock().unwrap().clone()
    }

    /// Paths requested so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Page requests so far (robots.txt and sitemaps not counted).
    pub fn page_requests(&self) -> usize {
        self.paths()
            .iter()
            .filter(|p| *p != "/robots.txt" && !p.contains("sitemap"))
            .count()
    }

    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(
    listener: TcpListener,
    handler: Handler,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<(String, HeaderMap)>>>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        connections.fetch_add(1, Ordering::SeqCst);
        let handler = handler.clone();
        let seen = seen.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                seen.lock()
                    .unwrap()
                    .push((path_and_query(&request), request.headers().clone()));
                let answer = handler(request);
                async move {
                    match answer.await {
                        Some(response) => Ok::<_, Infallible>(response),
                        None => std::future::pending().await,
                    }
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn path_and_query<B>(request: &Request<B>) -> String {
    request
        .uri()
        .path_and_query()
        .map_or("/".to_string(), ToString::to_string)
}

pub(super) async fn answer(reply: Reply) -> Option<Response<Full<Bytes>>> {
    match reply {
        Reply::Hang => None,
        Reply::Later(delay, reply) => {
            tokio::time::sleep(delay).await;
            Box::pin(answer(*reply)).await
        }
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut response = Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            Some(response.body(Full::new(Bytes::from(body))).unwrap())
        }
    }
}

/// Waits (up to 2 s) until `done` holds; returns whether it did.
pub async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    done()
}

/// A loopback port where nothing listens (bound, then closed).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
