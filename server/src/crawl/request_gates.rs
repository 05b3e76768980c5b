//! What a request waits for before it is sent: the robots.txt of its origin
//! and the pause between requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio::sync::OnceCell;
use tokio::time::Instant;
use url::Url;

use crate::crawl::robots::{Access, fetch_robots};

/// robots.txt per origin, each fetched once (subdomains have their own).
pub(crate) struct RobotsGate {
    pub enabled: bool,
    client: reqwest::Client,
    /// Matched against the groups of robots.txt.
    user_agent: String,
    /// Sent, when the crawl sets its own.
    agent_header: Option<HeaderValue>,
    timeout: Duration,
    cache: Mutex<HashMap<String, Arc<OnceCell<Arc<Access>>>>>,
}

impl RobotsGate {
    pub(crate) fn new(
        enabled: bool,
        client: reqwest::Client,
        user_agent: String,
        agent_header: Option<HeaderValue>,
        timeout: Duration,
    ) -> Self {
        RobotsGate {
            enabled,
            client,
            user_agent,
            agent_header,
            timeout,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn preload(&self, origin: &Url, access: Access) {
        let cell = Arc::new(OnceCell::new_with(Some(Arc::new(access))));
        lock(&self.cache).insert(origin.origin().ascii_serialization(), cell);
    }

    pub(crate) async fn access(&self, url: &Url) -> Arc<Access> {
        let origin = url.origin().ascii_serialization();
        let cell = lock(&self.cache).entry(origin).or_default().clone();
        cell.get_or_init(|| async {
            let fetched = fetch_robots(
                &self.client,
                url,
                &self.user_agent,
                self.agent_header.as_ref(),
                self.timeout,
            )
            .await;
            if let Some(note) = fetched.note {
                tracing::warn!("{note}");
            }
            Arc::new(fetched.access)
        })
        .await
        .clone()
    }
}

/// Spaces requests `interval` apart, across all workers.
pub(crate) struct Pacer {
    pub interval: Duration,
    next: tokio::sync::Mutex<Option<Instant>>,
}

impl Pacer {
    pub(crate) fn new(interval: Duration) -> Self {
        Pacer {
            interval,
            next: tokio::sync::Mutex::new(None),
        }
    }

    pub(crate) async fn wait(&self) {
        if self.interval.is_zero() {
            return;
        }
        // Held while sleeping, so that waiters go one interval apart.
        let mut next = self.next.lock().await;
        if let Some(at) = *next {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(Instant::now() + self.interval);
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section is a single insert or remove, so a panic
    // elsewhere cannot leave the data half-changed.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
