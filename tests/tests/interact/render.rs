//! `render: true`: an extract flow whose pages are built by JavaScript is
//! read as the browser renders them, links and all.

use crate::common::{self, completed, items, run};
use scraper_common::{FlowInput, FlowStatus, RunStatus};
use scraper_tests::site::{Reply, TestSite};
use serde_json::json;

/// A page whose body is written by its script.
fn scripted(html: &str) -> Reply {
    let literal = serde_json::to_string(html).unwrap();
    Reply::html(format!(
        "<!doctype html><html><body><div id=\"app\"></div>\
         <script>document.getElementById('app').innerHTML = {literal};</script></body></html>"
    ))
}

fn product(n: u32) -> Reply {
    scripted(&format!(
        "<h1 class=\"name\">Product {n}</h1><span class=\"price\">${n}.99</span>"
    ))
}

#[tokio::test]
async fn a_javascript_built_site_is_crawled_as_rendered() {
    let links: String = (1..=5)
        .map(|n| format!("<a href=\"/p/{n}\">Product {n}</a> "))
        .collect();
    let site = TestSite::pages(vec![
        ("/", scripted(&links)),
        ("/p/1", product(1)),
        ("/p/2", product(2)),
        ("/p/3", product(3)),
        ("/p/4", product(4)),
        ("/p/5", product(5)),
    ])
    .await;
    let app = common::app().await;
    let flow = |render: bool| {
        let mut input = FlowInput::new(format!("render {render}"), site.url("/"));
        input.status = Some(FlowStatus::Active);
        input.steps = serde_json::from_value(json!([
            {"type": "crawl", "maxPages": 20, "render": render, "concurrency": 2},
            {"type": "extract", "pages": "/p/", "selector": "body",
             "fields": {"name": ".name", "price": ".price"}},
        ]))
        .unwrap();
        input.output_schema =
            Some(serde_json::from_value(json!({"name": "string", "price": "number"})).unwrap());
        input
    };

    // Fetched, the pages are empty shells: no links to follow, nothing to read.
    let plain = app.client.create_flow(&flow(false)).await.unwrap();
    let done = run(&app, &plain.id).await;
    assert_eq!(done.run.status, RunStatus::Failed);
    assert_eq!(done.run.pages_fetched, 1);

    let rendered = app.client.create_flow(&flow(true)).await.unwrap();
    let done = run(&app, &rendered.id).await;
    completed(&done);
    assert_eq!(done.run.pages_fetched, 6, "{:#?}", done.logs);
    let mut names: Vec<String> = items(&app, &done.run.id)
        .await
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Product 1",
            "Product 2",
            "Product 3",
            "Product 4",
            "Product 5"
        ]
    );
    assert!(
        done.logs[1].message.contains("loaded in the browser"),
        "{}",
        done.logs[1].message
    );
    common::no_browser_left(&app, common::WAIT).await;
}

#[tokio::test]
async fn a_rendered_page_is_a_navigate_step_s_too() {
    let site = TestSite::pages(vec![("/", product(7))]).await;
    let app = common::app().await;
    let mut input = FlowInput::new("one page", site.url("/"));
    input.steps = serde_json::from_value(json!([
        {"type": "navigate", "render": true},
        {"type": "extract", "selector": "body", "fields": {"name": ".name", "price": ".price"}},
    ]))
    .unwrap();
    input.output_schema =
        Some(serde_json::from_value(json!({"name": "string", "price": "number"})).unwrap());
    let flow = app.client.create_flow(&input).await.unwrap();
    let done = run(&app, &flow.id).await;
    completed(&done);
    let got = items(&app, &done.run.id).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["price"], 7.99);
}
