//! Sitemap seeding: the page URLs listed in the site's sitemaps (XML urlset,
//! sitemap index, plain text; gzip-compressed or not).
//!
//! Read here rather than by spider's `sitemap` feature so that the sitemap
//! requests carry the crawl's user agent and timeout and so that the URLs
//! enter the same gate (scope, robots, depth, budget) as found links.

use std::collections::{HashSet, VecDeque};
use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, USER_AGENT};
use url::Url;

use crate::fetch::{Body, read_limited};
use crate::net::fetch_error::FetchError;

/// The sitemap protocol's own limits: 50,000 URLs and 50 MB per file.
const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;
/// Sitemap files read per crawl, indexes included.
const MAX_SITEMAP_FILES: usize = 50;

pub struct SitemapOptions<'a> {
    pub timeout: Duration,
    pub user_agent: Option<&'a HeaderValue>,
    /// Stop after this many page URLs.
    pub max_urls: usize,
}

#[derive(Debug, Default)]
pub struct SitemapUrls {
    pub urls: Vec<Url>,
    /// Sitemaps that could not be read, for the run log.
    pub problems: Vec<String>,
}

/// Reads `sitemaps` (and the sitemaps they index), keeping the page URLs for
/// which `keep` holds, in order and without repeats.
pub async fn read_sitemaps(
    client: &reqwest::Client,
    sitemaps: Vec<Url>,
    keep: impl Fn(&Url) -> bool,
    opts: &SitemapOptions<'_>,
) -> SitemapUrls {
    let mut out = SitemapUrls::default();
    let mut queue: VecDeque<Url> = sitemaps.into();
    let mut seen_files = HashSet::new();
    let mut seen_urls = HashSet::new();
    let mut files = 0;
    while let Some(sitemap) = queue.pop_front() {
        if !seen_files.insert(sitemap.clone()) {
            continue;
        }
        if files == MAX_SITEMAP_FILES || out.urls.len() >= opts.max_urls {
            break;
        }
        files += 1;
        let text = match fetch_text(client, &sitemap, opts).await {
            Ok(text) => text,
            Err(problem) => {
                out.problems.push(problem);
                continue;
            }
        };
        let parsed = parse_sitemap(&text);
        for loc in parsed.sitemaps {
            if let Ok(url) = sitemap.join(&loc) {
                queue.push_back(url);
            }
        }
        for loc in parsed.pages {
            let Ok(mut url) = sitemap.join(&loc) else {
                continue;
            };
            url.set_fragment(None);
            if keep(&url) && seen_urls.insert(url.as_str().to_string()) {
                out.urls.push(url);
                if out.urls.len() >= opts.max_urls {
                    break;
                }
            }
        }
    }
    out
}

async fn fetch_text(
    client: &reqwest::Client,
    url: &Url,
    opts: &SitemapOptions<'_>,
) -> Result<String, String> {
    let started = Instant::now();
    let fail = |err: reqwest::Error| {
        let error = FetchError::from_reqwest(&err, url, started.elapsed());
        format!("sitemap {url} not read: {error}")
    };
    let mut request = client.get(url.clone()).timeout(opts.timeout);
    if let Some(agent) = opts.user_agent {
        request = request.header(USER_AGENT, agent.clone());
    }
    let response = request.send().await.map_err(fail)?;
    if !response.status().is_success() {
        return Err(format!(
            "sitemap {url} not read: the server answered {}",
            response.status()
        ));
    }
    let Body {
        bytes: body,
        truncated,
    } = read_limited(response, MAX_SITEMAP_BYTES)
        .await
        .map_err(fail)?;
    let body = if body.starts_with(b"\x1f\x8b") {
        gunzip(&body).map_err(|e| format!("sitemap {url} is not valid gzip: {e}"))?
    } else {
        body
    };
    if truncated {
        tracing::warn!(%url, "sitemap larger than {MAX_SITEMAP_BYTES} bytes; read only the start");
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn gunzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_SITEMAP_BYTES as u64)
        .read_to_end(&mut out)?;
    Ok(out)
}

#[derive(Debug, Default, PartialEq)]
pub(crate) struct ParsedSitemap {
    pub pages: Vec<String>,
    pub sitemaps: Vec<String>,
}

/// `<loc>` values: in a `<sitemapindex>` they name sitemaps, otherwise
/// pages. A body with no markup is a plain-text sitemap, one URL a line.
pub(crate) fn parse_sitemap(text: &str) -> ParsedSitemap {
    if !text.contains('<') {
        return ParsedSitemap {
            pages: text
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
                .map(str::to_string)
                .collect(),
            sitemaps: Vec::new(),
        };
    }
    let index = text.contains("<sitemapindex");
    let mut locs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + "<loc>".len()..];
        let Some(end) = rest.find("</loc>") else {
            break;
        };
        let raw = rest[..end].trim();
        let raw = raw
            .strip_prefix("<![CDATA[")
            .and_then(|r| r.strip_suffix("]]>"))
            .unwrap_or(raw);
        locs.push(unescape_xml(raw.trim()));
        rest = &rest[end..];
    }
    if index {
        ParsedSitemap {
            pages: Vec::new(),
            sitemaps: locs,
        }
    } else {
        ParsedSitemap {
            pages: locs,
            sitemaps: Vec::new(),
        }
    }
}

fn unescape_xml(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else {
            break;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_index_and_text() {
        let urlset = "<?xml version=\"1.0\"?><urlset><url><loc> http://h/a?x=1&amp;y=2 </loc></url>\n<url><loc><![CDATA[http://h/b]]></loc></url></urlset>";
        assert_eq!(
            parse_sitemap(urlset).pages,
            vec!["http://h/a?x=1&y=2", "http://h/b"]
        );
        let index = "<sitemapindex><sitemap><loc>http://h/s1.xml</loc></sitemap></sitemapindex>";
        let parsed = parse_sitemap(index);
        assert_eq!(parsed.sitemaps, vec!["http://h/s1.xml"]);
        assert!(parsed.pages.is_empty());
        assert_eq!(
            parse_sitemap("http://h/a\n\nnot a url\nhttps://h/b\n").pages,
            vec!["http://h/a", "https://h/b"]
        );
    }

    #[test]
    fn entities() {
        assert_eq!(unescape_xml("a&amp;b&#233;&#xE9;&bogus;"), "a&béé&bogus;");
        assert_eq!(unescape_xml("a & b"), "a & b");
    }
}
