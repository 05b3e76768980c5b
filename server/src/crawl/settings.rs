//! The settings of a flow's `crawl` step, as users write them:
//! `{"type": "crawl", "maxPages": 500, "include": ["/product/"]}`.
//!
//! Parsing is strict (unknown names and wrong types are refused) because a
//! misspelt `maxPage` that silently fell back to the default would crawl a
//! different number of pages than the user asked for.

use std::fmt;
use std::time::Duration;

use regex::RegexSet;
use reqwest::header::HeaderValue;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const DEFAULT_MAX_PAGES: u32 = 100;
pub const DEFAULT_CONCURRENCY: u32 = 8;
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

const MAX_CONCURRENCY: u32 = 256;
const MAX_DELAY_MS: u64 = 60_000;
const MAX_TIMEOUT_MS: u64 = 600_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrawlSettings {
    /// Most pages requested, failures included; redirect hops are not counted.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
    /// Most link hops from the start URL (0: the start URL only). `None`: no limit.
    #[serde(default)]
    pub max_depth: Option<u32>,
    /// Regular expressions searched in the absolute URL; when any is given, a
    /// URL must match one of them to be fetched (the start URL always is).
    #[serde(default, deserialize_with = "one_or_many")]
    pub include: Vec<String>,
    /// Regular expressions searched in the absolute URL; a match is not fetched
    /// (except the start URL).
    #[serde(default, deserialize_with = "one_or_many")]
    pub exclude: Vec<String>,
    /// Also follow links to subdomains of the start URL's host.
    #[serde(default)]
    pub allow_subdomains: bool,
    #[serde(default = "yes")]
    pub respect_robots: bool,
    /// Requests in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// Pause between requests; a larger robots.txt `Crawl-delay` wins.
    #[serde(default)]
    pub delay_ms: u64,
    /// Per request, from connecting to the last body byte.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Sent instead of the client's own user agent, and matched against robots.txt.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Seed the crawl with the URLs of the site's sitemap (listed in
    /// robots.txt, else `/sitemap.xml`), so pages that no link reaches are found.
    #[serde(default)]
    pub use_sitemap: bool,
    /// Load each page in the browser and read what it rendered (for sites
    /// that build their pages with JavaScript).
    #[serde(default)]
    pub render: bool,
}

fn default_max_pages() -> u32 {
    DEFAULT_MAX_PAGES
}
fn default_concurrency() -> u32 {
    DEFAULT_CONCURRENCY
}
fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}
fn yes() -> bool {
    true
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            max_pages: DEFAULT_MAX_PAGES,
            max_depth: None,
            include: Vec::new(),
            exclude: Vec::new(),
            allow_subdomains: false,
            respect_robots: true,
            concurrency: DEFAULT_CONCURRENCY,
            delay_ms: 0,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            user_agent: None,
            use_sitemap: false,
            render: false,
        }
    }
}

/// A setting that is unknown, of the wrong type or out of range. `setting` is
/// the path of the offending value (`maxPages`, `include[1]`), empty when the
/// problem is not one value (an unknown name says its own name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if setting.is_empty() { message.clone() } else { format!("{setting}: {message}") })]
pub struct SettingsError {
    pub setting: String,
    pub message: String,
}

impl SettingsError {
    fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        SettingsError {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

impl CrawlSettings {
    /// Reads the settings of a `crawl` step (the step's fields other than
    /// `type` and `label`) and checks their ranges and patterns.
    pub fn from_step(settings: &Map<String, Value>) -> Result<Self, SettingsError> {
        Self::from_json(&Value::Object(settings.clone()))
    }

    pub fn from_json(value: &Value) -> Result<Self, SettingsError> {
        let parsed: CrawlSettings = serde_path_to_error::deserialize(value).map_err(|err| {
            let path = err.path().to_string();
            let setting = if path == "." { String::new() } else { path };
            SettingsError::new(setting, err.into_inner().to_string())
        })?;
        parsed.validate()?;
        Ok(parsed)
    }

    /// Range and pattern checks that serde's types cannot express.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.max_pages == 0 {
            return Err(SettingsError::new("maxPages", "must be at least 1"));
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(SettingsError::new(
                "concurrency",
                format!("must be from 1 to {MAX_CONCURRENCY}"),
            ));
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(SettingsError::new(
                "delayMs",
                format!("must be at most {MAX_DELAY_MS} (one minute)"),
            ));
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(SettingsError::new(
                "timeoutMs",
                format!("must be from 1 to {MAX_TIMEOUT_MS} (ten minutes)"),
            ));
        }
        if let Some(agent) = &self.user_agent {
            self.user_agent_header()?;
            if agent.trim().is_empty() {
                return Err(SettingsError::new("userAgent", "must not be empty"));
            }
        }
        compile_patterns("include", &self.include)?;
        compile_patterns("exclude", &self.exclude)?;
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    pub(crate) fn user_agent_header(&self) -> Result<Option<HeaderValue>, SettingsError> {
        self.user_agent
            .as_deref()
            .map(|agent| {
                HeaderValue::from_str(agent.trim()).map_err(|_| {
                    SettingsError::new(
                        "userAgent",
                        "must be printable ASCII text without line breaks",
                    )
                })
            })
            .transpose()
    }

    pub(crate) fn include_set(&self) -> Result<RegexSet, SettingsError> {
        compile_patterns("include", &self.include)
    }

    pub(crate) fn exclude_set(&self) -> Result<RegexSet, SettingsError> {
        compile_patterns("exclude", &self.exclude)
    }
}

/// One set per list so that matching a URL is one pass whatever the count;
/// each pattern is compiled alone first to name the one that is wrong.
fn compile_patterns(setting: &str, patterns: &[String]) -> Result<RegexSet, SettingsError> {
    for (i, pattern) in patterns.iter().enumerate() {
        if let Err(err) = regex::Regex::new(pattern) {
            return Err(SettingsError::new(
                format!("{setting}[{i}]"),
                format!("{pattern:?} is not a valid regular expression: {err}"),
            ));
        }
    }
    RegexSet::new(patterns).map_err(|err| SettingsError::new(setting, err.to_string()))
}

/// `"include": "/product/"` is read as `["/product/"]`: a single pattern is the
/// common case and refusing it would only annoy.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct Patterns;

    impl<'de> Visitor<'de> for Patterns {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a regular expression or a list of regular expressions")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(pattern) = seq.next_element::<String>()? {
                out.push(pattern);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_any(Patterns)
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
