use reqwest::Method;
use scraper_common::FlowFilter;
use scraper_tests::{assert_error, spawn_app};
use serde_json::json;

#[tokio::test]
async fn malformed_bodies_get_400_and_change_nothing() {
    let app = spawn_app().await;
    let json_post = |body: &'static str| {
        app.raw(Method::POST, "/flows")
            .header("Content-Type", "application/json")
            .body(body)
    };
    let broken = app.send(json_post(r#"{"name": "x", "url": "#)).await;
    assert_error(&broken, 400, "invalid_json", &["not valid JSON", "line 1"]);
    let trailing = app.send(json_post(r#"{"name": "x"} x"#)).await;
    assert_error(&trailing, 400, "invalid_json", &[]);
    let array = app.send(json_post(r#"[{"name": "x"}]"#)).await;
    assert_error(&array, 400, "invalid_json", &["object", "array"]);
    let empty = app.send(json_post("")).await;
    assert_error(&empty, 400, "invalid_json", &["empty"]);
    assert_eq!(
        app.client
            .list_flows(&FlowFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn missing_and_wrong_fields_get_422_naming_them() {
    let app = spawn_app().await;
    let cases = [
        (json!({"url": "https://example.com"}), "name"),
        (json!({"name": "x"}), "url"),
        (json!({"name": 1, "url": "https://example.com"}), "name"),
        (
            json!({"name": "x", "url": "https://example.com", "mode": "crawl"}),
            "mode",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "mode": 3}),
            "mode",
        ),
        (json!({"name": "x", "url": "example.com/products"}), "url"),
        (json!({"name": "x", "url": "/products"}), "url"),
        (json!({"name": "x", "url": "javascript:alert(1)"}), "url"),
        (json!({"name": "x", "url": "file:///etc/passwd"}), "url"),
        (
            json!({"name": "x", "url": "https://example.com", "steps": [{"label": "no type"}]}),
            "type",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "steps": [{"type": "fly"}]}),
            "steps[0].type",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "steps": [{"type": "navigate", "url": "nope"}]}),
            "steps[0].url",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "outputSchema": {"p": "float"}}),
            "outputSchema.p",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "outputSchema": ["name"]}),
            "outputSchema",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "status": "error"}),
            "status",
        ),
        (
            json!({"name": "x", "url": "https://example.com", "descripton": "typo"}),
            "descripton",
        ),
    ];
    for (body, field) in cases {
        let got = app.send(app.raw(Method::POST, "/flows").json(&body)).await;
        assert_error(&got, 422, "validation_failed", &[field]);
    }
    assert_eq!(
        app.client
            .list_flows(&FlowFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn bodies_over_one_mib_get_413() {
    let app = spawn_app().await;
    let big = format!(
        r#"{{"name": "x", "url": "https://example.com", "description": "{}"}}"#,
        "a".repeat(1024 * 1024)
    );
    let got = app
        .send(
            app.raw(Method::POST, "/flows")
                .header("Content-Type", "application/json")
                .body(big.clone()),
        )
        .await;
    assert_error(&got, 413, "payload_too_large", &["1 MiB"]);
    // Without Content-Length (chunked), the same limit holds.
    let chunks = futures_stream(big);
    let got = app
        .send(
            app.raw(Method::POST, "/flows")
                .header("Content-Type", "application/json")
                .body(reqwest::Body::wrap_stream(chunks)),
        )
        .await;
    assert_error(&got, 413, "payload_too_large", &[]);
    assert_eq!(
        app.client
            .list_flows(&FlowFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
}

fn futures_stream(
    text: String,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = text
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn other_content_types_get_415() {
    let app = spawn_app().await;
    let got = app
        .send(
            app.raw(Method::POST, "/flows")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("name=x&url=https://example.com"),
        )
        .await;
    assert_error(&got, 415, "unsupported_media_type", &["application/json"]);
}

#[tokio::test]
async fn bad_filters_get_400_naming_the_parameter() {
    let app = spawn_app().await;
    let cases = [
        ("/flows?status=running", "status"),
        ("/flows?mode=scrape", "mode"),
        ("/flows?limit=0", "limit"),
        ("/flows?limit=1001", "limit"),
        ("/flows?limit=ten", "limit"),
        ("/flows?offset=-1", "offset"),
        ("/flows?stauts=active", "stauts"),
        ("/flows?status=active&status=paused", "status"),
        ("/runs?status=done", "status"),
        ("/runs?flowId=", "flowId"),
        ("/runs?flow_id=flow-1", "flow_id"),
    ];
    for (path, param) in cases {
        let got = app.send(app.raw(Method::GET, path)).await;
        assert_error(&got, 400, "bad_request", &[param]);
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let app = spawn_app().await;
    let nowhere = app.send(app.raw(Method::GET, "/nowhere")).await;
    assert_error(&nowhere, 404, "not_found", &[]);
    let flow_missing = app.send(app.raw(Method::GET, "/flows/flow-1")).await;
    assert_error(&flow_missing, 404, "not_found", &["flow-1"]);
    let method = app.send(app.raw(Method::PATCH, "/flows/flow-1")).await;
    assert_error(&method, 405, "method_not_allowed", &[]);
    let method = app.send(app.raw(Method::DELETE, "/runs")).await;
    assert_error(&method, 405, "method_not_allowed", &[]);
}

/// A 500 never shows what broke, but names the request, as the answer's
/// `x-request-id` does, so a user can quote it and the log line be found.
#[tokio::test]
async fn an_internal_error_names_its_request_id() {
    let app = scraper_tests::spawn_app().await;
    // The database goes away under the server: the next request fails inside.
    app.store.close().await;
    let response = app
        .raw(reqwest::Method::GET, "/flows")
        .header("x-request-id", "quote-me-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-request-id"], "quote-me-7");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("quote-me-7"), "{message}");
    assert!(!message.to_lowercase().contains("sqlite"), "{message}");
}
