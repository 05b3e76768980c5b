//! The URL policy inside the browser: what a page asks of an address the
//! server may not reach is refused and logged, and never reaches it.

use crate::common::{self, completed, flow, run, schema};
use crate::pages::card;
use scraper_tests::site::{Reply, TestServer, TestSite};
use serde_json::json;

#[tokio::test]
async fn a_page_cannot_reach_an_address_the_server_refuses() {
    // Only 127.0.0.1 is allowed to the tests' servers; 127.0.0.2 is not.
    let other = TestServer::start("127.0.0.2:0", |_| Reply::html("secret")).await;
    let page = format!(
        "<!doctype html><html><body>{}<img src=\"{img}\"><iframe src=\"{frame}\"></iframe>\
         <script>fetch('{api}').catch(() => {{}}); navigator.sendBeacon && navigator.sendBeacon('{beacon}');</script>\
         </body></html>",
        card("Lamp", "$3"),
        img = other.url("/pixel.png"),
        frame = other.url("/frame"),
        api = other.url("/api"),
        beacon = other.url("/beacon"),
    );
    let site = TestSite::pages(vec![("/", Reply::html(page))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([{"type": "wait", "networkIdle": true}, {"type": "extract"}]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    assert_eq!(other.requests(), 0, "nothing reached 127.0.0.2");
    assert_eq!(other.connections(), 0);
    let refused = done
        .logs
        .iter()
        .find(|l| l.message.contains("refused by the URL policy"))
        .unwrap_or_else(|| panic!("no refusal logged: {:#?}", done.logs));
    assert!(refused.message.contains("127.0.0.2"), "{}", refused.message);

    // A flow that starts there is refused outright.
    let there = flow_on(&app, &other.url("/")).await;
    let done = run(&app, &there).await;
    assert_eq!(
        done.run.failure_reason,
        Some(scraper_common::FailureReason::StepFailed)
    );
    assert!(
        done.run
            .error
            .unwrap()
            .contains("refused by the URL policy")
    );
    assert_eq!(other.requests(), 0);
}

async fn flow_on(app: &scraper_tests::TestApp, url: &str) -> String {
    flow(app, url, json!([{"type": "extract"}]), schema()).await
}
