//! The policy as enforced by the client and `fetch_page`, against real
//! servers on loopback addresses. Every request here goes to 127.0.0.x or ::1.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use scraper_server::fetch::{FetchOptions, Page, fetch_page};
use scraper_server::net::resolve::Lookup;
use scraper_server::net::{
    ClientOptions, ErrorKind, FetchError, PolicyResolver, PrivateNetworks, UrlPolicy, build_client,
    build_client_with_resolver,
};
use scraper_tests::site::{Reply, TestServer};

fn setup(private: &str) -> (reqwest::Client, UrlPolicy) {
    let policy = UrlPolicy::new(match private {
        "refuse" => PrivateNetworks::Refuse,
        list => list.parse().unwrap(),
    });
    let client = build_client(Arc::new(policy.clone()), &ClientOptions::default()).unwrap();
    (client, policy)
}

/// A client whose resolver answers every name with `answer`, to play DNS
/// rebinding without DNS.
fn setup_with_dns(private: &str, answer: &[&str]) -> (reqwest::Client, UrlPolicy) {
    let policy = UrlPolicy::new(match private {
        "refuse" => PrivateNetworks::Refuse,
        list => list.parse().unwrap(),
    });
    let answer: Vec<IpAddr> = answer.iter().map(|s| s.parse().unwrap()).collect();
    assert!(
        answer.iter().all(IpAddr::is_loopback),
        "fake DNS answers stay on loopback"
    );
    let lookup: Lookup = Arc::new(move |_| {
        let answer = answer.clone();
        Box::pin(async move { Ok(answer) })
    });
    let resolver = PolicyResolver::with_lookup(Arc::new(policy.clone()), lookup);
    let client = build_client_with_resolver(resolver, &ClientOptions::default()).unwrap();
    (client, policy)
}

async fn fetch(
    client: &reqwest::Client,
    policy: &UrlPolicy,
    url: &str,
) -> Result<Page, FetchError> {
    fetch_page(client, policy, url, &FetchOptions::default()).await
}

#[tokio::test]
async fn refuse_stops_loopback_before_any_connection() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("<p>secret</p>")).await;
    let (client, policy) = setup("refuse");
    let err = fetch(&client, &policy, &server.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy);
    assert_eq!(err.http_status(), 422);
    assert_eq!(
        err.to_string(),
        format!(
            "http://127.0.0.1:{}/ resolves to 127.0.0.1, a loopback address (127.0.0.0/8); \
             refused unless the server runs with --allow-private-networks",
            server.port()
        )
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn allow_list_lets_a_listed_address_through() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("<title>hello</title>")).await;
    let (client, policy) = setup("127.0.0.1/32");
    let page = fetch(&client, &policy, &server.url("/page?x=1"))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.final_url.as_str(), server.url("/page?x=1"));
    assert_eq!(page.html, "<title>hello</title>");
    assert_eq!(page.bytes(), page.html.len());
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.encoding, "UTF-8");
    assert!(!page.truncated);
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);

    let (path, headers) = server.seen().pop().unwrap();
    assert_eq!(path, "/page?x=1");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("Scraper/")
    );
    let encodings = headers["accept-encoding"].to_str().unwrap();
    assert!(
        encodings.contains("gzip") && encodings.contains("br"),
        "{encodings}"
    );
}

