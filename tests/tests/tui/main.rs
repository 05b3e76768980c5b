//! The dashboard against the real server on a loopback port: the app and
//! its API task, driven key by key with no terminal.

mod dashboard;
mod local;
mod logs_fallback;
mod proxy;
