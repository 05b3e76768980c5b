//! CORS: the origins given to `--cors-origin` may call the API from a
//! browser (preflight answered, `X-API-Key` allowed); any other origin is
//! refused, and with none given no origin is allowed.

use reqwest::Method;
use scraper_server::Config;
use scraper_server::engine::EngineConfig;
use scraper_tests::{assert_error, spawn_app, spawn_app_with};

const DASH: &str = "https://dash.example.com";

async fn with_cors() -> scraper_tests::TestApp {
    spawn_app_with(Config {
        cors_origins: vec![DASH.to_string()],
        engine: EngineConfig {
            workers: 0,
            ..EngineConfig::default()
        },
        ..Config::default()
    })
    .await
}

fn allowed_origin(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn a_named_origin_gets_its_preflight_and_its_answers() {
    let app = with_cors().await;
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, format!("{}/flows", app.base()))
        .header("Origin", DASH)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-api-key, content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(allowed_origin(&preflight).as_deref(), Some(DASH));
    let headers = preflight
        .headers()
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        headers.contains("x-api-key") && headers.contains("content-type"),
        "{headers}"
    );

    let listed = app
        .raw(Method::GET, "/flows")
        .header("Origin", DASH)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(allowed_origin(&listed).as_deref(), Some(DASH));

    // Without an Origin (curl, a server) nothing changes.
    let plain = app.raw(Method::GET, "/flows").send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(allowed_origin(&plain), None);
}

#[tokio::test]
async fn another_origin_is_refused_and_none_is_allowed_by_default() {
    let app = with_cors().await;
    let other = app
        .raw(Method::GET, "/flows")
        .header("Origin", "https://evil.example");
    assert_error(
        &app.send(other).await,
        403,
        "forbidden",
        &["cross-origin", "--cors-origin"],
    );
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, format!("{}/flows", app.base()))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET");
    assert_error(
        &app.send(preflight).await,
        403,
        "forbidden",
        &["origin not allowed"],
    );

    // A server started without --cors-origin allows no origin: the answer
    // carries no Access-Control-Allow-Origin, so a browser withholds it.
    let default = spawn_app().await;
    let answer = default
        .raw(Method::GET, "/flows")
        .header("Origin", DASH)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&answer), None);
}
