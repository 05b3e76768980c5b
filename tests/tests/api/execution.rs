//! Runs that really run: the server's workers fetch pages that the tests
//! serve on 127.0.0.1, extract, store, log, and end honestly.

use reqwest::Method;
use scraper_common::{FlowInput, FlowStatus, RunStatus};
use scraper_server::Config;
use scraper_server::engine::EngineConfig;
use scraper_tests::site::{Reply, TestSite, cards, closed_port};
use scraper_tests::{
    TestApp, assert_error, spawn_app_on_loopback, spawn_app_with, spawn_app_with_fetch_timeout,
};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn flow(app: &TestApp, url: String, steps: Value) -> String {
    let mut input = FlowInput::new("shop", url);
    input.steps = serde_json::from_value(steps).unwrap();
    input.output_schema =
        Some(serde_json::from_value(json!({"name": "string", "price": "number"})).unwrap());
    input.status = Some(FlowStatus::Active);
    app.client.create_flow(&input).await.unwrap().id
}

#[tokio::test]
async fn a_run_fetches_extracts_and_completes() {
    let page = cards(
        &[
            ("Lamp", "$10.00"),
            ("Desk, oak", "$1,299.50"),
            ("Mug \"big\"", "$4"),
        ],
        None,
    );
    let site = TestSite::pages(vec![("/shop", Reply::html(page))]).await;
    let app = spawn_app_on_loopback().await;
    let flow_id = flow(
        &app,
        site.url("/shop"),
        json!([{"type": "navigate"}, {"type": "extract", "label": "cards"}]),
    )
    .await;
    let run = app.client.create_run(&flow_id).await.unwrap();
    let done = app.wait_finished(&run.id, WAIT).await;
    let r = &done.run;
    assert_eq!(r.status, RunStatus::Completed, "{:#?}", done.logs);
    assert_eq!(
        (r.pages_fetched, r.pages_failed, r.items_extracted),
        (1, 0, 3)
    );
    assert!(r.bytes_downloaded > 100);
    assert!(r.duration.is_some() && r.finished_at.is_some());
    assert_eq!(r.cost, 0.0001, "one page at the default $0.0001 a page");
    assert_eq!(r.failure_reason, None);
    assert_eq!(done.output_preview.len(), 3);
    assert_eq!(
        done.output_preview[1],
        json!({"name": "Desk, oak", "price": 1299.5})
            .as_object()
            .unwrap()
            .clone()
    );
    let messages: Vec<&str> = done.logs.iter().map(|l| l.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.starts_with("Run started")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Summary: 1 pages fetched, 0 failed, 3 items")),
        "{messages:?}"
    );
    let seqs: Vec<u64> = done.logs.iter().map(|l| l.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());

    let f = app.client.get_flow(&flow_id).await.unwrap();
    assert_eq!((f.total_runs, f.success_rate), (1, 100.0));

    // The data set in three formats.
    let (status, json_items) = app
        .send(app.raw(Method::GET, &format!("/runs/{}/items", run.id)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(json_items["total"], 3);
    assert_eq!(
        json_items["data"][2],
        json!({"name": "Mug \"big\"", "price": 4.0})
    );
    let text = |format: &'static str| {
        let req = app.raw(
            Method::GET,
            &format!("/runs/{}/items?format={format}", run.id),
        );
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let ndjson = text("ndjson").await;
    assert_eq!(ndjson.lines().count(), 3);
    assert_eq!(
        serde_json::from_str::<Value>(ndjson.lines().next().unwrap()).unwrap(),
        json!({"name": "Lamp", "price": 10.0})
    );
    let csv = text("csv").await;
    assert_eq!(
        csv,
        "name,price\r\nLamp,10.0\r\n\"Desk, oak\",1299.5\r\n\"Mug \"\"big\"\"\",4.0\r\n"
    );
    let (_, page) = app
        .send(app.raw(
            Method::GET,
            &format!("/runs/{}/items?limit=1&offset=1", run.id),
        ))
        .await;
    assert_eq!(
        page["data"],
        json!([{"name": "Desk, oak", "price": 1299.5}])
    );
    assert_eq!(page["total"], 3);
    let bad = app
        .send(app.raw(Method::GET, &format!("/runs/{}/items?format=xml", run.id)))
        .await;
    assert_error(&bad, 400, "bad_request", &["format"]);

    // Logs after a sequence number.
    let (_, later) = app
        .send(app.raw(Method::GET, &format!("/runs/{}/logs?after=2", run.id)))
        .await;
    assert_eq!(later["data"][0]["seq"], 3);
    assert_eq!(
        later["total"].as_u64().unwrap() as usize,
        done.logs.len() - 2
    );
}

#[tokio::test]
async fn paginate_follows_next_links_up_to_its_limit() {
    let site = TestSite::pages(vec![
        (
            "/p1",
            Reply::html(cards(&[("A", "$1"), ("B", "$2")], Some("/p2"))),
        ),
        (
            "/p2",
            Reply::html(cards(&[("C", "$3"), ("D", "$4")], Some("p3"))),
        ),
        (
            "/p3",
            Reply::html(cards(&[("E", "$5"), ("F", "$6")], Some("/p1"))),
        ),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    let two = flow(
        &app,
        site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next", "maxPages": 2}]),
    )
    .await;
    let done = app
        .wait_finished(&app.client.create_run(&two).await.unwrap().id, WAIT)
        .await;
    assert_eq!(done.run.status, RunStatus::Completed);
    assert_eq!((done.run.pages_fetched, done.run.items_extracted), (2, 4));

    // Without a limit it stops at the loop back to /p1.
    let all = flow(
        &app,
        site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next"}]),
    )
    .await;
    let done = app
        .wait_finished(&app.client.create_run(&all).await.unwrap().id, WAIT)
        .await;
    assert_eq!((done.run.pages_fetched, done.run.items_extracted), (3, 6));
    assert_eq!(site.hits(), 5);
}

#[tokio::test]
async fn a_layout_change_fails_the_run_and_the_flow_recovers() {
    let site = TestSite::pages(vec![
        (
            "/new-layout",
            Reply::html("<html><body><p>We moved things around.</p></body></html>"),
        ),
        ("/shop", Reply::html(cards(&[("Lamp", "$10")], None))),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    let flow_id = flow(&app, site.url("/new-layout"), json!([])).await;
    let done = app
        .wait_finished(&app.client.create_run(&flow_id).await.unwrap().id, WAIT)
        .await;
    assert_eq!(done.run.status, RunStatus::Failed);
    assert_eq!(
        done.run
            .failure_reason
            .map(scraper_common::FailureReason::as_str),
        Some("empty_extraction")
    );
    assert!(done.run.error.as_deref().unwrap().contains("no items"));
    assert_eq!(done.run.pages_fetched, 1);
    assert_eq!(
        app.client.get_flow(&flow_id).await.unwrap().status,
        FlowStatus::Error
    );

    app.client
        .update_flow(&flow_id, &json!({"url": site.url("/shop")}))
        .await
        .unwrap();
    let done = app
        .wait_finished(&app.client.create_run(&flow_id).await.unwrap().id, WAIT)
        .await;
    assert_eq!(done.run.status, RunStatus::Completed);
    let f = app.client.get_flow(&flow_id).await.unwrap();
    assert_eq!(
        f.status,
        FlowStatus::Active,
        "a completed run makes an erroring flow active again"
    );
    assert_eq!(f.success_rate, 50.0);
}

#[tokio::test]
async fn unreachable_refused_and_slow_sites_fail_with_their_reason() {
    let closed = closed_port();
    let site = TestSite::pages(vec![
        (
            "/slow",
            Reply::html(cards(&[("A", "$1")], None)).slow(Duration::from_secs(5)),
        ),
        ("/gone", Reply::status(404)),
    ])
    .await;
    let app = spawn_app_with_fetch_timeout(Duration::from_millis(500)).await;
    let cases = [
        (
            format!("http://127.0.0.1:{closed}/"),
            "unreachable",
            format!("127.0.0.1:{closed}"),
        ),
        (
            format!("http://127.0.0.2:{}/", site.addr.port()),
            "blocked",
            "127.0.0.2".to_string(),
        ),
        (site.url("/slow"), "timeout", "/slow".to_string()),
        (site.url("/gone"), "unreachable", "404".to_string()),
    ];
    for (url, reason, words) in cases {
        let flow_id = flow(&app, url.clone(), json!([])).await;
        let done = app
            .wait_finished(&app.client.create_run(&flow_id).await.unwrap().id, WAIT)
            .await;
        assert_eq!(done.run.status, RunStatus::Failed, "{url}");
        assert_eq!(
            done.run
                .failure_reason
                .map(scraper_common::FailureReason::as_str),
            Some(reason),
            "{url}: {:?}",
            done.run.error
        );
        assert!(
            done.run.error.as_deref().unwrap().contains(&words),
            "{url}: {:?}",
            done.run.error
        );
        assert!(
            done.logs
                .iter()
                .any(|l| l.level == scraper_common::LogLevel::Warn && l.message.contains(&url)),
            "the failed page is logged with its URL: {:#?}",
            done.logs
        );
    }
}

#[tokio::test]
async fn browser_steps_belong_to_interact_flows_and_settings_are_checked_when_saved() {
    let site = TestSite::pages(vec![("/", Reply::html(cards(&[("A", "$1")], None)))]).await;
    let app = spawn_app_on_loopback().await;
    // A browser step in an extract flow is refused when the flow is saved.
    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "x", "url": site.url("/"), "steps": [{"type": "click"}]
        })))
        .await;
    assert_error(
        &got,
        422,
        "validation_failed",
        &["steps[0]", "click", "interact"],
    );
    assert_eq!(site.hits(), 0);
    // Settings are checked when the flow is saved, naming the step.
    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "x", "url": site.url("/"), "steps": [{"type": "paginate", "nextSelectr": "a"}]
        })))
        .await;
    assert_error(&got, 422, "validation_failed", &["steps[0]", "nextSelectr"]);
}

