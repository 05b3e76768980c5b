//! `GET /api/openapi.json` and `GET /docs`: the document matches the committed
//! copy, says the truth about every route's key and scope, and the docs page
//! works in a real headless Chromium without a request to any other host.

use reqwest::Method;
use scraper_common::Scope;
use scraper_tests::{browser, spawn_app};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// The committed document: users read it and feed it to client generators.
fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

async fn document(app: &scraper_tests::TestApp) -> Value {
    let response = reqwest::get(format!("http://{}/api/openapi.json", app.addr))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "no key is needed for the document");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_matches_the_committed_snapshot() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = snapshot_path();
    if std::env::var_os("SCRAPER_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != pretty {
        let new = path.with_extension("json.new");
        std::fs::write(&new, &pretty).unwrap();
        panic!(
            "the API's OpenAPI document changed: compare {} with {} and, if the change is \
             meant, accept it with `SCRAPER_UPDATE_OPENAPI=1 cargo test -p scraper-tests \
             --test api openapi`",
            path.display(),
            new.display()
        );
    }
}

/// Every operation of the document.
fn operations(doc: &Value) -> Vec<(Method, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            ops.push((
                method,
                path.replace("{id}", "unknown-id").replace("{n}", "1"),
                op,
            ));
        }
    }
    ops
}

/// The document cannot claim a route that does not exist, nor the wrong
/// scope for one: without a key each answers 401; with a key holding every
/// scope but the one the document names, 403 naming that scope.
#[tokio::test]
async fn every_documented_route_exists_and_needs_the_scope_it_names() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert_eq!(
        ops.len(),
        26,
        "{:?}",
        ops.iter().map(|o| &o.1).collect::<Vec<_>>()
    );
    let http = reqwest::Client::new();
    for (method, path, op) in ops {
        let url = format!("http://{}{path}", app.addr);
        let public = op["security"] == serde_json::json!([{}]);
        let answer = http.request(method.clone(), &url).send().await.unwrap();
        if public {
            assert_eq!(answer.status(), 200, "{method} {path} is public");
            continue;
        }
        assert_eq!(answer.status(), 401, "{method} {path} without a key");
        let scope: Scope = op["x-scope"].as_str().unwrap().parse().unwrap();
        let others: Vec<Scope> = Scope::ALL.iter().copied().filter(|s| *s != scope).collect();
        let key = app
            .client
            .create_key(&scraper_common::NewKey {
                name: format!("all but {scope}"),
                scopes: others,
            })
            .await
            .unwrap();
        let (status, body) = app
            .send(
                http.request(method.clone(), &url)
                    .header("X-API-Key", &key.key)
                    .header("Content-Type", "application/json")
                    .body("{}"),
            )
            .await;
        assert_eq!(status, 403, "{method} {path} without `{scope}`: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(scope.as_str()), "{message}");
        // Every answer the document does not list would be a lie too.
        assert!(op["responses"]["401"].is_object() && op["responses"]["403"].is_object());
    }
}

/// Each documented error answer uses the envelope, and each list the list one.
#[tokio::test]
async fn answers_match_the_documented_schemas() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has required fields"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (_, flows) = app.send(app.raw(Method::GET, "/flows")).await;
    for field in required("ListResponse_Flow") {
        assert!(flows.get(&field).is_some(), "{field} in {flows}");
    }
    let (_, missing) = app.send(app.raw(Method::GET, "/flows/nope")).await;
    for field in required("ErrorDetail") {
        assert!(
            missing["error"].get(&field).is_some(),
            "{field} in {missing}"
        );
    }
    let codes: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(codes.contains(&missing["error"]["code"].as_str().unwrap()));
    let statuses: Vec<&str> = schemas["FlowStatus"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["active", "paused", "draft", "error"]);
}

/// The page loads from this server alone, renders every operation, and asks
/// no other host for anything (fonts, scripts, the validator badge...).
#[tokio::test]
async fn the_docs_page_renders_every_endpoint_in_chromium_from_this_server_alone() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    let session = browser::Session::start().await;
    let page = session.open(&format!("{origin}/docs")).await;
    let shown: Vec<String> = page
        .poll(
            "Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.innerText)",
            Duration::from_secs(20),
            |paths: &Vec<String>| paths.len() >= 18,
        )
        .await;
    for path in [
        "/api/flows",
        "/api/flows/{id}",
        "/api/runs/{id}/items",
        "/api/runs/{id}/logs/stream",
        "/api/extract",
        "/api/keys/{id}",
    ] {
        assert!(
            shown.iter().any(|p| p.replace('\u{200b}', "") == path),
            "{path} in {shown:?}"
        );
    }
    let title: String = page
        .eval("document.querySelector('.title').innerText")
        .await;
    assert!(title.contains("Scraper API"), "{title}");
    let requested = page.requests().await;
    assert!(
        requested.iter().any(|u| u.ends_with("/api/openapi.json")),
        "{requested:?}"
    );
    let elsewhere: Vec<&String> = requested
        .iter()
        .filter(|u| !u.starts_with(&format!("{origin}/")) && !u.starts_with("data:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests off the server: {elsewhere:?}"
    );
    session.close().await;
}
