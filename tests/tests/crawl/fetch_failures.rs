//! Transport failures and how they are reported. Every connection attempt
//! here goes to 127.0.0.1; the .invalid name is answered inside the resolver.

use std::sync::Arc;
use std::time::Duration;

use scraper_server::fetch::{FetchOptions, Page, fetch_page};
use scraper_server::net::{ClientOptions, ErrorKind, FetchError, UrlPolicy, build_client};
use scraper_tests::site::{Reply, TestServer, closed_port};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SHORT: Duration = Duration::from_millis(300);

async fn fetch(url: &str, opts: &FetchOptions) -> Result<Page, FetchError> {
    let policy = UrlPolicy::new("127.0.0.1/32".parse().unwrap());
    let client = build_client(Arc::new(policy.clone()), &ClientOptions::default()).unwrap();
    fetch_page(&client, &policy, url, opts).await
}

fn short() -> FetchOptions {
    FetchOptions {
        timeout: SHORT,
        ..FetchOptions::default()
    }
}

fn assert_timeout(err: &FetchError, url: &str) {
    let FetchError::Timeout { after, .. } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert!(*after >= SHORT && *after < SHORT * 10, "{after:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.http_status(), 504);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{url} did not answer in time: gave up after ")),
        "{message}"
    );
    assert!(message.ends_with(" ms"), "{message}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::Hang).await;
    let url = server.url("/slow");
    let err = fetch(&url, &short()).await.unwrap_err();
    assert_timeout(&err, &url);
    assert_eq!(server.requests(), 1);
}

/// What a one-shot server does after promising 100,000 bytes and sending 10.
enum Then {
    Stall,
    Close,
}

/// The URL of a server that answers its first request with a cut body.
async fn partial_body(then: Then) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 100000\r\n\r\n<p>partial";
        stream.write_all(head.as_bytes()).await.unwrap();
        match then {
            Then::Stall => std::future::pending::<()>().await,
            // Dropping the stream closes the connection 99990 bytes early.
            Then::Close => drop(stream),
        }
    });
    url
}

#[tokio::test]
async fn a_body_that_stalls_times_out() {
    let url = partial_body(Then::Stall).await;
    let err = fetch(&url, &short()).await.unwrap_err();
    assert_timeout(&err, &url);
}

#[tokio::test]
async fn a_body_cut_short_is_a_network_error_naming_the_url() {
    let url = partial_body(Then::Close).await;
    let err = fetch(&url, &FetchOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert_eq!(err.http_status(), 502);
    assert!(
        err.to_string()
            .starts_with(&format!("fetching {url} failed: ")),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error_naming_host_and_port() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/");
    let err = fetch(&url, &FetchOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert_eq!(err.http_status(), 502);
    assert_eq!(
        err.to_string(),
        format!(
            "could not connect to 127.0.0.1:{port} (for {url}): connection refused (nothing is listening on that port)"
        )
    );
}

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_error_naming_the_host() {
    // Answered by the resolver itself (RFC 6761): no query leaves the machine.
    let url = "http://no-such-host.invalid/page";
    let err = fetch(url, &FetchOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Dns, "{err:?}");
    assert_eq!(err.http_status(), 502);
    assert_eq!(
        err.to_string(),
        "could not resolve host no-such-host.invalid (for http://no-such-host.invalid/page): \
         names under .invalid never resolve (RFC 6761)"
    );
}

#[tokio::test]
async fn refused_url_forms_fail_before_the_client_is_used() {
    for (url, start) in [
        ("ftp://127.0.0.1/", "ftp://127.0.0.1/ uses the ftp: scheme"),
        ("/relative", "\"/relative\" is not an absolute URL"),
        (
            "http://0x7f.2/",
            "http://127.0.0.2/ resolves to 127.0.0.2, a loopback address",
        ),
    ] {
        let err = fetch(url, &FetchOptions::default()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Policy, "{url}");
        assert!(err.to_string().starts_with(start), "{err}");
    }
}