#[tokio::test]
async fn cancel_stops_a_running_run_within_two_seconds() {
    let site = TestSite::pages(vec![(
        "/slow",
        Reply::html(cards(&[("A", "$1")], None)).slow(Duration::from_secs(10)),
    )])
    .await;
    let app = spawn_app_on_loopback().await;
    let flow_id = flow(&app, site.url("/slow"), json!([])).await;
    let run = app.client.create_run(&flow_id).await.unwrap();
    app.wait_running(&run.id).await;
    let (status, body) = app
        .send(app.raw(Method::POST, &format!("/runs/{}/cancel", run.id)))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["status"], "cancelled");
    let done = app.wait_finished(&run.id, Duration::from_secs(2)).await;
    assert_eq!(done.run.status, RunStatus::Cancelled);
    // The worker is free again: the next run starts at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.client.get_run(&run.id).await.unwrap().run.status,
        RunStatus::Cancelled,
        "nothing overwrote it"
    );

    let again = app
        .send(app.raw(Method::POST, &format!("/runs/{}/cancel", run.id)))
        .await;
    assert_error(&again, 409, "conflict", &["cancelled"]);
    let unknown = app
        .send(app.raw(Method::POST, "/runs/run-404/cancel"))
        .await;
    assert_error(&unknown, 404, "not_found", &["run-404"]);
}

