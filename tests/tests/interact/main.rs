//! Interact mode end to end: the real server drives Debian's Chromium
//! against pages the tests serve on loopback. Needs Chromium
//! (`apt-get install -y chromium`, or CHROME_BIN).

mod common;
mod pages;
mod policy;
mod render;
mod steps;
