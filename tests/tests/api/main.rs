//! End-to-end tests of the REST API: the real server on a loopback port with
//! a fresh SQLite file, driven through the real client and raw HTTP.

mod auth;
mod cors;
mod demo;
mod errors;
mod execution;
mod exports;
mod extract;
mod flows;
mod keys;
mod metrics;
mod migrate;
mod monitors;
mod nodes;
mod openapi;
mod rate_limit;
mod reference;
mod runs;
mod schedules;
mod webhooks;
