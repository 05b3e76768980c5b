//! Websites the tests serve themselves: a map of pages, or a directory.

use super::{Reply, TestServer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub struct TestSite {
    pub addr: SocketAddr,
    server: TestServer,
}

impl TestSite {
    /// Serves `pages` by path (`/`, `/list.html`; the query is not looked
    /// at); anything else is a 404.
    pub async fn pages(pages: Vec<(&str, Reply)>) -> TestSite {
        Self::pages_on("127.0.0.1", pages).await
    }

    /// The same on another loopback address (`127.0.0.2`).
    pub async fn pages_on(ip: &str, pages: Vec<(&str, Reply)>) -> TestSite {
        let pages: HashMap<String, Reply> = pages
            .into_iter()
            .map(|(path, page)| (path.to_string(), page))
            .collect();
        let server = TestServer::start(&format!("{ip}:0"), move |target| {
            let path = target.split('?').next().unwrap_or(target);
            pages.get(path).cloned().unwrap_or_else(Reply::not_found)
        })
        .await;
        TestSite {
            addr: server.addr,
            server,
        }
    }

    /// Serves the files under `root` (directories answer with index.html).
    pub async fn dir(root: impl Into<PathBuf>) -> TestSite {
        let root = root.into();
        let server = TestServer::start("127.0.0.1:0", move |target| file(&root, target)).await;
        TestSite {
            addr: server.addr,
            server,
        }
    }

    /// A shop of `pages` listing pages (`/p1`...), one card each (`P1`,
    /// `$1`...), linked by `a.next`, each answering after `delay`: a run
    /// slow enough to be watched while it goes.
    pub async fn slow_shop(pages: usize, delay: Duration) -> TestSite {
        let routes: Vec<(String, Reply)> = (1..=pages)
            .map(|n| {
                let next = (n < pages).then(|| format!("/p{}", n + 1));
                let name = format!("P{n}");
                let price = format!("${n}");
                let html = cards(&[(&name, &price)], next.as_deref());
                (format!("/p{n}"), Reply::html(html).slow(delay))
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
        self.server.url(path)
    }

    /// How many requests reached the site.
    pub fn hits(&self) -> usize {
        self.server.requests()
    }
}

/// The file under `root` that `target` names; nothing outside `root`.
fn file(root: &Path, target: &str) -> Reply {
    let path = target.split('?').next().unwrap_or(target);
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Reply::not_found();
    }
    let mut file = root.join(relative);
    if path.ends_with('/') {
        file.push("index.html");
    }
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html",
        Some("xml") => "application/xml",
        _ => "text/plain",
    };
    match std::fs::read(&file) {
        Ok(body) => Reply::with_type(content_type, body),
        Err(_) => Reply::not_found(),
    }
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
