//! The store on its own, without the HTTP server: every test runs against
//! each backend `backend::backends` opens, so a second database has to pass
//! the same tests.

mod backend;
mod counters;
mod flows;
mod items;
mod keys;
mod logs;
mod queue;
mod runs;
