//! Interact mode: a flow's steps driven in a real headless Chromium
//! (Debian's, never a downloaded one), and `render: true` page loads for
//! extract flows. Every request the browser makes obeys the URL policy: it
//! can only go out through our proxy, which checks each address it connects
//! to, and each page's requests are judged before they leave.

pub mod actions;
pub mod browser;
pub mod guard;
pub mod proxy;
pub mod render;
pub mod steps;

pub use browser::{BrowserConfig, BrowserError, Browsers, Session};
