//! Moving up: a SQLite database a server filled (monitor runs with changes,
//! a failed run, webhook deliveries, a screenshot, keys) is copied into an
//! empty PostgreSQL database, and a server on the copy answers every read as
//! the first did, then goes on running.

use reqwest::Method;
use scraper_common::{NewKey, RunStatus, Scope};
use scraper_server::store::Store;
use scraper_tests::database::{self, Backend, TestDatabase};
use scraper_tests::site::{Receiver, Reply, TestServer, cards};
use scraper_tests::{TestApp, loopback_config, spawn_app_on, spawn_app_on_existing};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Every read a user has of what the server holds, as JSON.
async fn everything(app: &TestApp) -> Vec<(String, Value)> {
    let mut paths = vec![
        "/flows?limit=100".to_string(),
        "/runs?limit=100".to_string(),
        "/keys".to_string(),
    ];
    let (_, flows) = app.send(app.raw(Method::GET, "/flows?limit=100")).await;
    for flow in flows["data"].as_array().unwrap() {
        let id = flow["id"].as_str().unwrap();
        paths.push(format!("/flows/{id}"));
        paths.push(format!("/flows/{id}/changes"));
        paths.push(format!("/flows/{id}/deliveries"));
    }
    let (_, runs) = app.send(app.raw(Method::GET, "/runs?limit=100")).await;
    for run in runs["data"].as_array().unwrap() {
        let id = run["id"].as_str().unwrap();
        paths.push(format!("/runs/{id}"));
        paths.push(format!("/runs/{id}/changes"));
        paths.push(format!("/runs/{id}/items?format=json"));
        paths.push(format!("/runs/{id}/screenshots"));
    }
    let mut out = Vec::new();
    for path in paths {
        let (status, body) = app.send(app.raw(Method::GET, &path)).await;
        assert_eq!(status, 200, "{path}: {body}");
        out.push((path, body));
    }
    out
}

#[tokio::test]
async fn a_sqlite_database_moves_to_postgres_whole() {
    if database::postgres_url().is_none() {
        eprintln!("skipped: migrate needs {}", database::POSTGRES_URL_VAR);
        return;
    }
    // A page the test rewrites between runs, and a webhook receiver.
    let page = Arc::new(Mutex::new(cards(&[("Lamp", "$10"), ("Desk", "$99")], None)));
    let served = page.clone();
    let site = TestServer::start("127.0.0.1:0", move |path: &str| {
        if path == "/gone" {
            Reply::not_found()
        } else {
            Reply::html(served.lock().unwrap().clone())
        }
    })
    .await;
    let receiver = Receiver::start(vec![]).await;

    let mut source = spawn_app_on(
        TestDatabase::fresh(Backend::Sqlite).await,
        loopback_config(),
    )
    .await;
    let monitor = source
        .client
        .create_flow_json(&json!({
            "name": "Price watch", "url": site.url("/watch"), "mode": "monitor",
            "status": "active", "webhookUrl": receiver.url(),
            "steps": [{"type": "extract", "selector": ".card",
                       "fields": {"name": ".name", "price": ".price"}}],
            "outputSchema": {"name": "string", "price": "number"},
            "monitor": {"key": "name"},
        }))
        .await
        .unwrap();
    let broken = source
        .client
        .create_flow_json(&json!({"name": "Broken", "url": site.url("/gone"), "status": "active"}))
        .await
        .unwrap();
    let mut runs = Vec::new();
    for (flow, html) in [
        (&monitor.id, None),
        (
            &monitor.id,
            Some(cards(&[("Lamp", "$12"), ("Chair", "$40")], None)),
        ),
        (&broken.id, None),
    ] {
        if let Some(html) = html {
            *page.lock().unwrap() = html;
        }
        let run = source.client.create_run(flow).await.unwrap();
        runs.push(source.wait_finished(&run.id, WAIT).await);
    }
    assert_eq!(runs[1].run.status, RunStatus::Completed);
    assert_eq!(runs[2].run.status, RunStatus::Failed);
    assert!(runs[1].run.changes.is_some(), "{:?}", runs[1].run);
    // run.completed twice, changes.detected once, each delivered.
    receiver.wait_for(3, WAIT).await;
    let png = b"\x89PNG\r\n\x1a\n not really a picture, but bytes all the same \x00\xff";
    source
        .store
        .add_screenshot(&runs[0].run.id, Some(1), "after", png)
        .await
        .unwrap();
    source
        .client
        .create_key(&NewKey {
            name: "reader".into(),
            scopes: vec![Scope::FlowsRead, Scope::RunsRead],
        })
        .await
        .unwrap();
    // Deliveries are recorded after they are sent; wait until all three are.
    for _ in 0..100 {
        let list = source
            .client
            .deliveries(&monitor.id, None, None)
            .await
            .unwrap();
        if list.data.iter().all(|d| !d.attempts.is_empty()) && list.total == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = everything(&source).await;
    source.stop().await;

    let target = TestDatabase::fresh(Backend::Postgres).await;
    let from = Store::open_existing(&source.database_url).await.unwrap();
    let to = Store::open(&target.url).await.unwrap();
    let copied = from.copy_into(&to).await.unwrap();
    let rows = |table: &str| copied.iter().find(|t| t.table == table).unwrap().rows;
    assert_eq!(rows("flows"), 2);
    assert_eq!(rows("runs"), 3);
    assert_eq!(rows("api_keys"), 2);
    assert_eq!(rows("run_screenshots"), 1);
    assert_eq!(rows("webhook_deliveries"), 3);
    assert!(rows("run_items") >= 4 && rows("run_logs") > 6, "{copied:?}");
    assert!(rows("run_changes") >= 2, "{copied:?}");

    // Into a database that holds something: refused, and nothing written.
    let again = from.copy_into(&to).await.unwrap_err().to_string();
    assert!(again.contains("already holds data"), "{again}");
    // Down to SQLite: not what migrate does, and it says so.
    let down = to.copy_into(&from).await.unwrap_err().to_string();
    assert!(
        down.contains("moves a SQLite file up to PostgreSQL"),
        "{down}"
    );
    from.close().await;
    to.close().await;

    // The old admin key opens the new server, which answers as the old one did.
    let moved = spawn_app_on_existing(target, &source.admin_key, loopback_config()).await;
    assert_eq!(moved.backend(), Backend::Postgres);
    let after = everything(&moved).await;
    assert_eq!(before.len(), after.len());
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        assert_eq!(old, new, "{path} differs after the move");
    }
    let shot = moved
        .client
        .screenshot_png(&runs[0].run.id, 1)
        .await
        .unwrap();
    assert_eq!(shot, png);

    // And it goes on: a new run is compared with the moved one, and counted.
    *page.lock().unwrap() = cards(&[("Lamp", "$12"), ("Chair", "$35")], None);
    let run = moved.client.create_run(&monitor.id).await.unwrap();
    let done = moved.wait_finished(&run.id, WAIT).await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    let changes = done.run.changes.expect("compared with the moved run");
    assert_eq!(changes.counts.changed, 1, "{changes:?}");
    let flow = moved.client.get_flow(&monitor.id).await.unwrap();
    assert_eq!(flow.total_runs, 3);
    receiver.wait_for(4, WAIT).await;
}
