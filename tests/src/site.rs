//! Websites the tests serve themselves, on 127.0.0.1, for the server to fetch.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;
use warp::Filter;
use warp::http::{Response, StatusCode};

/// One canned answer.
#[derive(Clone, Debug)]
pub struct Page {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// `Location` header, for redirects.
    pub location: Option<String>,
    /// How long the site thinks before answering.
    pub delay: Duration,
}

impl Page {
    pub fn html(body: impl Into<String>) -> Page {
        Page {
            status: 200,
            content_type: "text/html; charset=utf-8".into(),
            body: body.into().into_bytes(),
            location: None,
            delay: Duration::ZERO,
        }
    }

    pub fn bytes(content_type: &str, body: Vec<u8>) -> Page {
        Page {
            status: 200,
            content_type: content_type.into(),
            body,
            location: None,
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(to: &str) -> Page {
        Page {
            status: 302,
            content_type: "text/html".into(),
            body: Vec::new(),
            location: Some(to.into()),
            delay: Duration::ZERO,
        }
    }

    /// An error page with this status.
    pub fn status(status: u16) -> Page {
        Page {
            status,
            ..Page::html(format!("<h1>{status}</h1>"))
        }
    }

    /// The same page, answered after `delay`.
    pub fn slow(self, delay: Duration) -> Page {
        Page { delay, ..self }
    }
}

pub struct TestSite {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

impl TestSite {
    /// Serves `pages` by path (`/`, `/list.html`); anything else is a 404.
    pub async fn pages(pages: Vec<(&str, Page)>) -> TestSite {
        Self::pages_on("127.0.0.1", pages).await
    }

    /// The same on another loopback address (`127.0.0.2`).
    pub async fn pages_on(ip: &str, pages: Vec<(&str, Page)>) -> TestSite {
        let pages: Arc<HashMap<String, Page>> = Arc::new(
            pages
                .into_iter()
                .map(|(path, page)| (path.to_string(), page))
                .collect(),
        );
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let route = warp::path::full().then(move |path: warp::path::FullPath| {
            let pages = pages.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let Some(page) = pages.get(path.as_str()) else {
                    return Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .header("content-type", "text/html")
                        .body(b"<h1>Not found</h1>".to_vec())
                        .unwrap();
                };
                tokio::time::sleep(page.delay).await;
                let mut response = Response::builder()
                    .status(page.status)
                    .header("content-type", &page.content_type);
                if let Some(location) = &page.location {
                    response = response.header("location", location);
                }
                response.body(page.body.clone()).unwrap()
            }
        });
        Self::start(ip, route, hits).await
    }

    /// Serves the files under `root` (directories answer with index.html).
    pub async fn dir(root: impl Into<PathBuf>) -> TestSite {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let route = warp::any()
            .map(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            })
            .untuple_one()
            .and(warp::fs::dir(root.into()));
        Self::start("127.0.0.1", route, hits).await
    }

    async fn start<F>(ip: &str, route: F, hits: Arc<AtomicUsize>) -> TestSite
    where
        F: Filter + Clone + Send + Sync + 'static,
        F::Extract: warp::Reply,
    {
        let (addr, stop) = serve(ip, route).await;
        TestSite {
            addr,
            hits,
            _stop: stop,
        }
    }

    /// A shop of `pages` listing pages (`/p1`...), one card each (`P1`,
    /// `$1`...), linked by `a.next`, each answering after `delay`: a run
    /// slow enough to be watched while it goes.
    pub async fn slow_shop(pages: usize, delay: Duration) -> TestSite {
        let routes: Vec<(String, Page)> = (1..=pages)
            .map(|n| {
                let next = (n < pages).then(|| format!("/p{}", n + 1));
                let name = format!("P{n}");
                let price = format!("${n}");
                let html = cards(&[(&name, &price)], next.as_deref());
                (format!("/p{n}"), Page::html(html).slow(delay))
            })
            .collect();
        TestSite::pages(
            routes
                .iter()
                .map(|(p, page)| (p.as_str(), page.clone()))
                .collect(),
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many requests reached the site.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serves `route` on a free port of `ip` until the sender is dropped.
pub async fn serve<F>(ip: &str, route: F) -> (SocketAddr, oneshot::Sender<()>)
where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let listener = tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(
        warp::serve(route)
            .incoming(listener)
            .graceful(async {
                let _ = rx.await;
            })
            .run(),
    );
    (addr, tx)
}

/// A listing page: a `.card` per (name, price) with `.name` and `.price`,
/// and an `a.next` link when `next` is given.
pub fn cards(names: &[(&str, &str)], next: Option<&str>) -> String {
    let mut html = String::from("<html><body><div class=\"products\">");
    for (name, price) in names {
        html.push_str(&format!(
            "<div class=\"card\"><h2 class=\"name\">{name}</h2><span class=\"price\">{price}</span></div>"
        ));
    }
    html.push_str("</div>");
    if let Some(next) = next {
        html.push_str(&format!("<a class=\"next\" href=\"{next}\">Next</a>"));
    }
    html.push_str("</body></html>");
    html
}

/// A loopback port where nothing listens (bound, then closed).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
