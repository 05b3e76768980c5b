//! Every view, drawn on a TestBackend at 80x24 and 120x40, against
//! reviewed snapshots (`tests/snapshots/`).

mod common;

use common::{Data, chars, ctrl, feed_logs, loaded, press, serve};
use ratatui::crossterm::event::KeyCode;
use scraper_common::RunStatus;
use scraper_tui::App;
use scraper_tui::app::action::{
    ApiResult, Incoming, LogEvent, LogUpdate, Reply, Request, Slot, Tag,
};
use scraper_tui::headless::render_text;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn check(name: &str, app: &App) {
    for (w, h) in SIZES {
        let text = render_text(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn flows() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Down);
    check("flows", &app);
}

#[test]
fn flows_loading_and_disconnected() {
    let mut app = common::app();
    app.start();
    check("flows_loading", &app);
    let err = scraper_common::ClientError::Api {
        status: 401,
        code: "unauthorized".into(),
        message: "unknown API key".into(),
    };
    app.apply(Incoming::Api(Box::new(ApiResult {
        tag: Tag {
            slot: Slot::Write,
            id: 999,
        },
        request: Request::Keys,
        result: Err(err),
    })));
    check("flows_key_rejected", &app);
}

#[test]
fn flows_filtered() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('/'));
    chars(&mut app, &data, "monitor");
    check("flows_filter_typing", &app);
    press(&mut app, &data, KeyCode::Enter);
    check("flows_filtered", &app);
}

#[test]
fn runs() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":runs");
    press(&mut app, &data, KeyCode::Enter);
    check("runs", &app);
}

#[test]
fn runs_of_a_flow() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    check("runs_of_flow", &app);
}

#[test]
fn logs() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    let commands = press(&mut app, &data, KeyCode::Enter);
    feed_logs(
        &mut app,
        &commands,
        common::logs(60),
        Some(RunStatus::Failed),
    );
    check("logs_following", &app);
    // Search, which pauses following at the first match.
    press(&mut app, &data, KeyCode::Char('/'));
    chars(&mut app, &data, "503");
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('w'));
    press(&mut app, &data, KeyCode::Char('t'));
    check("logs_search_wrap", &app);
}

#[test]
fn items() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Down);
    press(&mut app, &data, KeyCode::Char('i'));
    check("items", &app);
    ctrl(&mut app, &data, 's');
    check("items_export_choice", &app);
}

#[test]
fn keys() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":keys");
    press(&mut app, &data, KeyCode::Enter);
    check("keys", &app);
    let created = serde_json::from_value(serde_json::json!({
        "id": "key-9", "name": "deploy", "key": "scr_live_Zx8kQ2mN4pR6tV8wY0aB2cD4eF6gH8iJ0kL2mN4p",
        "createdAt": "2026-03-18T12:00:00.000Z", "scopes": ["flows:read", "runs:read"]
    }))
    .unwrap();
    let commands = app.apply(Incoming::Api(Box::new(ApiResult {
        tag: Tag {
            slot: Slot::Write,
            id: 1000,
        },
        request: Request::Keys,
        result: Ok(Reply::KeyCreated(created)),
    })));
    serve(&mut app, &data, commands);
    check("keys_created_notice", &app);
}

#[test]
fn describe_flow() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('d'));
    check("describe_flow", &app);
}

/// The login test's failed run: a browser run with step timings and
/// screenshots.
#[test]
fn describe_run() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":runs");
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('d'));
    check("describe_run", &app);
}

#[test]
fn help() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('?'));
    check("help_flows", &app);
}

#[test]
fn confirm_delete() {
    let (mut app, data) = loaded();
    ctrl(&mut app, &data, 'd');
    check("confirm_delete", &app);
}

#[test]
fn command_prompt_with_completions() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":runs ");
    press(&mut app, &data, KeyCode::Tab);
    check("prompt_completions", &app);
}

#[test]
fn readonly_header_has_no_write_keys() {
    let data = Data::default();
    let mut app = common::app();
    app.settings.readonly = true;
    let first = app.start();
    serve(&mut app, &data, first);
    check("flows_readonly", &app);
}

/// Answers the trigger the confirm asked for with a new run of flow-1.
fn triggered(app: &mut App, data: &Data) -> Vec<scraper_tui::app::action::Command> {
    press(app, data, KeyCode::Char('t'));
    let commands = press(app, data, KeyCode::Char('y'));
    let tag = commands
        .iter()
        .find_map(|c| match c {
            scraper_tui::app::action::Command::Api(tag, Request::TriggerRun(_)) => Some(*tag),
            _ => None,
        })
        .expect("a trigger");
    let mut run = data.runs[0].clone();
    run.id = "run-1795898560000".into();
    let next = app.apply(Incoming::Api(Box::new(ApiResult {
        tag,
        request: Request::TriggerRun(run.flow_id.clone()),
        result: Ok(Reply::Triggered(run)),
    })));
    serve(app, data, next)
}

fn log_event(app: &mut App, commands: &[scraper_tui::app::action::Command], event: LogEvent) {
    let (tag, run_id) = commands
        .iter()
        .find_map(|c| match c {
            scraper_tui::app::action::Command::FollowLogs { tag, run_id, .. } => {
                Some((*tag, run_id.clone()))
            }
            _ => None,
        })
        .expect("the logs view follows the run");
    app.apply(Incoming::Log(LogUpdate { tag, run_id, event }));
}

