//! Requests per second per key (`--rate-limit N/s`, off by default): each
//! key has a bucket of N requests that refills at N a second, so a burst of
//! N passes and a steady N a second goes on passing; beyond that, 429.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `N/s`, as the flag takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let n = value
            .trim()
            .strip_suffix("/s")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                format!(
                    "`{value}` is not a rate limit: give requests a second per key, such as 20/s"
                )
            })?;
        Ok(RateLimit { per_second: n })
    }
}

/// A request the limit refused, and when the key may try again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refused {
    pub limit: u32,
    pub retry_after: Duration,
}

#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key_id`'s bucket, or says how long to wait.
    pub fn take(&self, key_id: &str) -> Result<(), Refused> {
        self.take_at(key_id, Instant::now())
    }

    fn take_at(&self, key_id: &str, now: Instant) -> Result<(), Refused> {
        let rate = f64::from(self.limit.per_second);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // A key seen before (the usual case) costs no allocation.
        if !buckets.contains_key(key_id) {
            let full = Bucket {
                tokens: rate,
                at: now,
            };
            buckets.insert(key_id.to_string(), full);
        }
        let bucket = buckets.get_mut(key_id).expect("inserted above");
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(rate);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        Err(Refused {
            limit: self.limit.per_second,
            retry_after: Duration::from_secs_f64((1.0 - bucket.tokens) / rate),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_limit_passes_then_the_key_waits_its_turn() {
        let limiter = Limiter::new("3/s".parse().unwrap());
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take_at("key-a", start).is_ok());
        }
        let refused = limiter.take_at("key-a", start).unwrap_err();
        assert_eq!(refused.limit, 3);
        assert!(
            refused.retry_after <= Duration::from_millis(334),
            "{refused:?}"
        );
        // Another key has a bucket of its own.
        assert!(limiter.take_at("key-b", start).is_ok());
        // A third of a second later one more request has come back.
        let later = start + Duration::from_millis(340);
        assert!(limiter.take_at("key-a", later).is_ok());
        assert!(limiter.take_at("key-a", later).is_err());
    }

    #[test]
    fn the_flag_takes_requests_a_second() {
        assert_eq!("20/s".parse::<RateLimit>().unwrap().per_second, 20);
        for bad in ["20", "0/s", "x/s", "20/m"] {
            let err = bad.parse::<RateLimit>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }
}
