//! Every view, drawn on a TestBackend at 80x24 and 120x40, against
//! reviewed snapshots (`tests/snapshots/`).

mod common;

use common::{Data, chars, ctrl, feed_logs, loaded, press, serve};
use ratatui::crossterm::event::KeyCode;
use scraper_common::RunStatus;
use scraper_tui::App;
use scraper_tui::app::action::{ApiResult, Incoming, Reply, Request, Slot, Tag};
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