#[tokio::test]
async fn an_api_only_node_queues_cancels_and_limits_the_queue() {
    let app = spawn_app_with(Config {
        engine: EngineConfig {
            workers: 0,
            max_queued: 2,
            ..scraper_tests::test_engine()
        },
        ..Config::default()
    })
    .await;
    let f = app
        .client
        .create_flow(&FlowInput::new("f", "https://example.com/"))
        .await
        .unwrap();
    let first = app.client.create_run(&f.id).await.unwrap();
    app.client.create_run(&f.id).await.unwrap();
    let full = app
        .send(
            app.raw(Method::POST, "/runs")
                .json(&json!({"flowId": f.id})),
        )
        .await;
    assert_error(&full, 429, "queue_full", &["2"]);

    let cancelled = app
        .send(app.raw(Method::POST, &format!("/runs/{}/cancel", first.id)))
        .await;
    assert_eq!(cancelled.0, 200);
    assert_eq!(
        app.client.get_run(&first.id).await.unwrap().run.status,
        RunStatus::Cancelled
    );
    // A place in the queue is free again.
    app.client.create_run(&f.id).await.unwrap();
}

#[tokio::test]
async fn the_log_stream_tails_a_run_live_and_resumes() {
    let site = TestSite::slow_shop(3, Duration::from_millis(400)).await;
    let app = spawn_app_on_loopback().await;
    let flow_id = flow(
        &app,
        site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next"}]),
    )
    .await;
    let run = app.client.create_run(&flow_id).await.unwrap();

    let events = read_sse(&app, &run.id, None).await;
    let (last_kind, last_data) = events.last().unwrap().clone();
    assert_eq!(last_kind, "end");
    assert_eq!(
        serde_json::from_str::<Value>(&last_data).unwrap()["status"],
        "completed"
    );
    let logs: Vec<Value> = events
        .iter()
        .filter(|(kind, _)| kind == "log")
        .map(|(_, data)| serde_json::from_str(data).unwrap())
        .collect();
    let seqs: Vec<u64> = logs.iter().map(|l| l["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every line, in order"
    );
    assert!(
        logs.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("Run completed")
    );
    assert!(
        logs.iter()
            .any(|l| l["message"].as_str().unwrap().starts_with("Summary"))
    );

    // Last-Event-ID resumes after the line it names.
    let resumed = read_sse(&app, &run.id, Some(2)).await;
    let first = &resumed[0];
    assert_eq!(serde_json::from_str::<Value>(&first.1).unwrap()["seq"], 3);
    assert_eq!(resumed.len(), events.len() - 2);
}

/// Reads a run's SSE stream to its end: (event, data) pairs.
async fn read_sse(
    app: &TestApp,
    run_id: &str,
    last_event_id: Option<u64>,
) -> Vec<(String, String)> {
    use futures_util::StreamExt;
    let mut request = app.raw(Method::GET, &format!("/runs/{run_id}/logs/stream"));
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while let Ok(Some(chunk)) = tokio::time::timeout_at(deadline, body.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    text.split("\n\n")
        .filter_map(|block| {
            let mut kind = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    kind = Some(v.trim().to_string());
                }
                if let Some(v) = line.strip_prefix("data:") {
                    data = Some(v.trim_start().to_string());
                }
            }
            Some((kind?, data?))
        })
        .collect()
}

