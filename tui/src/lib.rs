//! scraper-tui: a k9s-style terminal dashboard for Scraper, over the REST
//! API only. `app` is the state and its rules (no I/O), `views` draws it,
//! `api_task` talks to the server, `event_loop` ties them to a terminal and
//! `headless` to tests.

pub mod api_task;
pub mod app;
pub mod cli;
pub mod config;
pub mod editor;
pub mod error;
pub mod event_loop;
pub mod export;
pub mod headless;
#[cfg(feature = "local")]
pub mod local;
pub mod runtime;
pub mod terminal;
pub mod views;

pub use app::{App, Settings};
pub use error::TuiError;
pub use views::draw;
