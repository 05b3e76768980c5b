//! Monitors: each completed run is compared with the previous one, on a site
//! the test rewrites between runs; what changed is recorded with the run,
//! paged for the run and for the flow, and old runs are pruned.

use reqwest::Method;
use scraper_common::{ChangeKind, FlowInput, FlowMode, FlowStatus, RunDetail, RunStatus};
use scraper_tests::site::{Reply, TestServer};
use scraper_tests::{TestApp, assert_error, spawn_app, spawn_app_on_loopback};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// A site of one page the test rewrites between runs.
struct Changing {
    page: Arc<Mutex<String>>,
    server: TestServer,
}

impl Changing {
    async fn start(html: String) -> Changing {
        let page = Arc::new(Mutex::new(html));
        let served = page.clone();
        let server = TestServer::start("127.0.0.1:0", move |_| {
            Reply::html(served.lock().unwrap().clone())
        })
        .await;
        Changing { page, server }
    }

    fn set(&self, html: String) {
        *self.page.lock().unwrap() = html;
    }

    fn url(&self) -> String {
        self.server.url("/watch")
    }
}

/// A product list: a card per (name, price), each linking to its page.
fn products(items: &[(&str, &str)]) -> String {
    let cards: String = items
        .iter()
        .map(|(name, price)| {
            let slug = name.to_lowercase().replace(' ', "-");
            format!(
                "<div class=\"card\"><a href=\"/p/{slug}\"><h2 class=\"name\">{name}</h2></a>\
                 <span class=\"price\">{price}</span></div>"
            )
        })
        .collect();
    format!("<html><body><h1>Shop</h1><div class=\"list\">{cards}</div></body></html>")
}

