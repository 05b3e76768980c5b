//! The URL policy and the page fetcher against real servers on loopback
//! addresses (127.0.0.x and ::1 only).

mod connect_guard;
mod crawler;
mod fetch_content;
mod fetch_failures;
mod policy_enforcement;