#[test]
fn logs_polling_after_a_trigger() {
    let (mut app, data) = loaded();
    let commands = triggered(&mut app, &data);
    log_event(
        &mut app,
        &commands,
        LogEvent::Polling("the live stream is not available".into()),
    );
    // A run still going: no "Run failed" line yet.
    let mut lines = common::logs(20);
    lines.truncate(7);
    log_event(&mut app, &commands, LogEvent::Lines(lines));
    app.flash = None;
    check("logs_polling", &app);
}

#[test]
fn logs_retrying_while_the_server_is_unreachable() {
    let (mut app, data) = loaded();
    let commands = triggered(&mut app, &data);
    log_event(&mut app, &commands, LogEvent::Live);
    let mut lines = common::logs(20);
    lines.truncate(5);
    log_event(&mut app, &commands, LogEvent::Lines(lines));
    let refused = "cannot reach 127.0.0.1:8080: Connection refused (os error 111)";
    log_event(&mut app, &commands, LogEvent::Error(refused.into()));
    // The header's requests fail the same way.
    let refresh = app.refresh();
    for command in refresh {
        if let scraper_tui::app::action::Command::Api(tag, request) = command {
            app.apply(Incoming::Api(Box::new(ApiResult {
                tag,
                request,
                result: Err(unreachable_error()),
            })));
        }
    }
    app.flash = None;
    check("logs_retrying", &app);
}

/// The error reqwest gives for a closed port, made for real on loopback.
fn unreachable_error() -> scraper_common::ClientError {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client =
            scraper_common::Client::new(&format!("http://127.0.0.1:{port}"), "key").unwrap();
        client.list_keys().await.unwrap_err()
    })
}

#[test]
fn local_and_readonly_fit_the_header_at_80_columns() {
    let data = Data::default();
    let mut app = common::app();
    app.settings.local = true;
    app.settings.readonly = true;
    app.settings.server = "http://127.0.0.1:37251".into();
    app.settings.key_name = Some("scraper-tui (local)".into());
    let first = app.start();
    serve(&mut app, &data, first);
    let text = render_text(&app, 80, 24);
    let head: String = text.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(head.contains("local server 127.0.0.1:37251"), "{head}");
    assert!(head.contains("scraper-tui (local) [read-only]"), "{head}");
    check("flows_local_readonly", &app);
}

#[test]
fn changes_of_a_run_with_records_added_removed_and_changed() {
    let (mut app, data) = loaded();
    // The price monitor's runs; the second is the one that found changes.
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Down);
    press(&mut app, &data, KeyCode::Char('c'));
    check("changes_run", &app);
}

#[test]
fn changes_of_a_flow_with_a_heading_per_run() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('c'));
    check("changes_flow", &app);
}

#[test]
fn changes_with_a_text_diff() {
    let (mut app, data) = loaded();
    // The competitor watch, a text monitor.
    press(&mut app, &data, KeyCode::Char('G'));
    press(&mut app, &data, KeyCode::Char('c'));
    check("changes_text", &app);
}

#[test]
fn deliveries_and_their_attempts() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('w'));
    check("deliveries", &app);
    press(&mut app, &data, KeyCode::Enter);
    check("deliveries_attempts", &app);
}

#[test]
fn deliveries_of_a_webhook_a_410_stopped() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('G'));
    press(&mut app, &data, KeyCode::Char('w'));
    check("deliveries_stopped", &app);
}

#[test]
fn describe_a_monitor_whose_webhook_stopped() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('G'));
    press(&mut app, &data, KeyCode::Char('d'));
    // Past the first fields, to the webhook and the monitor at 80x24.
    for _ in 0..7 {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    check("describe_monitor_webhook_stopped", &app);
}

/// The runs of every flow, on the login test's failed run (a browser run).
fn on_browser_run() -> (App, Data) {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":runs");
    press(&mut app, &data, KeyCode::Enter);
    for _ in 0..common::INTERACT_RUN {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    (app, data)
}

#[test]
fn describe_a_browser_run_with_its_steps_and_screenshots() {
    let (mut app, data) = on_browser_run();
    press(&mut app, &data, KeyCode::Char('d'));
    // (`describe_run` is this run as it opens.) At 80x24 the first `j` brings the screenshots into view, the next
    // selects the second (the page when the step failed).
    render_text(&app, 80, 24);
    press(&mut app, &data, KeyCode::Char('j'));
    render_text(&app, 80, 24);
    press(&mut app, &data, KeyCode::Char('j'));
    check("describe_browser_run_screenshots", &app);
}

#[test]
fn logs_of_a_browser_run_with_its_step_lines() {
    let (mut app, data) = on_browser_run();
    let commands = press(&mut app, &data, KeyCode::Enter);
    log_event(&mut app, &commands, LogEvent::Live);
    log_event(
        &mut app,
        &commands,
        LogEvent::Lines(common::interact_logs()),
    );
    log_event(
        &mut app,
        &commands,
        LogEvent::End {
            status: RunStatus::Failed,
            failure_reason: Some(scraper_common::FailureReason::StepFailed),
        },
    );
    check("logs_browser_run", &app);
}

#[test]
fn describe_an_interact_flow_lists_its_steps_in_words() {
    let (mut app, data) = loaded();
    for _ in 0..3 {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    press(&mut app, &data, KeyCode::Char('d'));
    // Past the fields, to the steps at 80x24.
    for _ in 0..8 {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    check("describe_interact_flow", &app);
}
