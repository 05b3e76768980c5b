//! robots.txt, read by RFC 9309: the group for our product token (else `*`),
//! longest matching rule wins, `*` and `$` in paths, plus `Crawl-delay` and
//! `Sitemap` lines.
//!
//! Not spider's parser: without its `regex` feature it treats
//! `Disallow: /private` (no trailing slash) as an exact path, so
//! `/private/x` is crawled; with `regex` it searches the rule anywhere in
//! the path as a regular expression (`/a` blocks `/x/a`, `.` matches any
//! character). Both are pinned by the tests below.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, USER_AGENT};
use url::Url;

use crate::fetch::{Body, read_limited};
use crate::net::fetch_error::FetchError;

/// RFC 9309 lets crawlers stop reading after 500 KiB.
const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// Longer delays would make a crawl pointless; such sites get one request a minute.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    allow: bool,
    pattern: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

/// A parsed robots.txt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RobotsTxt {
    groups: Vec<Group>,
    pub sitemaps: Vec<String>,
}

/// What robots.txt allows one user agent.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    AllowAll,
    /// The server refused robots.txt in a way that means "stay away" (5xx).
    DisallowAll {
        reason: String,
    },
    Rules {
        rules: Vec<Rule>,
        crawl_delay: Option<Duration>,
    },
}

impl RobotsTxt {
    pub fn parse(text: &str) -> RobotsTxt {
        let mut robots = RobotsTxt::default();
        let mut current: Option<Group> = None;
        // User-agent lines right after each other share one group.
        let mut collecting_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !collecting_agents {
                        robots.groups.extend(current.take());
                        current = Some(Group::default());
                    }
                    collecting_agents = true;
                    if let Some(group) = current.as_mut() {
                        group.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    collecting_agents = false;
                    // An empty Disallow allows everything, which is what no rule does.
                    if let (Some(group), false) = (current.as_mut(), value.is_empty()) {
                        group.rules.push(Rule {
                            allow: key == "allow",
                            pattern: normalize_pattern(value),
                        });
                    }
                }
                "crawl-delay" => {
                    collecting_agents = false;
                    let delay = value
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite() && *d >= 0.0)
                        .map(|d| Duration::from_secs_f64(d.min(MAX_CRAWL_DELAY.as_secs_f64())));
                    if let (Some(group), Some(delay)) = (current.as_mut(), delay) {
                        group.crawl_delay = Some(delay);
                    }
                }
                "sitemap" if !value.is_empty() => robots.sitemaps.push(value.to_string()),
                _ => {}
            }
        }
        robots.groups.extend(current);
        robots
    }

    /// The rules for `user_agent` (the product token before `/` is what is
    /// matched, case-insensitively); groups naming it are merged, and `*`
    /// applies only when none does.
    pub fn access_for(&self, user_agent: &str) -> Access {
        let token = product_token(user_agent);
        let named: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| g.agents.iter().any(|a| a != "*" && *a == token))
            .collect();
        let chosen = if named.is_empty() {
            self.groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect()
        } else {
            named
        };
        Access::Rules {
            rules: chosen.iter().flat_map(|g| g.rules.clone()).collect(),
            crawl_delay: chosen.iter().find_map(|g| g.crawl_delay),
        }
    }
}

impl Access {
    pub fn allows(&self, url: &Url) -> bool {
        match self {
            Access::AllowAll => true,
            Access::DisallowAll { .. } => false,
            Access::Rules { rules, .. } => {
                let path = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_string(),
                };
                if path == "/robots.txt" {
                    return true;
                }
                // Longest pattern wins; on a tie the allow rule does.
                rules
                    .iter()
                    .filter(|r| pattern_matches(&r.pattern, &path))
                    .max_by_key(|r| (r.pattern.len(), r.allow))
                    .is_none_or(|r| r.allow)
            }
        }
    }

    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Access::Rules { crawl_delay, .. } => *crawl_delay,
            _ => None,
        }
    }
}

/// What fetching robots.txt gave.
#[derive(Debug, Clone)]
pub struct RobotsFetch {
    pub access: Access,
    pub sitemaps: Vec<String>,
    /// Set when robots.txt could not be read and everything is allowed.
    pub note: Option<String>,
}

/// Fetches `origin/robots.txt`. Missing (4xx) or unreachable robots.txt
/// allows everything, so that a site that is down reports its real error on
/// the start page; a 5xx disallows everything (RFC 9309 section 2.3.1.3).
pub async fn fetch_robots(
    client: &reqwest::Client,
    origin: &Url,
    user_agent: &str,
    agent_header: Option<&HeaderValue>,
    timeout: Duration,
) -> RobotsFetch {
    let Ok(url) = origin.join("/robots.txt") else {
        return allow_all(None);
    };
    let started = Instant::now();
    let mut request = client.get(url.clone()).timeout(timeout);
    if let Some(agent) = agent_header {
        request = request.header(USER_AGENT, agent.clone());
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            let error = FetchError::from_reqwest(&err, &url, started.elapsed());
            return allow_all(Some(format!(
                "robots.txt not read ({error}); crawling as if it allowed everything"
            )));
        }
    };
    let status = response.status();
    if status.is_server_error() {
        return RobotsFetch {
            access: Access::DisallowAll {
                reason: format!(
                    "{url} answered {status}, which means the whole site is off limits"
                ),
            },
            sitemaps: Vec::new(),
            note: None,
        };
    }
    if !status.is_success() {
        return allow_all(None);
    }
    match read_limited(response, MAX_ROBOTS_BYTES).await {
        Ok(Body { bytes: body, .. }) => {
            let robots = RobotsTxt::parse(&String::from_utf8_lossy(&body));
            RobotsFetch {
                access: robots.access_for(user_agent),
                sitemaps: robots.sitemaps,
                note: None,
            }
        }
        Err(err) => {
            let error = FetchError::from_reqwest(&err, &url, started.elapsed());
            allow_all(Some(format!(
                "robots.txt not read ({error}); crawling as if it allowed everything"
            )))
        }
    }
}

fn allow_all(note: Option<String>) -> RobotsFetch {
    RobotsFetch {
        access: Access::AllowAll,
        sitemaps: Vec::new(),
        note,
    }
}

fn product_token(user_agent: &str) -> String {
    user_agent
        .split(['/', ' '])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Paths in URLs are percent-encoded; a rule written with raw UTF-8 must be
/// compared in the same form.
fn normalize_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// `*` matches any run of characters; a final `$` anchors the end; otherwise
/// the pattern is a prefix.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if last && anchored {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

#[cfg(test)]
#[path = "robots_tests.rs"]
mod tests;