#[tokio::test]
async fn a_server_stopping_mid_run_fails_it_as_worker_lost_and_keeps_the_rest() {
    let site = TestSite::pages(vec![
        (
            "/p1",
            Reply::html(cards(&[("A", "$1"), ("B", "$2")], Some("/p2"))),
        ),
        (
            "/p2",
            Reply::html(cards(&[("C", "$3")], None)).slow(Duration::from_secs(30)),
        ),
    ])
    .await;
    let mut app = spawn_app_on_loopback().await;
    let flow_id = flow(
        &app,
        site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next"}]),
    )
    .await;
    let one_page = flow(&app, site.url("/p1"), json!([])).await;
    let done_before = app.client.create_run(&one_page).await.unwrap();
    app.wait_finished(&done_before.id, WAIT).await;
    let run = app.client.create_run(&flow_id).await.unwrap();
    app.wait_running(&run.id).await;
    // Wait for the first page's items to be stored.
    while app.store.item_count(&run.id).await.unwrap() < 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;

    let lost = app.store.run(&run.id).await.unwrap().unwrap();
    assert_eq!(lost.status, RunStatus::Failed);
    assert_eq!(
        lost.failure_reason
            .map(scraper_common::FailureReason::as_str),
        Some("worker_lost")
    );
    assert_eq!(
        app.store.item_count(&run.id).await.unwrap(),
        2,
        "items stored are kept"
    );
    let earlier = app.store.run(&done_before.id).await.unwrap().unwrap();
    assert_eq!(earlier.status, RunStatus::Completed, "nothing else changed");
    assert_eq!(app.store.item_count(&done_before.id).await.unwrap(), 2);
}

/// The generated shop crawled through the API: every product, nothing from
/// the robots-disallowed /private/ section, nothing twice.
#[tokio::test]
async fn a_crawl_of_the_bench_shop_finds_exactly_its_products() {
    let shop = scraper_tests::bench_site::generate(300);
    let site = TestSite::dir(shop.www()).await;
    let app = spawn_app_on_loopback().await;
    let mut input = FlowInput::new("bench shop", site.url("/"));
    input.steps = serde_json::from_value(json!([
        {"type": "crawl", "maxPages": 400, "concurrency": 8},
        {"type": "extract", "pages": "/product/"}
    ]))
    .unwrap();
    input.output_schema = Some(
        serde_json::from_value(json!({"name": "string", "price": "number", "url": "url"})).unwrap(),
    );
    let flow = app.client.create_flow(&input).await.unwrap();
    let run = app.client.create_run(&flow.id).await.unwrap();
    let done = app.wait_finished(&run.id, Duration::from_secs(60)).await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    assert_eq!(done.run.pages_fetched, 300, "every page of the site, once");

    let (_, items) = app
        .send(app.raw(Method::GET, &format!("/runs/{}/items", run.id)))
        .await;
    let base = format!("http://{}", site.addr);
    let key = |name: &str, price: f64, path: &str| {
        (
            path.to_string(),
            name.to_string(),
            (price * 100.0).round() as i64,
        )
    };
    let got: Vec<_> = items["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            key(
                i["name"].as_str().unwrap(),
                i["price"].as_f64().unwrap(),
                i["url"].as_str().unwrap().trim_start_matches(&base),
            )
        })
        .collect();
    let want: std::collections::BTreeSet<_> = shop
        .products
        .iter()
        .map(|p| key(&p.name, p.price, &p.path))
        .collect();
    let unique: std::collections::BTreeSet<_> = got.iter().cloned().collect();
    assert_eq!(unique.len(), got.len(), "no product twice");
    assert_eq!(unique, want, "exactly the products");
    assert!(
        got.iter()
            .all(|(path, _, _)| !path.starts_with("/private/")),
        "robots.txt honoured"
    );
    let messages = done
        .logs
        .iter()
        .map(|l| l.message.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(messages.contains("Crawl finished"), "{messages}");
    assert!(messages.contains("disallowed by robots.txt"), "{messages}");
}

