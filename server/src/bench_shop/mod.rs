//! The bench shop: a deterministic static product catalogue for crawler
//! benchmarks and tests, `scraper-server bench-shop OUTDIR`.
//!
//! It writes, under OUTDIR:
//! - `www/`: the document root, exactly `pages` HTML pages that answer 200,
//!   all reachable from `/`, plus `robots.txt`, `sitemap.xml` and the
//!   robots-disallowed `private/`;
//! - `expected.json`: the products a crawl should return (name, price, url);
//! - `urls.txt`: every page path;
//! - `redirects.conf`: nginx `location` blocks for the redirects.
//!
//! Traps: `/private/` holds a fake product, four links 404, five redirect
//! (one a two-hop chain), one link leaves the host (`http://localhost:1/`,
//! where nothing listens), `mailto:` and `#fragment` links, sale items show
//! an old price before the price, some prices have a thousands separator,
//! some names hold `&`, `"`, `'` and `é`, every product page has JSON-LD.
//!
//! The output is byte for byte that of the Python script the figures in the
//! README were first measured on, which is why the randomness and the
//! formatting are ports of CPython's (`py_*`).

mod catalogue;
mod expected;
mod pages;
mod py_format;
mod py_json;
mod py_random;
mod server_files;
#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};

/// The fewest pages a shop has: home, about, guides and the categories
/// leave too little room for products below it.
pub const MIN_PAGES: usize = 30;
pub const DEFAULT_PAGES: usize = 5000;
/// Where the shop's absolute URLs (sitemap, expected.json) point by default.
pub const DEFAULT_BASE: &str = "http://127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Options {
    pub pages: usize,
    /// Origin the shop is served at; a trailing `/` is dropped.
    pub base: String,
    /// Another seed, another draw of products.
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a bench shop has at least {MIN_PAGES} pages, not {0}")]
    TooFewPages(usize),
    #[error("writing {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// A generated shop, not yet written.
pub struct Shop {
    /// Path relative to the output directory, and contents.
    pub files: Vec<(String, String)>,
    /// What the summary line says after the output directory.
    counts: String,
}

pub fn generate(options: &Options) -> Result<Shop, Error> {
    if options.pages < MIN_PAGES {
        return Err(Error::TooFewPages(options.pages));
    }
    let base = options.base.trim_end_matches('/');
    let catalogue = catalogue::draw(options.pages, options.seed);
    let html = pages::Html::new(&catalogue);
    let pages = html.pages();
    assert_eq!(pages.len(), options.pages, "the plan fills every page");
    // Characters, not bytes: what the Python generator counted.
    let chars: usize = pages.iter().map(|(_, doc)| doc.chars().count()).sum();
    let counts = format!(
        "{} pages ({} products, {} categories, {} guides), {:.1} MB HTML",
        options.pages,
        catalogue.products.len(),
        catalogue.categories.len(),
        catalogue.guides.len(),
        chars as f64 / 1e6
    );
    let mut files = Vec::with_capacity(pages.len() + 7);
    for (path, doc) in pages.iter().chain(&html.private()) {
        files.push((www_file(path), doc.clone()));
    }
    files.push(("www/robots.txt".into(), server_files::robots(base)));
    files.push((
        "www/sitemap.xml".into(),
        server_files::sitemap(base, &pages),
    ));
    files.push(("redirects.conf".into(), server_files::redirects(&catalogue)));
    files.push(("urls.txt".into(), expected::urls_txt(&pages)));
    let expected = expected::expected_json(base, options.pages, &catalogue);
    files.push(("expected.json".into(), expected));
    Ok(Shop { files, counts })
}

/// The file nginx serves for a page path (`/x/` is `x/index.html`).
fn www_file(path: &str) -> String {
    let index = if path.ends_with('/') {
        "index.html"
    } else {
        ""
    };
    format!("www/{}{index}", path.trim_start_matches('/'))
}

impl Shop {
    /// Writes the shop under `outdir`, replacing any earlier `www/` whole
    /// (a smaller shop must not keep a bigger one's pages).
    pub fn write(&self, outdir: &Path) -> Result<(), Error> {
        let www = outdir.join("www");
        let failed = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        if www.exists() {
            std::fs::remove_dir_all(&www).map_err(failed(&www))?;
        }
        for (rel, contents) in &self.files {
            let path = outdir.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(failed(dir))?;
            }
            std::fs::write(&path, contents).map_err(failed(&path))?;
        }
        Ok(())
    }

    /// The line `bench-shop` prints once the shop is written.
    pub fn summary(&self, outdir: &Path) -> String {
        format!("{}: {}", pathlib_str(outdir), self.counts)
    }
}

/// Generates a shop and writes it under `outdir`; returns the summary line.
pub fn make(outdir: &Path, options: &Options) -> Result<String, Error> {
    let shop = generate(options)?;
    shop.write(outdir)?;
    Ok(shop.summary(outdir))
}

/// `str(pathlib.Path(path))`, as the summary line has always shown it:
/// no `.` parts, no repeated or trailing slashes, but two leading slashes
/// kept (POSIX leaves their meaning to the system).
fn pathlib_str(path: &Path) -> String {
    let s = path.to_string_lossy();
    let root = if s.starts_with("//") && !s.starts_with("///") {
        "//"
    } else if s.starts_with('/') {
        "/"
    } else {
        ""
    };
    let parts: Vec<&str> = s
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = format!("{root}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}
