//! Ids in the reference's form, `flow-1710000000000`: a prefix and a
//! millisecond timestamp, made unique within this process by counting up when
//! two are made in one millisecond. Another process on the same database can
//! still pick the same number; inserts retry with a fresh id on a conflict.

use std::sync::atomic::{AtomicI64, Ordering};

static LAST: AtomicI64 = AtomicI64::new(0);

pub fn next(prefix: &str) -> String {
    let now = super::now_ms();
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = now.max(last + 1);
        match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("{prefix}-{candidate}"),
            Err(seen) => last = seen,
        }
    }
}

/// How often an insert tries a fresh id after a primary-key conflict.
pub const ATTEMPTS: usize = 8;

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_increase() {
        let a = super::next("flow");
        let b = super::next("flow");
        let n = |id: &str| id.trim_start_matches("flow-").parse::<i64>().unwrap();
        assert!(n(&b) > n(&a), "{a} then {b}");
    }
}
