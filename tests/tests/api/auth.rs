use reqwest::Method;
use scraper_common::{FlowFilter, FlowInput, NewKey, RunFilter, Scope};
use scraper_tests::{assert_error, spawn_app};
use serde_json::json;

#[tokio::test]
async fn missing_unknown_and_malformed_keys_get_401() {
    let app = spawn_app().await;
    let url = format!("{}/flows", app.base());
    let http = reqwest::Client::new();
    let none = app.send(http.get(&url)).await;
    assert_error(&none, 401, "unauthorized", &["X-API-Key"]);
    let empty = app.send(http.get(&url).header("X-API-Key", "")).await;
    assert_error(&empty, 401, "unauthorized", &["X-API-Key"]);
    let fake = format!("scr_live_{}", "a".repeat(40));
    let unknown = app.send(http.get(&url).header("X-API-Key", &fake)).await;
    assert_error(&unknown, 401, "unauthorized", &["invalid"]);
    let malformed = app
        .send(http.get(&url).header("X-API-Key", "hunter2"))
        .await;
    assert_error(&malformed, 401, "unauthorized", &[]);
    // A near miss of a real key is still unknown.
    let mut near = app.admin_key.clone();
    near.pop();
    near.push('!');
    let near = app.send(http.get(&url).header("X-API-Key", &near)).await;
    assert_error(&near, 401, "unauthorized", &[]);
    // Writes without a key change nothing.
    let write = app
        .send(
            http.post(&url)
                .json(&json!({"name": "x", "url": "https://example.com"})),
        )
        .await;
    assert_error(&write, 401, "unauthorized", &[]);
    assert_eq!(
        app.client
            .list_flows(&FlowFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
}

/// Each endpoint needs its one scope, and a key without it gets a 403 that
/// names the scope it lacks.
#[tokio::test]
async fn every_endpoint_enforces_its_scope() {
    let app = spawn_app().await;
    let flow = app
        .client
        .create_flow(&FlowInput::new("f", "https://example.com/"))
        .await
        .unwrap();
    let run = app.client.create_run(&flow.id).await.unwrap();
    let key = app.client.list_keys().await.unwrap().data[0].id.clone();

    let endpoints: Vec<(Method, String, Option<serde_json::Value>, Scope)> = vec![
        (Method::GET, "/flows".into(), None, Scope::FlowsRead),
        (
            Method::GET,
            format!("/flows/{}", flow.id),
            None,
            Scope::FlowsRead,
        ),
        (
            Method::POST,
            "/flows".into(),
            Some(json!({"name": "n", "url": "https://e.com"})),
            Scope::FlowsWrite,
        ),
        (
            Method::PUT,
            format!("/flows/{}", flow.id),
            Some(json!({"name": "n"})),
            Scope::FlowsWrite,
        ),
        (
            Method::DELETE,
            format!("/flows/{}", flow.id),
            None,
            Scope::FlowsWrite,
        ),
        (Method::GET, "/runs".into(), None, Scope::RunsRead),
        (
            Method::GET,
            format!("/runs/{}", run.id),
            None,
            Scope::RunsRead,
        ),
        (
            Method::POST,
            "/runs".into(),
            Some(json!({"flowId": flow.id})),
            Scope::RunsWrite,
        ),
        (
            Method::POST,
            "/extract".into(),
            Some(json!({"url": "https://example.com"})),
            Scope::RunsWrite,
        ),
        (Method::GET, "/keys".into(), None, Scope::KeysRead),
        (
            Method::POST,
            "/keys".into(),
            Some(json!({"name": "n", "scopes": ["flows:read"]})),
            Scope::KeysWrite,
        ),
        (
            Method::DELETE,
            format!("/keys/{key}"),
            None,
            Scope::KeysWrite,
        ),
    ];
    for (method, path, body, needed) in endpoints {
        let others: Vec<Scope> = Scope::ALL
            .iter()
            .copied()
            .filter(|s| *s != needed)
            .collect();
        let secret = app
            .client
            .create_key(&NewKey {
                name: format!("all but {needed}"),
                scopes: others,
            })
            .await
            .unwrap()
            .key;
        let mut request = reqwest::Client::new()
            .request(method.clone(), format!("{}{path}", app.base()))
            .header("X-API-Key", &secret);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let got = app.send(request).await;
        assert_error(&got, 403, "forbidden", &[needed.as_str()]);
    }
    // Nothing was changed by the refused calls.
    let after = app.client.get_flow(&flow.id).await.unwrap();
    assert_eq!(after.name, "f");
    assert_eq!(
        app.client
            .list_runs(&RunFilter::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn a_read_only_key_reads_but_cannot_write() {
    let app = spawn_app().await;
    let reader = app
        .client_with_scopes(&[Scope::FlowsRead, Scope::RunsRead])
        .await;
    reader.list_flows(&FlowFilter::default()).await.unwrap();
    reader.list_runs(&RunFilter::default()).await.unwrap();
    let err = reader
        .create_flow(&FlowInput::new("x", "https://example.com"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("flows:write"));
    let err = reader.list_keys().await.unwrap_err();
    assert!(err.to_string().contains("keys:read"));
}
