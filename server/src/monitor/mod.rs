//! Monitor mode: flows that run on a schedule and watch for changes.

pub mod schedule;
pub mod scheduler;
