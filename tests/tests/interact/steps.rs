//! Steps against pages that need a browser; what each run logs; a failing
//! step's screenshot; cancel, a crashed browser, and no process left over.

use crate::common::{self, WAIT, completed, flow, items, no_browser_left, run, schema};
use crate::pages;
use reqwest::Method;
use scraper_common::{FailureReason, RunStatus};
use scraper_server::interact::BrowserConfig;
use scraper_server::interact::browser::processes_under;
use scraper_tests::site::{Reply, TestSite};
use scraper_tests::{assert_error, spawn_app_with};
use serde_json::json;
use std::time::{Duration, Instant};

fn names(items: &[serde_json::Map<String, serde_json::Value>]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn data_that_appears_after_a_click() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([
            {"type": "click", "label": "Show", "selector": "#show"},
            {"type": "wait", "selector": ".card"},
            {"type": "extract"},
        ]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    let got = items(&app, &done.run.id).await;
    assert_eq!(names(&got), ["Lamp", "Desk"]);
    assert_eq!(got[0]["price"], 12.5);
    // Each step is logged with what it did and how long it took.
    let lines: Vec<&str> = done.logs.iter().map(|l| l.message.as_str()).collect();
    for words in [
        "Start: navigate to the flow's URL: loaded",
        "steps[0] (click \"Show\"): clicked `#show`",
        "steps[1] (wait): `.card` is there",
        "steps[2] (extract): extracted 2 item(s)",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(words) && l.ends_with(" ms)")),
            "no `{words}` in {lines:#?}"
        );
    }
    no_browser_left(&app, WAIT).await;
}

#[tokio::test]
async fn a_search_that_needs_typing_and_enter() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::search()))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([
            {"type": "type", "selector": "#q", "text": "lamp", "submit": true},
            {"type": "wait", "selector": ".result"},
            {"type": "extract", "selector": ".result", "fields": {"name": ".name", "price": ".price"}},
        ]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    assert_eq!(
        names(&items(&app, &done.run.id).await),
        ["Desk lamp", "Floor lamp"]
    );
}

#[tokio::test]
async fn an_infinite_scroll_is_followed_to_its_end() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::infinite(200)))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([
            {"type": "scroll", "untilStable": true, "maxScrolls": 30},
            {"type": "extract"},
        ]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    let got = items(&app, &done.run.id).await;
    assert_eq!(got.len(), 200, "{:#?}", done.logs);
    assert_eq!(got[199]["name"], "Item 200");
    assert!(
        done.logs
            .iter()
            .any(|l| l.message.contains("the page stopped growing")),
        "{:#?}",
        done.logs
    );
}

#[tokio::test]
async fn a_next_button_is_clicked_page_after_page() {
    let site = TestSite::pages(vec![
        ("/p1", Reply::html(pages::numbered(1, 3))),
        ("/p2", Reply::html(pages::numbered(2, 3))),
        ("/p3", Reply::html(pages::numbered(3, 3))),
    ])
    .await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/p1"),
        json!([
            {"type": "paginate", "nextSelector": "a.next", "maxPages": 5},
            {"type": "extract", "selector": ".card", "fields": {"name": ".name", "price": ".price"}},
        ]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    assert_eq!(
        names(&items(&app, &done.run.id).await),
        ["P1a", "P1b", "P2a", "P2b", "P3a", "P3b"]
    );
    assert_eq!(done.run.pages_fetched, 3);
    assert!(
        done.logs.iter().any(|l| l
            .message
            .contains("3 page(s), 6 item(s); stopped: no `a.next`")),
        "{:#?}",
        done.logs
    );
}

#[tokio::test]
async fn a_missing_selector_fails_the_step_with_a_screenshot() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([
            {"type": "click", "selector": "#show"},
            {"type": "click", "label": "Load more", "selector": ".more", "timeoutMs": 500},
        ]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    assert_eq!(done.run.status, RunStatus::Failed);
    assert_eq!(done.run.failure_reason, Some(FailureReason::StepFailed));
    let error = done.run.error.clone().unwrap();
    assert_eq!(
        error,
        "steps[1] (click \"Load more\"): selector `.more` not found after 500 ms"
    );
    let shots = app.client.screenshots(&done.run.id).await.unwrap();
    assert_eq!(shots.total, 1);
    let shot = &shots.data[0];
    assert_eq!((shot.n, shot.step), (1, Some(1)));
    assert!(shot.label.contains("failed"), "{shot:?}");
    let png = app.client.screenshot_png(&done.run.id, 1).await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert_eq!(png.len() as u64, shot.bytes);
    let got = app
        .send(app.raw(Method::GET, &format!("/runs/{}/screenshots/2", done.run.id)))
        .await;
    assert_error(&got, 404, "not_found", &["screenshot 2"]);
}

#[tokio::test]
async fn a_screenshot_step_keeps_the_page() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::infinite(40)))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([{"type": "screenshot", "label": "whole", "fullPage": true}, {"type": "extract"}]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    completed(&done);
    let shots = app.client.screenshots(&done.run.id).await.unwrap();
    assert_eq!(shots.data.len(), 1);
    assert_eq!(shots.data[0].label, "steps[0] (screenshot \"whole\")");
}