#[tokio::test]
async fn a_crawl_refuses_private_targets_and_stops_when_cancelled() {
    let mut pages = vec![];
    let links: String = (0..200)
        .map(|i| format!("<a href=\"/p{i}\">p{i}</a>"))
        .collect();
    pages.push((
        "/".to_string(),
        Reply::html(format!("<html><body>{links}</body></html>")),
    ));
    for i in 0..200 {
        pages.push((format!("/p{i}"), Reply::html(cards(&[("A", "$1")], None))));
    }
    let site = TestSite::pages(
        pages
            .iter()
            .map(|(p, page)| (p.as_str(), page.clone()))
            .collect(),
    )
    .await;
    let steps = json!([{"type": "crawl", "maxPages": 500, "concurrency": 1, "delayMs": 50}]);

    // With the policy on (no --allow-private-networks), 127.0.0.1 is refused.
    let strict = spawn_app_with(Config {
        engine: scraper_tests::test_engine(),
        ..Config::default()
    })
    .await;
    let flow_id = flow(&strict, site.url("/"), steps.clone()).await;
    let done = strict
        .wait_finished(&strict.client.create_run(&flow_id).await.unwrap().id, WAIT)
        .await;
    assert_eq!(
        done.run
            .failure_reason
            .map(scraper_common::FailureReason::as_str),
        Some("blocked"),
        "{:?}",
        done.run.error
    );
    assert!(
        done.run
            .error
            .as_deref()
            .unwrap()
            .contains("--allow-private-networks")
    );
    assert_eq!(site.hits(), 0, "nothing reached the site");

    // Cancelled mid-crawl: no more requests reach the site.
    let app = spawn_app_on_loopback().await;
    let flow_id = flow(&app, site.url("/"), steps).await;
    let run = app.client.create_run(&flow_id).await.unwrap();
    while site.hits() < 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.client
        .request(Method::POST, app.client.url(&["runs", &run.id, "cancel"]))
        .send()
        .await
        .unwrap();
    let done = app.wait_finished(&run.id, Duration::from_secs(2)).await;
    assert_eq!(done.run.status, RunStatus::Cancelled);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_cancel = site.hits();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(site.hits(), after_cancel, "the crawl really stopped");
    assert!(
        after_cancel < 100,
        "it stopped early ({after_cancel} requests)"
    );
}

