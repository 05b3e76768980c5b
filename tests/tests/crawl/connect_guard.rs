//! The peer-address check of `ConnectGuard` on its own: when the destination
//! cannot be read before connecting (here the request is a bare `Uri`, whose
//! Debug output is not reqwest's), the connection is judged by the address it
//! actually reached, and dropped before a request is written.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use scraper_server::net::connect_guard::ConnectGuardLayer;
use scraper_server::net::{PolicyError, PrivateNetworks, UrlPolicy};
use scraper_tests::site::{Reply, TestServer, eventually};
use tokio::net::TcpStream;
use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Plain TCP connector with the error type reqwest's layers use.
#[derive(Clone)]
struct Tcp(HttpConnector);

impl Service<Uri> for Tcp {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move { connecting.await.map_err(Into::into) })
    }
}

async fn connect(private: PrivateNetworks, uri: &str) -> Result<TokioIo<TcpStream>, BoxError> {
    let policy = Arc::new(UrlPolicy::new(private));
    let mut guard = ConnectGuardLayer::new(policy).layer(Tcp(HttpConnector::new()));
    std::future::poll_fn(|cx| guard.poll_ready(cx)).await?;
    guard.call(uri.parse().unwrap()).await
}

#[tokio::test]
async fn a_refused_peer_is_dropped_after_connecting_before_any_request() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("<p>secret</p>")).await;
    let err = connect(PrivateNetworks::Refuse, &server.url("/"))
        .await
        .unwrap_err();
    let policy = err.downcast_ref::<PolicyError>().expect("a PolicyError");
    assert!(
        policy
            .to_string()
            .contains("resolves to 127.0.0.1, a loopback address (127.0.0.0/8)"),
        "{policy}"
    );
    // The TCP handshake did happen; no request followed it.
    assert!(eventually(|| server.connections() == 1).await);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn an_allowed_peer_is_handed_on() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("ok")).await;
    let allow = "127.0.0.1/32".parse().unwrap();
    assert!(connect(allow, &server.url("/")).await.is_ok());
}
