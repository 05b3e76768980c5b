//! Output field types are API types, shared with clients.

pub use scraper_common::{FieldType, OutputSchema as Schema};