/// Crawl settings through the API: hop depth, include/exclude and maxPages.
#[tokio::test]
async fn crawl_settings_shape_what_is_fetched() {
    let page = |name: &str, links: &[&str]| {
        let links: String = links
            .iter()
            .map(|l| format!("<a href=\"{l}\">{l}</a>"))
            .collect();
        Reply::html(format!(
            "<html><body><div class=\"card\"><h2 class=\"name\">{name}</h2><span class=\"price\">$1</span></div>\
             <div class=\"card\"><h2 class=\"name\">{name} 2</h2><span class=\"price\">$2</span></div>{links}</body></html>"
        ))
    };
    let site = TestSite::pages(vec![
        ("/a", page("a", &["/b", "/skip/1"])),
        ("/b", page("b", &["/c"])),
        ("/c", page("c", &["/d"])),
        ("/d", page("d", &[])),
        ("/skip/1", page("skip", &[])),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    let names = |done: &scraper_common::RunDetail| -> Vec<String> {
        let mut names: Vec<String> = done
            .output_preview
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .filter(|n| !n.ends_with(" 2"))
            .collect();
        names.sort();
        names
    };
    let run = |steps: Value| {
        let app = &app;
        let url = site.url("/a");
        async move {
            let flow_id = flow(app, url, steps).await;
            app.wait_finished(&app.client.create_run(&flow_id).await.unwrap().id, WAIT)
                .await
        }
    };

    let deep = run(json!([{"type": "crawl", "maxDepth": 2, "exclude": ["/skip/"]}])).await;
    assert_eq!(deep.run.status, RunStatus::Completed, "{:#?}", deep.logs);
    assert_eq!(
        names(&deep),
        ["a", "b", "c"],
        "two hops from /a, /skip/ excluded"
    );
    assert_eq!(deep.run.pages_fetched, 3);

    let only = run(json!([{"type": "crawl", "include": ["/(a|skip/)"]}])).await;
    assert_eq!(
        names(&only),
        ["a", "skip"],
        "include keeps matching links only"
    );

    let capped = run(json!([{"type": "crawl", "maxPages": 2, "exclude": ["/skip/"]}])).await;
    assert_eq!(capped.run.pages_fetched, 2);
    assert_eq!(names(&capped), ["a", "b"]);

    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "x", "url": site.url("/a"), "steps": [{"type": "crawl", "maxPages": "ten"}]
        })))
        .await;
    assert_error(&got, 422, "validation_failed", &["steps[0]", "maxPages"]);
}

/// With only 127.0.0.2 allowed, a crawl there never reaches 127.0.0.1: not
/// by a link, not by a redirect.
#[tokio::test]
async fn a_crawl_never_follows_into_a_refused_address() {
    let refused = TestSite::pages(vec![("/x", Reply::html(cards(&[("X", "$9")], None)))]).await;
    let target = refused.url("/x");
    let allowed = TestSite::pages_on(
        "127.0.0.2",
        vec![
            (
                "/",
                Reply::html(format!(
                    "<html><body>{}<a href=\"{target}\">out</a><a href=\"/jump\">jump</a></body></html>",
                    cards(&[("A", "$1")], None)
                )),
            ),
            ("/jump", Reply::redirect(&target)),
        ],
    )
    .await;
    let app = spawn_app_with(Config {
        private_networks: "127.0.0.2/32".parse().unwrap(),
        engine: scraper_tests::test_engine(),
        ..Config::default()
    })
    .await;
    let flow_id = flow(
        &app,
        allowed.url("/"),
        json!([{"type": "crawl", "respectRobots": false}]),
    )
    .await;
    let done = app
        .wait_finished(&app.client.create_run(&flow_id).await.unwrap().id, WAIT)
        .await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    assert_eq!(done.run.pages_fetched, 1);
    assert_eq!(done.run.pages_failed, 1, "the redirect is a failed page");
    assert!(
        done.logs.iter().any(|l| l.message.contains("/jump")
            && l.message.contains("refused")
            && l.message.contains("--allow-private-networks 127.0.0.2/32")),
        "the refused redirect is logged with the policy's reason: {:#?}",
        done.logs
    );
    assert_eq!(refused.hits(), 0, "nothing reached 127.0.0.1");
}

/// Deleting a flow deletes its runs, a running one too: the worker stops at
/// once and takes the next run, and nothing of the deleted run comes back.
#[tokio::test]
async fn deleting_a_flow_mid_run_stops_its_run_and_frees_the_worker() {
    let site = TestSite::slow_shop(20, Duration::from_millis(300)).await;
    let app = spawn_app_with(Config {
        engine: EngineConfig {
            workers: 1,
            ..scraper_tests::test_engine()
        },
        ..scraper_tests::loopback_config()
    })
    .await;
    let doomed = flow(
        &app,
        site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next"}]),
    )
    .await;
    let run = app.client.create_run(&doomed).await.unwrap();
    app.wait_running(&run.id).await;
    app.client.delete_flow(&doomed).await.unwrap();

    let quick = TestSite::pages(vec![("/shop", Reply::html(cards(&[("Lamp", "$1")], None)))]).await;
    let next = flow(&app, quick.url("/shop"), json!([])).await;
    let next_run = app.client.create_run(&next).await.unwrap();
    let done = app.wait_finished(&next_run.id, WAIT).await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    let (status, _) = app
        .send(app.raw(Method::GET, &format!("/runs/{}", run.id)))
        .await;
    assert_eq!(status, 404, "the deleted run stays deleted");
    let hits = site.hits();
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(site.hits(), hits, "the deleted run fetches no more pages");
}