#[tokio::test]
async fn redirect_to_an_unlisted_address_is_refused_and_never_connected() {
    // Same port on 127.0.0.2, so only the address differs.
    let location = Arc::new(Mutex::new(String::new()));
    let redirect = {
        let location = location.clone();
        move |_: &str| Reply::redirect(&location.lock().unwrap())
    };
    let (first, second) = TestServer::pair("127.0.0.1", redirect, "127.0.0.2", |_| {
        Reply::html("<p>internal</p>")
    })
    .await;
    let port = first.port();
    let target = format!("http://127.0.0.2:{port}/admin");
    *location.lock().unwrap() = target.clone();

    let (client, policy) = setup("127.0.0.1/32");
    let err = fetch(&client, &policy, &first.url("/start"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy);
    assert!(matches!(err, FetchError::RedirectRefused { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "redirect from http://127.0.0.1:{port}/start to {target} refused: {target} resolves to \
             127.0.0.2, a loopback address (127.0.0.0/8); refused because it is outside \
             --allow-private-networks 127.0.0.1/32; add it to that list to allow it"
        )
    );
    assert_eq!(first.requests(), 1);
    assert_eq!(second.connections(), 0, "127.0.0.2 must see nothing");
}

#[tokio::test]
async fn redirects_within_the_policy_are_followed() {
    let server = TestServer::start("127.0.0.1:0", |path| match path {
        "/a" => Reply::redirect("/b"),
        "/b" => Reply::redirect("/c"),
        _ => Reply::html("<p>landed</p>"),
    })
    .await;
    let (client, policy) = setup("127.0.0.1/32");
    let page = fetch(&client, &policy, &server.url("/a")).await.unwrap();
    assert_eq!(page.final_url.as_str(), server.url("/c"));
    assert_eq!(page.html, "<p>landed</p>");
}

#[tokio::test]
async fn ten_redirects_are_followed_eleven_are_too_many() {
    let server = TestServer::start("127.0.0.1:0", |path| {
        let n: u32 = path.trim_start_matches("/hop/").parse().unwrap();
        if n == 0 {
            Reply::html("<p>end</p>")
        } else {
            Reply::redirect(&format!("/hop/{}", n - 1))
        }
    })
    .await;
    let (client, policy) = setup("127.0.0.1/32");

    let page = fetch(&client, &policy, &server.url("/hop/10"))
        .await
        .unwrap();
    assert_eq!(page.final_url.as_str(), server.url("/hop/0"));
    assert_eq!(server.requests(), 11);

    let err = fetch(&client, &policy, &server.url("/hop/11"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    assert_eq!(err.http_status(), 502);
    assert_eq!(
        err.to_string(),
        format!(
            "too many redirects (10) starting at {}; the last one pointed to {}",
            server.url("/hop/11"),
            server.url("/hop/0")
        )
    );
    assert_eq!(
        server.requests(),
        11 + 11,
        "the 11th hop is never requested"
    );
}

#[tokio::test]
async fn localhost_refused_by_default() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("v4")).await;
    let (client, policy) = setup("refuse");
    let url = format!("http://localhost:{}/", server.port());
    let err = fetch(&client, &policy, &url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy);
    assert!(
        err.to_string()
            .starts_with(&format!("{url} resolves to 127.0.0.1, a loopback address")),
        "{err}"
    );
    assert_eq!(server.connections(), 0);
}

/// `localhost` stands for 127.0.0.1 and ::1; the allow list decides which of
/// the two is connected to, and the other one sees nothing.
#[tokio::test]
async fn localhost_connects_only_to_the_allowed_loopback() {
    let (v4, v6) = TestServer::pair(
        "127.0.0.1",
        |_| Reply::html("v4"),
        "::1",
        |_| Reply::html("v6"),
    )
    .await;
    let port = v4.port();
    let url = format!("http://localhost:{port}/");

    let (client, policy) = setup("127.0.0.1/32");
    assert_eq!(fetch(&client, &policy, &url).await.unwrap().html, "v4");
    assert_eq!(v6.connections(), 0);

    let (client, policy) = setup("::1/128");
    assert_eq!(fetch(&client, &policy, &url).await.unwrap().html, "v6");
    assert_eq!(v4.connections(), 1, "only the first client's connection");

    let (client, policy) = setup("10.0.0.0/8");
    let err = fetch(&client, &policy, &url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy);
    assert_eq!((v4.connections(), v6.connections()), (1, 1));
}

#[tokio::test]
async fn a_name_resolving_to_a_refused_address_is_refused_at_resolve_time() {
    let server = TestServer::start("127.0.0.1:0", |_| Reply::html("<p>secret</p>")).await;
    let (client, policy) = setup_with_dns("refuse", &["127.0.0.1"]);
    let err = fetch(
        &client,
        &policy,
        &format!("http://rebind.test:{}/", server.port()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Policy);
    assert_eq!(
        err.to_string(),
        "rebind.test resolves to 127.0.0.1, a loopback address (127.0.0.0/8); \
         refused unless the server runs with --allow-private-networks"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn refused_addresses_in_a_mixed_answer_are_never_tried() {
    let (allowed, refused) = TestServer::pair(
        "127.0.0.1",
        |_| Reply::html("allowed"),
        "127.0.0.3",
        |_| Reply::html("refused"),
    )
    .await;
    let port = allowed.port();
    let (client, policy) = setup_with_dns("127.0.0.1/32", &["127.0.0.3", "127.0.0.1"]);
    let page = fetch(&client, &policy, &format!("http://mixed.test:{port}/"))
        .await
        .unwrap();
    assert_eq!(page.html, "allowed");
    assert_eq!(refused.connections(), 0);
}

/// The crawler will use the client directly, without `check_url`; the client
/// must still refuse literal addresses, and before connecting.
#[tokio::test]
async fn the_client_alone_refuses_literal_addresses_before_connecting() {
    let server = TestServer::start("127.0.0.2:0", |_| Reply::html("<p>internal</p>")).await;
    for private in ["refuse", "127.0.0.1/32"] {
        let (client, _) = setup(private);
        let url = reqwest::Url::parse(&server.url("/")).unwrap();
        let err = client.get(url.clone()).send().await.unwrap_err();
        let err = FetchError::from_reqwest(&err, &url, Default::default());
        assert_eq!(err.kind(), ErrorKind::Policy, "{private}: {err}");
        assert!(
            err.to_string()
                .starts_with(&format!("{url} resolves to 127.0.0.2, a loopback address")),
            "{err}"
        );
    }
    let (client, _) = setup("127.0.0.0/8");
    let ok = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        server.connections(),
        1,
        "only the allowed request connected"
    );
}

#[tokio::test]
async fn the_client_alone_refuses_redirects_and_names() {
    let internal = TestServer::start("127.0.0.2:0", |_| Reply::html("<p>internal</p>")).await;
    let target = internal.url("/");
    let outer = TestServer::start("127.0.0.1:0", move |_| Reply::redirect(&target)).await;
    let (client, _) = setup("127.0.0.1/32");
    let err = client.get(outer.url("/")).send().await.unwrap_err();
    let err = FetchError::from_reqwest(&err, &outer.url("/").parse().unwrap(), Default::default());
    assert!(matches!(err, FetchError::RedirectRefused { .. }), "{err:?}");

    assert_eq!(internal.connections(), 0);

    // Names go through the resolver even without check_url.
    let (client, _) = setup("refuse");
    let url: reqwest::Url = format!("http://localhost:{}/", outer.port())
        .parse()
        .unwrap();
    let err = client.get(url.clone()).send().await.unwrap_err();
    let err = FetchError::from_reqwest(&err, &url, Default::default());
    assert_eq!(err.kind(), ErrorKind::Policy, "{err}");
    assert!(
        err.to_string()
            .starts_with("localhost resolves only to refused addresses"),
        "{err}"
    );
    assert_eq!(outer.connections(), 1, "only the redirecting request");
}
