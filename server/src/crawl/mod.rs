//! The site crawl: spider drives the frontier, our fetch engine makes every
//! request through the policy client (`net`) and the page fetcher (`fetch`),
//! and pages go to the consumer as events, in order, never dropped.

pub mod events;
pub mod hop_depth;
mod link_tags;
pub mod request_gates;
pub mod robots;
pub mod settings;
pub mod site_crawl;
pub mod site_engine;
pub mod site_scope;
pub mod sitemap;
pub mod spider_input;

pub use events::{
    CrawlError, CrawlEvent, CrawlSummary, CrawledPage, FailedPage, FailureKind, StopReason,
};
pub use settings::{CrawlSettings, SettingsError};
pub use site_crawl::{crawl, crawl_with};
