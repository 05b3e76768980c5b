//! `GET /metrics`: the server's figures in Prometheus' text format. Each
//! server keeps its own recorder (no global one), so two servers in one
//! process, as in the tests, count apart.

use crate::store::{self, Store};
use ::metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use scraper_common::{FailureReason, RunStatus};
use std::time::Duration;

const SECONDS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const META: Metadata<'static> = Metadata::new("scraper", Level::INFO, None);

pub struct Metrics {
    recorder: PrometheusRecorder,
    // Registered once: these move with every page a run fetches.
    pages: Counter,
    fetch_seconds: Histogram,
    items: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(SECONDS)
            .expect("bucket bounds are given")
            .build_recorder();
        let pages = recorder.register_counter(&key("scraper_pages_fetched_total", vec![]), &META);
        let fetch_seconds =
            recorder.register_histogram(&key("scraper_fetch_duration_seconds", vec![]), &META);
        let items = recorder.register_counter(&key("scraper_items_extracted_total", vec![]), &META);
        Metrics {
            recorder,
            pages,
            fetch_seconds,
            items,
        }
    }
}

fn key(name: &'static str, labels: Vec<Label>) -> Key {
    Key::from_parts(name, labels)
}

impl Metrics {
    /// One answered request: by route (ids folded, so labels stay few) and status.
    pub fn http(&self, route: &'static str, status: u16, elapsed: Duration) {
        let labels = vec![
            Label::new("route", route),
            Label::new("status", status.to_string()),
        ];
        self.recorder
            .register_counter(&key("scraper_http_requests_total", labels), &META)
            .increment(1);
        self.recorder
            .register_histogram(
                &key(
                    "scraper_http_request_duration_seconds",
                    vec![Label::new("route", route)],
                ),
                &META,
            )
            .record(elapsed.as_secs_f64());
    }

    pub fn run_finished(&self, status: RunStatus, reason: Option<FailureReason>) {
        let labels = vec![
            Label::new("status", status.as_str()),
            Label::new("failure_reason", reason.map_or("", FailureReason::as_str)),
        ];
        self.recorder
            .register_counter(&key("scraper_runs_finished_total", labels), &META)
            .increment(1);
    }

    /// A page requested by a run, whatever came of it.
    pub fn page_fetched(&self) {
        self.pages.increment(1);
    }

    /// How long one page fetch of a run took (pages a run fetches itself;
    /// the crawler's are counted, not timed).
    pub fn fetch_took(&self, took: Duration) {
        self.fetch_seconds.record(took.as_secs_f64());
    }

    pub fn items_extracted(&self, n: u64) {
        self.items.increment(n);
    }

    /// One webhook attempt, by event and what came of it.
    pub fn webhook_attempt(&self, event: &str, end: store::AttemptEnd) {
        let outcome = match end {
            store::AttemptEnd::Delivered => "delivered",
            store::AttemptEnd::Retry(_) => "retry",
            store::AttemptEnd::GiveUp => "failed",
        };
        let labels = vec![
            Label::new("event", event.to_string()),
            Label::new("outcome", outcome),
        ];
        self.recorder
            .register_counter(&key("scraper_webhook_attempts_total", labels), &META)
            .increment(1);
    }

    /// The browser's figures, as they are now.
    pub fn browser(&self, figures: crate::interact::browser::BrowserFigures) {
        let gauge = |name: &'static str, value: u64| {
            self.recorder
                .register_gauge(&key(name, vec![]), &META)
                .set(value as f64);
        };
        gauge("scraper_browser_launches", figures.launched);
        gauge("scraper_browser_pages", figures.pages);
        gauge("scraper_browser_sessions", figures.sessions);
        gauge("scraper_browsers_running", figures.running);
    }

    /// The text exposition, with the run gauges read from the store now.
    pub async fn render(&self, store: &Store) -> store::Result<String> {
        let counts = store.run_counts().await?;
        for status in RunStatus::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            self.recorder
                .register_gauge(
                    &key("scraper_runs", vec![Label::new("status", status.as_str())]),
                    &META,
                )
                .set(n as f64);
            if *status == RunStatus::Queued {
                self.recorder
                    .register_gauge(&key("scraper_queue_depth", vec![]), &META)
                    .set(n as f64);
            }
        }
        self.recorder
            .register_gauge(&key("scraper_webhook_pending", vec![]), &META)
            .set(store.pending_deliveries().await? as f64);
        Ok(self.recorder.handle().render())
    }
}

/// The route a path belongs to, with ids as `:id`; anything else is
/// `other`, so that scans of random paths do not make new series.
pub(crate) fn route(path: &str) -> &'static str {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["api", "flows"] => "/api/flows",
        ["api", "flows", _] => "/api/flows/:id",
        ["api", "runs"] => "/api/runs",
        ["api", "runs", _] => "/api/runs/:id",
        ["api", "runs", _, "cancel"] => "/api/runs/:id/cancel",
        ["api", "runs", _, "logs"] => "/api/runs/:id/logs",
        ["api", "runs", _, "logs", "stream"] => "/api/runs/:id/logs/stream",
        ["api", "runs", _, "items"] => "/api/runs/:id/items",
        ["api", "runs", _, "changes"] => "/api/runs/:id/changes",
        ["api", "runs", _, "screenshots"] => "/api/runs/:id/screenshots",
        ["api", "runs", _, "screenshots", _] => "/api/runs/:id/screenshots/:n",
        ["api", "flows", _, "changes"] => "/api/flows/:id/changes",
        ["api", "flows", _, "deliveries"] => "/api/flows/:id/deliveries",
        ["api", "flows", _, "webhook", "rotate"] => "/api/flows/:id/webhook/rotate",
        ["api", "deliveries", _, "redeliver"] => "/api/deliveries/:id/redeliver",
        ["api", "extract"] => "/api/extract",
        ["api", "keys"] => "/api/keys",
        ["api", "nodes"] => "/api/nodes",
        ["api", "keys", _] => "/api/keys/:id",
        ["metrics"] => "/metrics",
        ["demo", ..] => "/demo",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn ids_fold_into_their_route() {
        assert_eq!(
            route("/api/runs/run-abc/logs/stream"),
            "/api/runs/:id/logs/stream"
        );
        assert_eq!(route("/api/flows/flow-1"), "/api/flows/:id");
        assert_eq!(route("/wp-admin/setup.php"), "other");
    }
}