#[tokio::test]
async fn a_cancel_during_a_long_wait_ends_within_two_seconds() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let app = common::app().await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([{"type": "wait", "ms": 60000}]),
        schema(),
    )
    .await;
    let run = app.client.create_run(&flow).await.unwrap();
    wait_for_line(&app, &run.id, "Start: navigate").await;
    assert!(
        !processes_under(app.state.browsers.root()).is_empty(),
        "a browser runs"
    );
    let asked = Instant::now();
    app.client.cancel_run(&run.id).await.unwrap();
    let done = app.wait_finished(&run.id, WAIT).await;
    assert_eq!(done.run.status, RunStatus::Cancelled);
    assert!(asked.elapsed() < Duration::from_secs(2));
    // The run's context goes at once; the idle browser right after.
    no_browser_left(&app, Duration::from_secs(10)).await;
}

async fn wait_for_line(app: &scraper_tests::TestApp, run: &str, words: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let detail = app.client.get_run(run).await.unwrap();
        if detail.logs.iter().any(|l| l.message.contains(words)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no `{words}`: {:#?}",
            detail.logs
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_crashed_browser_fails_its_run_and_the_next_gets_a_fresh_one() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let app = common::app().await;
    let waiting = flow(
        &app,
        &site.url("/"),
        json!([{"type": "wait", "ms": 60000}]),
        schema(),
    )
    .await;
    let run = app.client.create_run(&waiting).await.unwrap();
    wait_for_line(&app, &run.id, "Start: navigate").await;
    let root = app.state.browsers.root().to_path_buf();
    // The browser's own process: the one whose command line is not a child's.
    let main = processes_under(&root)
        .into_iter()
        .find(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            !String::from_utf8_lossy(&cmdline).contains("--type=")
        })
        .expect("the browser process");
    std::process::Command::new("kill")
        .args(["-KILL", &main.to_string()])
        .status()
        .unwrap();
    let done = app.wait_finished(&run.id, WAIT).await;
    assert_eq!(done.run.status, RunStatus::Failed);
    assert_eq!(done.run.failure_reason, Some(FailureReason::WorkerLost));
    assert!(
        done.run
            .error
            .as_deref()
            .unwrap()
            .contains("browser crashed"),
        "{:?}",
        done.run.error
    );
    let again = flow(
        &app,
        &site.url("/"),
        json!([{"type": "click", "selector": "#show"}, {"type": "wait", "selector": ".card"}]),
        schema(),
    )
    .await;
    let next = common::run(&app, &again).await;
    completed(&next);
    assert_eq!(app.state.browsers.launched(), 2, "a fresh browser");
    no_browser_left(&app, WAIT).await;
    assert!(scraper_server::interact::browser::zombie_children().is_empty());
}

#[tokio::test]
async fn stopping_the_server_leaves_no_browser() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let mut config = common::config();
    config.browser.idle = Duration::from_secs(600);
    let mut app = spawn_app_with(config).await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([{"type": "click", "selector": "#show"}, {"type": "wait", "selector": ".card"}]),
        schema(),
    )
    .await;
    completed(&run(&app, &flow).await);
    let root = app.state.browsers.root().to_path_buf();
    assert!(!processes_under(&root).is_empty(), "the idle browser stays");
    app.stop().await;
    assert!(
        processes_under(&root).is_empty(),
        "{:?}",
        processes_under(&root)
    );
}