async fn monitor(app: &TestApp, url: String, extra: Value) -> String {
    let mut body = json!({
        "name": "Price watch", "url": url, "mode": "monitor", "status": "active",
        "steps": [{"type": "extract", "selector": ".card",
                   "fields": {"name": ".name", "price": ".price", "url": "a::attr(href)"}}],
        "outputSchema": {"name": "string", "price": "number", "url": "url"},
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.client.create_flow_json(&body).await.unwrap().id
}

async fn run(app: &TestApp, flow: &str) -> RunDetail {
    let run = app.client.create_run(flow).await.unwrap();
    let done = app.wait_finished(&run.id, WAIT).await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    done
}

fn logged(detail: &RunDetail, words: &str) -> bool {
    detail.logs.iter().any(|l| l.message.contains(words))
}

#[tokio::test]
async fn the_second_run_reports_exactly_what_changed() {
    let site = Changing::start(products(&[
        ("Lamp", "$40.00"),
        ("Desk", "$200.00"),
        ("Chair", "$80.00"),
        ("Mug", "$8.00"),
    ]))
    .await;
    let app = spawn_app_on_loopback().await;
    let flow = monitor(&app, site.url(), json!({})).await;

    let first = run(&app, &flow).await;
    let changes = first
        .run
        .changes
        .clone()
        .expect("a monitor run has changes");
    assert!(changes.counts.baseline, "{changes:?}");
    assert!(!changes.counts.any(), "a baseline is never all added");
    assert!(logged(&first, "first completed run"), "{:#?}", first.logs);

    // Two prices move, the mug goes, a rug comes; the lamp stays as it was.
    site.set(products(&[
        ("Lamp", "$40.00"),
        ("Desk", "$180.00"),
        ("Chair", "$88.00"),
        ("Rug", "$120.00"),
    ]));
    let second = run(&app, &flow).await;
    let changes = second.run.changes.clone().unwrap();
    let c = &changes.counts;
    assert!(!c.baseline);
    assert_eq!(
        (c.added, c.removed, c.changed, c.unchanged),
        (1, 1, 2, 1),
        "{changes:#?}"
    );
    assert!(c.notified, "notifyOn defaults to any change");
    assert!(logged(&second, "1 added, 1 removed, 2 field(s) changed"));

    // The run read alone carries the changes themselves.
    let added = changes.added.as_ref().unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["name"], "Rug");
    assert_eq!(changes.removed.as_ref().unwrap()[0]["name"], "Mug");
    let changed = changes.changed.as_ref().unwrap();
    let desk = changed.iter().find(|c| c.key.contains("desk")).unwrap();
    assert_eq!(
        (desk.field.as_str(), &desk.old, &desk.new),
        ("price", &json!(200.0), &json!(180.0))
    );
    assert_eq!(desk.delta, Some(-20.0));
    assert_eq!(desk.delta_percent, Some(-10.0));
    let chair = changed.iter().find(|c| c.key.contains("chair")).unwrap();
    assert_eq!(chair.delta_percent, Some(10.0));

    // Lists carry the counts only.
    let listed = app
        .client
        .list_runs(&scraper_common::RunFilter {
            flow_id: Some(flow.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let in_list = listed.data[0].changes.clone().unwrap();
    assert_eq!(in_list.counts, changes.counts);
    assert_eq!(in_list.added, None);

    // The run's changes, paged and filtered; the flow's history, newest first.
    let all = app
        .client
        .run_changes(&second.run.id, None, None, None)
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    let kinds: Vec<ChangeKind> = all.data.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == ChangeKind::Changed).count(),
        2
    );
    assert!(all.data.iter().all(|e| e.run_id == second.run.id));
    let page = app
        .client
        .run_changes(&second.run.id, None, Some(2), Some(3))
        .await
        .unwrap();
    assert_eq!((page.data.len(), page.total), (1, 4));
    assert_eq!(page.data[0], all.data[3]);
    let removed = app
        .client
        .run_changes(&second.run.id, Some(ChangeKind::Removed), None, None)
        .await
        .unwrap();
    assert_eq!(removed.total, 1);
    assert_eq!(removed.data[0].item.as_ref().unwrap()["name"], "Mug");

    site.set(products(&[
        ("Lamp", "$35.00"),
        ("Desk", "$180.00"),
        ("Chair", "$88.00"),
        ("Rug", "$120.00"),
    ]));
    let third = run(&app, &flow).await;
    let history = app
        .client
        .flow_changes(&flow, None, None, None)
        .await
        .unwrap();
    assert_eq!(history.total, 5);
    assert_eq!(history.data[0].run_id, third.run.id, "newest run first");
    assert_eq!(history.data[0].field.as_deref(), Some("price"));
    assert!(history.data[1..].iter().all(|e| e.run_id == second.run.id));

    // An extract flow's runs have no changes; unknown ids and kinds are refused.
    let got = app
        .send(app.raw(
            Method::GET,
            &format!("/runs/{}/changes?kind=moved", second.run.id),
        ))
        .await;
    assert_error(&got, 400, "bad_request", &["kind", "moved"]);
    let got = app.send(app.raw(Method::GET, "/runs/run-0/changes")).await;
    assert_error(&got, 404, "not_found", &["run-0"]);
    let got = app
        .send(app.raw(Method::GET, "/flows/flow-0/changes"))
        .await;
    assert_error(&got, 404, "not_found", &["flow-0"]);
}

/// A page of text with a clock on it: the clock is ignored, a new line is not.
fn status_page(clock: &str, lines: &[&str]) -> String {
    let body: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
    format!(
        "<html><body><nav>Home</nav><main><h1>Widget</h1><p>Updated at {clock}</p>{body}\
         <p>   Price:   $10   </p></main><footer>(c) shop</footer></body></html>"
    )
}

#[tokio::test]
async fn a_text_monitor_ignores_what_it_is_told_to_and_sees_the_rest() {
    let site = Changing::start(status_page("10:00:01", &["Out of stock"])).await;
    let app = spawn_app_on_loopback().await;
    let flow = app
        .client
        .create_flow_json(&json!({
            "name": "Stock watch", "url": site.url(), "mode": "monitor", "status": "active",
            "monitor": {"ignore": [r"Updated at \d+:\d+:\d+"], "notifyOn": {"textContains": "In stock"}},
        }))
        .await
        .unwrap();
    let first = run(&app, &flow.id).await;
    assert!(first.run.changes.as_ref().unwrap().counts.baseline);
    let items = app
        .client
        .run_items(&first.run.id, None, None)
        .await
        .unwrap();
    assert_eq!(items.data.len(), 1);
    assert_eq!(items.data[0]["url"], site.url());
    assert_eq!(
        items.data[0]["text"], "Widget\nUpdated at 10:00:01\nOut of stock\nPrice: $10",
        "the main content, a block a line, whitespace collapsed"
    );

    // Only the clock and whitespace move: nothing changed.
    site.set(status_page("10:05:42", &["Out  of\n stock"]));
    let second = run(&app, &flow.id).await;
    let counts = &second.run.changes.as_ref().unwrap().counts;
    assert!(!counts.any(), "{counts:?}");
    assert!(logged(&second, "none since the previous completed run"));

    // A line that says something new.
    site.set(status_page("10:10:00", &["In stock", "Ships in 2 days"]));
    let third = run(&app, &flow.id).await;
    let changes = third.run.changes.clone().unwrap();
    assert_eq!(
        (
            changes.counts.text_changed,
            changes.counts.lines_added,
            changes.counts.lines_removed
        ),
        (1, 2, 1)
    );
    assert!(
        changes.counts.notified,
        "textContains matched an added line"
    );
    let text = &changes.text.as_ref().unwrap()[0];
    assert_eq!(text.key, site.url());
    assert_eq!(text.lines_added, ["In stock", "Ships in 2 days"]);
    assert_eq!(text.lines_removed, ["Out of stock"]);
    assert!(
        text.diff.contains("-Out of stock\n+In stock"),
        "{}",
        text.diff
    );
    assert!(
        !text.diff.contains("Updated at"),
        "ignored text stays out of the diff"
    );

    // A selector narrows what is watched.
    let narrow = app
        .client
        .create_flow_json(&json!({
            "name": "Price only", "url": site.url(), "mode": "monitor",
            "monitor": {"selector": "main p:last-child"},
        }))
        .await
        .unwrap();
    let done = run(&app, &narrow.id).await;
    let items = app
        .client
        .run_items(&done.run.id, None, None)
        .await
        .unwrap();
    assert_eq!(items.data[0]["text"], "Price: $10");
}

#[tokio::test]
async fn old_runs_lose_their_items_and_logs_but_keep_their_changes() {
    let site = Changing::start(products(&[("Lamp", "$1")])).await;
    let app = spawn_app_on_loopback().await;
    let flow = monitor(&app, site.url(), json!({"monitor": {"keepRuns": 2}})).await;
    let mut runs = Vec::new();
    for price in ["$1", "$2", "$3", "$4"] {
        site.set(products(&[("Lamp", price)]));
        runs.push(run(&app, &flow).await.run.id);
    }
    for (i, id) in runs.iter().enumerate() {
        let detail = app.client.get_run(id).await.unwrap();
        let items = app.client.run_items(id, None, None).await.unwrap();
        if i < 2 {
            assert!(detail.run.pruned_at.is_some(), "run {i} is beyond keepRuns");
            assert_eq!(items.data.len(), 0, "run {i}'s items are gone");
            assert!(detail.logs.is_empty(), "run {i}'s logs are gone");
            assert_eq!(detail.run.items_extracted, 1, "its figures stay");
        } else {
            assert_eq!(detail.run.pruned_at, None, "run {i} is kept");
            assert_eq!(items.data.len(), 1);
        }
    }
    // The timeline is whole: three price changes, the first of them in a pruned run.
    let history = app
        .client
        .flow_changes(&flow, None, None, None)
        .await
        .unwrap();
    assert_eq!(history.total, 3);
    assert_eq!(history.data[2].run_id, runs[1]);
    assert_eq!(history.data[2].new, Some(json!(2.0)));
}

#[tokio::test]
async fn monitor_settings_are_checked_when_saved() {
    let app = spawn_app().await;
    let base = json!({
        "name": "m", "url": "https://example.com/", "mode": "monitor",
        "outputSchema": {"name": "string", "price": "number"},
    });
    for (extra, words) in [
        (
            json!({"mode": "extract", "monitor": {}}),
            vec!["monitor", "mode", "extract"],
        ),
        (
            json!({"monitor": {"ignore": ["(unclosed"]}}),
            vec!["monitor.ignore[0]", "(unclosed"],
        ),
        (
            json!({"monitor": {"key": "sku"}}),
            vec!["monitor.key", "sku", "name, price"],
        ),
        (
            json!({"monitor": {"key": 3}}),
            vec!["monitor.key", "field name"],
        ),
        (
            json!({"monitor": {"notifyOn": "sometimes"}}),
            vec!["monitor.notifyOn", "sometimes", "any"],
        ),
        (
            json!({"monitor": {"notifyOn": {"field": "price", "op": "lt"}}}),
            vec!["monitor.notifyOn", "value"],
        ),
        (
            json!({"monitor": {"notifyOn": [{"field": "stock", "dropPercent": 10}]}}),
            vec!["monitor.notifyOn", "stock"],
        ),
        (
            json!({"monitor": {"notifyOn": {"field": "price", "op": "gt", "value": "cheap"}}}),
            vec!["monitor.notifyOn", "numbers"],
        ),
        (
            json!({"monitor": {"keepRuns": 0}}),
            vec!["monitor.keepRuns"],
        ),
        (
            json!({"monitor": {"selector": ".price"}}),
            vec!["monitor.selector", "outputSchema"],
        ),
        (
            json!({"monitor": {"colour": "red"}}),
            vec!["monitor", "colour"],
        ),
    ] {
        let mut body = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let got = app.send(app.raw(Method::POST, "/flows").json(&body)).await;
        assert_error(&got, 422, "validation_failed", &words);
    }
    assert_eq!(
        app.client
            .list_flows(&Default::default())
            .await
            .unwrap()
            .total,
        0
    );

    // What is accepted reads back as given (one key field as a name, not a
    // list of one), and a read sent back is accepted.
    let mut body = base.clone();
    body["monitor"] = json!({
        "key": "name", "ignore": ["\\d+ viewing"], "keepRuns": 10,
        "notifyOn": [{"field": "price", "dropPercent": 12.5}, "added", {"fields": ["price"]}],
    });
    let flow = app.client.create_flow_json(&body).await.unwrap();
    let read = serde_json::to_value(app.client.get_flow(&flow.id).await.unwrap()).unwrap();
    assert_eq!(read["monitor"], body["monitor"]);
    let (status, _) = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{}", flow.id))
                .json(&read),
        )
        .await;
    assert_eq!(status, 200);
    let mut input = FlowInput::new("text", "https://example.com/");
    input.mode = FlowMode::Monitor;
    input.status = Some(FlowStatus::Paused);
    assert!(
        app.client.create_flow(&input).await.is_ok(),
        "a text monitor needs no settings"
    );
}
