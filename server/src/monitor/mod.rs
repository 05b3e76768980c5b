//! Monitor mode: flows that run on a schedule and watch for changes.

pub mod conditions;
pub mod diff;
pub mod schedule;
pub mod scheduler;
