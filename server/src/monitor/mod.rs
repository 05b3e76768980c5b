//! Monitor mode: flows that run on a schedule and watch for changes.

pub mod conditions;
pub mod detect;
pub mod diff;
pub mod schedule;
pub mod scheduler;
pub mod webhook;
