//! A webhook receiver: what a user's endpoint would be. It keeps every
//! request it gets (headers and body) and answers each with the next reply
//! of its script, then with 200. The outside service a test cannot reach,
//! played on loopback.

use super::Reply;
use super::server::{Answer, TestServer, answer};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::HeaderMap;
use hyper::Request;
use hyper::body::Incoming;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no `{name}` header in {:?}", self.headers))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

pub struct Receiver {
    server: TestServer,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
}

impl Receiver {
    /// Answers with `script` in turn, then 200 `ok`.
    pub async fn start(script: Vec<Reply>) -> Receiver {
        Self::start_on("127.0.0.1:0", script).await
    }

    /// The same on a given address (a port a restarted test reuses).
    pub async fn start_on(bind: &str, script: Vec<Reply>) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let (kept, replies) = (received.clone(), script.clone());
        let server = TestServer::start_raw(bind, move |request: Request<Incoming>| {
            let (kept, replies) = (kept.clone(), replies.clone());
            Box::pin(async move {
                let headers = request.headers().clone();
                let body = request.into_body().collect().await.ok()?.to_bytes();
                kept.lock().unwrap().push(Received {
                    headers,
                    body,
                    at: Instant::now(),
                });
                let reply = replies
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or_else(|| Reply::with_type("text/plain", "ok"));
                answer(reply).await
            }) as Answer
        })
        .await;
        Receiver {
            server,
            received,
            script,
        }
    }

    pub fn url(&self) -> String {
        self.server.url("/hook")
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.addr
    }

    /// Replies given to the next requests, before the 200s.
    pub fn then(&self, replies: Vec<Reply>) {
        self.script.lock().unwrap().extend(replies);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` requests came (panics after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} webhook requests after {within:?}, not {n}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
