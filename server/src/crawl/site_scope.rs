//! Which URLs belong to a crawl: the site (host, port, subdomains) and the
//! user's `include`/`exclude` patterns.

use std::sync::OnceLock;

use regex::RegexSet;
use url::{Host, Url};

use crate::crawl::settings::{CrawlSettings, SettingsError};

#[derive(Debug)]
pub(crate) struct SiteScope {
    host: String,
    /// The start URL's explicit port (`None`: the scheme's default), so that
    /// spider's http/https coercion does not take a link off the site.
    port: Option<u16>,
    /// `Some(example.com)` for a start host `www.example.com` or `example.com`
    /// when subdomains are allowed.
    domain: Option<String>,
    include: RegexSet,
    exclude: RegexSet,
    /// Where the start URL redirected to, when that is another host or port
    /// (`http://example.com/` to `https://www.example.com/`): the site the
    /// user meant.
    moved_to: OnceLock<(String, Option<u16>)>,
}

/// Why a URL is not fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutOfScope {
    OffSite,
    Filtered,
}

impl SiteScope {
    pub(crate) fn new(start: &Url, settings: &CrawlSettings) -> Result<Self, SettingsError> {
        let host = start.host_str().unwrap_or_default().to_ascii_lowercase();
        let domain = match start.host() {
            Some(Host::Domain(name)) if settings.allow_subdomains => {
                let name = name.to_ascii_lowercase();
                Some(
                    name.strip_prefix("www.")
                        .map(str::to_string)
                        .unwrap_or(name),
                )
            }
            _ => None,
        };
        Ok(SiteScope {
            host,
            port: start.port(),
            domain,
            include: settings.include_set()?,
            exclude: settings.exclude_set()?,
            moved_to: OnceLock::new(),
        })
    }

    /// Takes the start page's final URL as part of the site too.
    pub(crate) fn adopt_start_redirect(&self, final_url: &Url) {
        if !self.on_site(final_url)
            && let Some(host) = final_url.host_str()
        {
            let _ = self
                .moved_to
                .set((host.to_ascii_lowercase(), final_url.port()));
        }
    }

    pub(crate) fn on_site(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        if let Some((moved_host, moved_port)) = self.moved_to.get()
            && host.eq_ignore_ascii_case(moved_host)
            && url.port() == *moved_port
        {
            return true;
        }
        if url.port() != self.port {
            return false;
        }
        if host.eq_ignore_ascii_case(&self.host) {
            return true;
        }
        let Some(domain) = &self.domain else {
            return false;
        };
        host.len() > domain.len()
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
            || host.eq_ignore_ascii_case(domain)
    }

    pub(crate) fn passes_filters(&self, url: &str) -> bool {
        (self.include.is_empty() || self.include.is_match(url)) && !self.exclude.is_match(url)
    }

    pub(crate) fn check(&self, url: &Url) -> Result<(), OutOfScope> {
        if !self.on_site(url) {
            Err(OutOfScope::OffSite)
        } else if !self.passes_filters(url.as_str()) {
            Err(OutOfScope::Filtered)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(start: &str, settings: CrawlSettings) -> SiteScope {
        SiteScope::new(&Url::parse(start).unwrap(), &settings).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn same_host_and_port_only_by_default() {
        let s = scope("http://127.0.0.1:8080/", CrawlSettings::default());
        assert!(s.on_site(&url("http://127.0.0.1:8080/a")));
        assert!(!s.on_site(&url("http://127.0.0.1:8081/a")));
        assert!(!s.on_site(&url("http://localhost:8080/a")));
        assert!(!s.on_site(&url("http://127.0.0.2:8080/a")));
        assert!(!s.on_site(&url("mailto:x@example.com")));
    }

    #[test]
    fn subdomains_when_allowed() {
        let allow = CrawlSettings {
            allow_subdomains: true,
            ..CrawlSettings::default()
        };
        let s = scope("https://www.example.com/", allow);
        assert!(s.on_site(&url("https://shop.example.com/x")));
        assert!(s.on_site(&url("http://example.com/x")));
        assert!(!s.on_site(&url("https://badexample.com/x")));
        let strict = scope("https://www.example.com/", CrawlSettings::default());
        assert!(!strict.on_site(&url("https://shop.example.com/x")));
        assert!(strict.on_site(&url("https://WWW.example.com/x")));
    }

    #[test]
    fn include_and_exclude_search_the_whole_url() {
        let s = scope(
            "http://h/",
            CrawlSettings {
                include: vec!["/product/".into(), "/category/".into()],
                exclude: vec!["[?&]sort=".into()],
                ..CrawlSettings::default()
            },
        );
        assert!(s.passes_filters("http://h/product/1.html"));
        assert!(s.passes_filters("http://h/category/a/"));
        assert!(!s.passes_filters("http://h/about.html"));
        assert!(!s.passes_filters("http://h/category/a/?sort=price"));
        assert_eq!(
            s.check(&url("http://other/product/1")),
            Err(OutOfScope::OffSite)
        );
    }

    #[test]
    fn a_redirected_start_url_brings_its_host_in() {
        let s = scope("http://example.com/", CrawlSettings::default());
        assert!(!s.on_site(&url("https://www.example.com/a")));
        s.adopt_start_redirect(&url("https://www.example.com/"));
        assert!(s.on_site(&url("https://www.example.com/a")));
        assert!(s.on_site(&url("http://example.com/b")));
        assert!(!s.on_site(&url("https://www.example.com:8443/a")));
    }
}