#[tokio::test]
async fn without_chromium_interact_runs_say_how_to_get_it() {
    let site = TestSite::pages(vec![("/", Reply::html(pages::behind_a_button()))]).await;
    let mut config = common::config();
    config.browser = BrowserConfig {
        executable: "/nonexistent/chromium".into(),
        ..BrowserConfig::default()
    };
    let app = spawn_app_with(config).await;
    let flow = flow(
        &app,
        &site.url("/"),
        json!([{"type": "click", "selector": "#show"}]),
        schema(),
    )
    .await;
    let done = run(&app, &flow).await;
    assert_eq!(done.run.failure_reason, Some(FailureReason::Unsupported));
    let error = done.run.error.unwrap();
    assert!(
        error.contains("apt-get install -y chromium") && error.contains("CHROME_BIN"),
        "{error}"
    );
}

#[tokio::test]
async fn steps_are_checked_when_saved() {
    let app = common::app().await;
    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "bad", "url": "https://example.com/", "mode": "interact",
            "steps": [{"type": "click", "selector": "#a"}, {"type": "wait", "selector": "a[", "timeoutMs": 10}],
        })))
        .await;
    assert_error(&got, 422, "validation_failed", &["steps[1].selector", "a["]);
    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "bad", "url": "https://example.com/", "mode": "extract",
            "steps": [{"type": "click", "selector": "#a"}],
        })))
        .await;
    assert_error(&got, 422, "validation_failed", &["steps[0]", "interact"]);
}

#[tokio::test]
async fn runs_wait_for_a_browser_slot_and_a_worn_browser_is_replaced() {
    let site = TestSite::pages(vec![
        ("/p1", Reply::html(pages::numbered(1, 3))),
        ("/p2", Reply::html(pages::numbered(2, 3))),
        ("/p3", Reply::html(pages::numbered(3, 3))),
    ])
    .await;
    let mut config = common::config();
    config.browser.slots = 1;
    config.browser.restart_after = 3;
    let app = spawn_app_with(config).await;
    let slow = flow(
        &app,
        &site.url("/p1"),
        json!([{"type": "wait", "ms": 1500}, {"type": "extract"}]),
        schema(),
    )
    .await;
    let first = app.client.create_run(&slow).await.unwrap();
    let second = app.client.create_run(&slow).await.unwrap();
    let (a, b) = (
        app.wait_finished(&first.id, WAIT).await,
        app.wait_finished(&second.id, WAIT).await,
    );
    completed(&a);
    completed(&b);
    // One slot: the second run waited until the first let go of it.
    let waited: Vec<_> = [&a, &b]
        .iter()
        .filter(|d| {
            d.logs
                .iter()
                .any(|l| l.message.contains("for a browser slot"))
        })
        .map(|d| (*d).clone())
        .collect();
    assert_eq!(waited.len(), 1, "one of the two waited");
    let (earlier, later) = if waited[0].run.id == b.run.id {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let at = |d: &scraper_common::RunDetail, words: &str| {
        d.logs
            .iter()
            .find(|l| l.message.contains(words))
            .unwrap_or_else(|| panic!("no `{words}`: {:#?}", d.logs))
            .timestamp
    };
    // Its browser work began only after the other's had ended.
    assert!(at(later, "Start: navigate") >= at(earlier, "steps[1] (extract)"));
    // Two pages so far on one browser; the third page wears it out.
    assert_eq!(app.state.browsers.launched(), 1);
    let three = flow(
        &app,
        &site.url("/p1"),
        json!([{"type": "paginate", "nextSelector": "a.next"}, {"type": "extract"}]),
        schema(),
    )
    .await;
    completed(&run(&app, &three).await);
    completed(&run(&app, &three).await);
    assert_eq!(app.state.browsers.launched(), 2, "replaced after 3 pages");
    no_browser_left(&app, WAIT).await;
}
