//! Network-safety layer of the scraper: the URL policy (SSRF guard), a reqwest
//! client that enforces it at connect time, and a safe page fetcher.
//!
//! Where each check happens:
//! - `UrlPolicy::check_url`: scheme, host, IP-literal hosts (every numeric
//!   spelling) and localhost names, before any request (`fetch_page`).
//! - `PolicyResolver`: every address a host name resolves to; refused ones are
//!   dropped before the connector sees them, so DNS rebinding cannot slip in.
//! - `ConnectGuardLayer`: IP-literal destinations before connecting, and the
//!   actual peer address of every new connection, for code that uses the
//!   client directly (the crawler).
//! - The redirect policy: every hop, with the policy's reason on refusal.

pub mod address;
pub mod charset;
pub mod client;
pub mod connect_guard;
pub mod fetch;
pub mod fetch_error;
pub mod policy;
pub mod resolve;

pub use client::{ClientOptions, RedirectError, build_client, build_client_with_resolver};
pub use fetch::{FetchOptions, FetchedPage, fetch_page};
pub use fetch_error::{ErrorKind, FetchError};
pub use policy::{PolicyError, PrivateNetworks, UrlPolicy};
pub use resolve::{PolicyResolver, ResolveError};

// The crawler (spider-driven), built on the policy client above.
pub mod crawl_events;
pub mod crawl_settings;
pub mod hop_depth;
mod link_tags;
pub mod page_fetch;
pub mod request_gates;
pub mod robots;
pub mod site_crawl;
pub mod site_engine;
pub mod site_scope;
pub mod sitemap;
pub mod spider_input;

pub use crawl_events::{
    CrawlError, CrawlEvent, CrawlSummary, CrawledPage, FailedPage, FailureKind, StopReason,
};
pub use crawl_settings::{CrawlSettings, SettingsError};
pub use site_crawl::crawl;
