//! The network safety layer (SSRF guard): which addresses may be reached, and
//! an HTTP client that holds to it. Everything that fetches (one page, a
//! crawl, later the browser's proxy and webhooks) goes through it.
//!
//! Where each check happens:
//! - `UrlPolicy::check_url`: scheme, host, IP-literal hosts (every numeric
//!   spelling) and localhost names, before any request (`fetch::fetch_page`).
//! - `PolicyResolver`: every address a host name resolves to; refused ones are
//!   dropped before the connector sees them, so DNS rebinding cannot slip in.
//! - `ConnectGuardLayer`: IP-literal destinations before connecting, and the
//!   actual peer address of every new connection, for code that uses the
//!   client directly (the crawler).
//! - The redirect policy: every hop, with the policy's reason on refusal.

pub mod address;
pub mod client;
pub mod connect_guard;
pub mod fetch_error;
pub mod policy;
pub mod resolve;

pub use client::{
    ClientOptions, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, RedirectError, build_client,
    build_client_with_resolver,
};
pub use fetch_error::{ErrorKind, FetchError};
pub use policy::{PolicyError, PrivateNetworks, UrlPolicy};
pub use resolve::{PolicyResolver, ResolveError};
