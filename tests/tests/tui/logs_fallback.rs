//! Following a run's logs when the live stream cannot be had: through a
//! proxy that refuses `/logs/stream`, the app polls `after=` instead and
//! still gets every line, in order, while the run goes on.

use crate::proxy::SseBreakingProxy;
use hyper::StatusCode;
use scraper_common::{Client, FlowInput, FlowStatus, RunStatus};
use scraper_tests::site::TestSite;
use scraper_tests::{TestApp, spawn_app_on_loopback};
use scraper_tui::app::Settings;
use scraper_tui::app::nav::{Screen, Transport};
use scraper_tui::editor::Editor;
use scraper_tui::headless::Headless;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// What the logs view went through while following one run.
#[derive(Default)]
struct Seen {
    retrying: bool,
    /// Lines held while the run was still going and the view said "polling".
    polled_before_end: usize,
    polling_screen: Option<String>,
}

/// Starts the dashboard through a proxy that answers `status` to log
/// streams, triggers a run of a slow shop and follows it to its end.
async fn follow_through_proxy(
    status: StatusCode,
    pages: usize,
) -> (Seen, Headless, SseBreakingProxy, TestApp) {
    let site = TestSite::slow_shop(pages, Duration::from_millis(400)).await;
    let app = spawn_app_on_loopback().await;
    let mut input = FlowInput::new("shop", site.url("/p1"));
    input.steps =
        serde_json::from_value(json!([{"type": "paginate", "nextSelector": "a.next"}])).unwrap();
    input.output_schema =
        Some(serde_json::from_value(json!({"name": "string", "price": "number"})).unwrap());
    input.status = Some(FlowStatus::Active);
    app.client.create_flow(&input).await.unwrap();

    let proxy = SseBreakingProxy::start(app.addr, status).await;
    let client = Client::new(&proxy.url(), &app.admin_key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        save_dir: dir.path().to_path_buf(),
        ..Settings::new(&proxy.url(), &app.admin_key)
    };
    let editor = Editor::none();
    let mut tui = Headless::start(settings, client, editor);
    tui.trigger_selected_flow(WAIT, 1).await.unwrap();

    let mut seen = Seen::default();
    loop {
        let mut screen_wanted = false;
        tui.until(WAIT, |a| {
            let Screen::Logs(v) = a.screen() else {
                return false;
            };
            seen.retrying |= matches!(v.transport, Transport::Retrying(_));
            if v.end.is_none() && v.transport == Transport::Polling && !v.lines.is_empty() {
                seen.polled_before_end = seen.polled_before_end.max(v.lines.len());
                screen_wanted = seen.polling_screen.is_none();
            }
            v.end.is_some() || screen_wanted
        })
        .await
        .unwrap();
        if screen_wanted {
            seen.polling_screen = Some(tui.screen(80, 24));
            continue;
        }
        break;
    }
    (seen, tui, proxy, app)
}

fn assert_every_line_once(tui: &Headless) {
    let Screen::Logs(v) = tui.app().screen() else {
        panic!("not on the logs")
    };
    assert_eq!(v.end.as_ref().unwrap().0, RunStatus::Completed);
    let seqs: Vec<u64> = v.lines.iter().map(|l| l.seq).collect();
    assert!(seqs.len() >= 4, "{seqs:?}");
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every line once, in order"
    );
    assert!(
        v.lines
            .iter()
            .any(|l| l.message.starts_with("Summary: 4 pages fetched")),
        "{:?}",
        v.lines
    );
}

#[tokio::test]
async fn a_proxy_without_the_log_stream_route_gets_polled_and_every_line_arrives_live() {
    let (seen, tui, proxy, _app) = follow_through_proxy(StatusCode::NOT_FOUND, 4).await;
    assert_every_line_once(&tui);
    // A missing route is not worth retrying: straight to polling.
    assert_eq!(proxy.streams.load(Ordering::SeqCst), 1);
    assert!(!seen.retrying, "a 404 from the stream is not an outage");
    assert!(proxy.polls.load(Ordering::SeqCst) >= 2);
    assert!(
        seen.polled_before_end >= 1,
        "lines should arrive by polling while the run goes on"
    );
    let screen = seen.polling_screen.unwrap();
    assert!(screen.contains("● polling"), "{screen}");
    assert!(
        screen.contains("Follow:On Wrap:Off Timestamps:On"),
        "{screen}"
    );
}

#[tokio::test]
async fn a_proxy_that_fails_the_log_stream_is_retried_then_polled() {
    let (seen, tui, proxy, _app) = follow_through_proxy(StatusCode::BAD_GATEWAY, 4).await;
    assert_every_line_once(&tui);
    // A gateway error may pass: a few tries, shown as retrying, then polling.
    assert_eq!(proxy.streams.load(Ordering::SeqCst), 3);
    assert!(seen.retrying, "the failed tries should show");
    assert!(proxy.polls.load(Ordering::SeqCst) >= 1);
    let screen = tui.screen(80, 24);
    assert!(screen.contains("■ completed"), "{screen}");
}
