//! A tiny HTTP/1.1 server on a loopback address for the integration tests.
//! It counts accepted connections and requests, so a test can prove that a
//! refused fetch never reached it.

#![allow(dead_code)] // each test file uses a different part

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accept the request and never answer.
    Hang,
}

impl Reply {
    pub fn with_type(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_type("text/html; charset=utf-8", body)
    }

    pub fn untyped(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn redirect(location: &str) -> Reply {
        Reply::Respond {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: vec![],
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: b"<p>error page</p>".to_vec(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

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
        let ip: std::net::IpAddr = bind.parse::<SocketAddr>().unwrap().ip();
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let task = tokio::spawn({
            let connections = connections.clone();
            let seen = seen.clone();
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let handler = handler.clone();
                    let seen = seen.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |request: Request<Incoming>| {
                            let path = request
                                .uri()
                                .path_and_query()
                                .map_or("/".to_string(), ToString::to_string);
                            seen.lock()
                                .unwrap()
                                .push((path.clone(), request.headers().clone()));
                            let reply = handler(&path);
                            async move {
                                match reply {
                                    Reply::Hang => std::future::pending().await,
                                    Reply::Respond {
                                        status,
                                        headers,
                                        body,
                                    } => {
                                        let mut response = Response::builder().status(status);
                                        for (name, value) in headers {
                                            response = response.header(name, value);
                                        }
                                        Ok::<_, Infallible>(
                                            response.body(Full::new(Bytes::from(body))).unwrap(),
                                        )
                                    }
                                }
                            }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
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

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}
