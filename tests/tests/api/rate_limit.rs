//! `--rate-limit N/s`: a key past its limit gets `429 rate_limited` with
//! `Retry-After` and `RateLimit-*`; other keys are not held up; the typed
//! client (and so the dashboard) waits and tries again instead of failing.

use reqwest::Method;
use scraper_common::{FlowFilter, Scope};
use scraper_server::Config;
use scraper_server::engine::EngineConfig;
use scraper_tests::{TestApp, assert_error, spawn_app_with};

async fn limited(per_second: &str) -> TestApp {
    spawn_app_with(Config {
        rate_limit: Some(per_second.parse().unwrap()),
        engine: EngineConfig {
            workers: 0,
            ..EngineConfig::default()
        },
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn a_key_past_its_limit_is_told_when_to_come_back() {
    let app = limited("3/s").await;
    // Made in the store, so that the admin key's budget is untouched.
    let (other, _) = scraper_server::keys::issue(&app.store, "other", &[Scope::FlowsRead])
        .await
        .unwrap();
    for _ in 0..3 {
        let (status, body) = app.send(app.raw(Method::GET, "/flows")).await;
        assert_eq!(status, 200, "{body}");
    }
    let refused = app.raw(Method::GET, "/flows").send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let header = |name: &str| refused.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("retry-after"), "1");
    assert_eq!(header("ratelimit-limit"), "3");
    assert_eq!(header("ratelimit-remaining"), "0");
    let again = app.send(app.raw(Method::GET, "/flows")).await;
    assert_error(
        &again,
        429,
        "rate_limited",
        &["3 requests a second", "retry after"],
    );

    let (status, _) = app
        .send(
            reqwest::Client::new()
                .get(format!("{}/flows", app.base()))
                .header("X-API-Key", &other),
        )
        .await;
    assert_eq!(status, 200, "another key has its own budget");
}

#[tokio::test]
async fn the_client_waits_out_the_limit_instead_of_failing() {
    let app = limited("2/s").await;
    for _ in 0..6 {
        app.client
            .list_flows(&FlowFilter::default())
            .await
            .expect("waited and tried again");
    }
    // The server did refuse some of them on the way.
    let metrics = reqwest::get(format!("http://{}/metrics", app.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("scraper_http_requests_total{route=\"/api/flows\",status=\"429\"}"),
        "{metrics}"
    );
}
