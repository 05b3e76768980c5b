//! `GET /metrics`: Prometheus' text format, with no key, counting what the
//! server did; `--metrics-listen` moves it off the API's address.

use scraper_common::FlowInput;
use scraper_server::Config;
use scraper_tests::site::{Reply, TestSite, cards};
use scraper_tests::{loopback_config, spawn_app_with};
use std::time::Duration;

async fn metrics(url: String) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_runs_pages_and_items() {
    let site = TestSite::pages(vec![(
        "/list",
        Reply::html(cards(&[("A", "$1"), ("B", "$2"), ("C", "$3")], None)),
    )])
    .await;
    let app = spawn_app_with(loopback_config()).await;
    let flow = app
        .client
        .create_flow(&FlowInput::new("counted", site.url("/list")))
        .await
        .unwrap();
    let run = app.client.create_run(&flow.id).await.unwrap();
    app.wait_finished(&run.id, Duration::from_secs(30)).await;
    app.client.get_flow(&flow.id).await.unwrap();

    let (status, text) = metrics(format!("http://{}/metrics", app.addr)).await;
    assert_eq!(status, 200);
    for line in [
        "scraper_http_requests_total{route=\"/api/flows\",status=\"201\"} 1",
        "scraper_http_requests_total{route=\"/api/flows/:id\",status=\"200\"} 1",
        "scraper_runs_finished_total{status=\"completed\",failure_reason=\"\"} 1",
        "scraper_pages_fetched_total 1",
        "scraper_items_extracted_total 3",
        "scraper_runs{status=\"completed\"} 1",
        "scraper_runs{status=\"queued\"} 0",
        "scraper_queue_depth 0",
        "scraper_fetch_duration_seconds_count 1",
    ] {
        assert!(text.contains(line), "`{line}` in:\n{text}");
    }
    assert!(
        text.contains("scraper_http_request_duration_seconds_bucket{route=\"/api/runs/:id\""),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_listen_serves_them_on_their_own_address_only() {
    let app = spawn_app_with(Config {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..loopback_config()
    })
    .await;
    let own = app.metrics_addr.expect("an address of its own");
    assert_ne!(own, app.addr);
    let (status, text) = metrics(format!("http://{own}/metrics")).await;
    assert_eq!(status, 200);
    assert!(text.contains("scraper_queue_depth 0"), "{text}");
    let (status, _) = metrics(format!("http://{}/metrics", app.addr)).await;
    assert_eq!(status, 404, "not beside the API any more");
}
