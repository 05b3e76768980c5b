//! Webhooks: Standard Webhooks v1 messages for `run.completed`, `run.failed`
//! and `changes.detected`, delivered from the store's outbox with retries.

pub mod deliver;
pub mod payload;
pub mod secret;
pub mod sign;

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The waits before the second, third... attempts; a message is given
    /// up after the last (`--webhook-retries`).
    pub retries: Vec<Duration>,
    /// A receiver that has not answered by then has failed the attempt.
    pub timeout: Duration,
    /// How often due messages are looked for.
    pub poll: Duration,
    /// Attempts in flight at once in this process.
    pub concurrency: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            retries: [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600]
                .map(Duration::from_secs)
                .to_vec(),
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            concurrency: 8,
        }
    }
}

/// How long a rotated-out secret goes on signing.
pub const OLD_SECRET_SIGNS_FOR: Duration = Duration::from_secs(24 * 3600);

/// The longest `Retry-After` honoured; a longer one waits this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How much of a receiver's answer is kept with an attempt.
pub const RESPONSE_KEPT: usize = 1024;
