use scraper_common::{FlowInput, FlowStatus, RunStatus};
use scraper_tests::site::{TestSite, closed_port};
use scraper_tests::{TestApp, spawn_app, spawn_app_on_loopback};
use scraper_tui::app::nav::{Screen, Transport};
use scraper_tui::app::{Connection, Settings};
use scraper_tui::editor::Editor;
use scraper_tui::headless::{Headless, KeyCode};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn settings(app: &TestApp, save_dir: &std::path::Path) -> Settings {
    Settings {
        save_dir: save_dir.to_path_buf(),
        ..Settings::new(&format!("http://{}", app.addr), &app.admin_key)
    }
}

#[tokio::test]
async fn it_lists_the_flows_made_through_the_api_with_counts_and_key_name() {
    let app = spawn_app().await;
    let mut input = FlowInput::new("Product Price Monitor", "https://example.com/p");
    input.status = Some(FlowStatus::Active);
    app.client.create_flow(&input).await.unwrap();
    app.client
        .create_flow(&FlowInput::new("Job Board", "https://example.com/jobs"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Headless::start(
        settings(&app, dir.path()),
        app.client.clone(),
        Editor::none(),
    );
    tui.until(WAIT, |a| {
        a.flows().table.rows.len() == 2 && a.stats.is_some() && a.key_name().is_some()
    })
    .await
    .unwrap();
    let a = tui.app();
    assert_eq!(a.conn, Connection::Connected);
    let stats = a.stats.as_ref().unwrap();
    assert_eq!((stats.active, stats.draft, stats.queued), (1, 1, 0));
    assert_eq!(a.key_name(), Some("admin"));
    let screen = tui.screen(80, 24);
    assert!(screen.contains("Product Price Monitor"), "{screen}");
    assert!(screen.contains("Job Board"), "{screen}");
    assert!(
        screen.contains("1 active 0 paused 1 draft 0 error"),
        "{screen}"
    );

    // A flow made elsewhere shows up on the next refresh.
    app.client
        .create_flow(&FlowInput::new("Third", "https://example.com/3"))
        .await
        .unwrap();
    tui.until(WAIT, |a| a.flows().table.rows.len() == 3)
        .await
        .unwrap();
}

#[tokio::test]
async fn it_triggers_a_run_and_tails_its_log_lines_live() {
    let site = TestSite::slow_shop(3, Duration::from_millis(400)).await;
    let app = spawn_app_on_loopback().await;
    let mut input = FlowInput::new("shop", site.url("/p1"));
    input.steps =
        serde_json::from_value(json!([{"type": "paginate", "nextSelector": "a.next"}])).unwrap();
    input.output_schema =
        Some(serde_json::from_value(json!({"name": "string", "price": "number"})).unwrap());
    input.status = Some(FlowStatus::Active);
    let flow = app.client.create_flow(&input).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut tui = Headless::start(
        settings(&app, dir.path()),
        app.client.clone(),
        Editor::none(),
    );
    tui.trigger_selected_flow(WAIT, 1).await.unwrap();

    // Lines arrive while the run is still going: that is what "live" means.
    let mut live_lines = 0;
    tui.until(WAIT, |a| {
        let Screen::Logs(v) = a.screen() else {
            return false;
        };
        if v.end.is_none() && v.transport == Transport::Live && !v.lines.is_empty() {
            live_lines = live_lines.max(v.lines.len());
        }
        v.end.is_some()
    })
    .await
    .unwrap();
    assert!(live_lines >= 2, "saw {live_lines} lines before the end");
    let Screen::Logs(v) = tui.app().screen() else {
        unreachable!()
    };
    assert_eq!(v.end.as_ref().unwrap().0, RunStatus::Completed);
    let seqs: Vec<u64> = v.lines.iter().map(|l| l.seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every line once, in order"
    );
    assert!(
        v.lines
            .iter()
            .any(|l| l.message.starts_with("Summary: 3 pages fetched"))
    );
    let runs = app.client.list_runs(&Default::default()).await.unwrap();
    assert_eq!(runs.total, 1);
    assert_eq!(runs.data[0].flow_id, flow.id);
    assert_eq!(v.run_id, runs.data[0].id);
    let screen = tui.screen(80, 24);
    assert!(
        screen.contains("Follow:On Wrap:Off Timestamps:On"),
        "{screen}"
    );
    assert!(screen.contains("Run completed"), "{screen}");

    assert!(
        screen.contains(&format!("flows > shop > runs > {} > logs", v.run_id)),
        "{screen}"
    );

    // `esc` lands on the flow's runs; then its items, exported as CSV by the server.
    tui.key(KeyCode::Esc);
    assert_eq!(tui.app().crumbs(), "flows > shop > runs");
    tui.until(WAIT, |a| match a.screen() {
        Screen::Runs(v) => v.table.rows.len() == 1,
        _ => false,
    })
    .await
    .unwrap();
    tui.key(KeyCode::Char('i'));
    tui.until(WAIT, |a| match a.screen() {
        Screen::Items(v) => v.table.rows.len() == 3,
        _ => false,
    })
    .await
    .unwrap();
    let Screen::Items(items) = tui.app().screen() else {
        unreachable!()
    };
    assert_eq!(items.columns, vec!["name", "price"]);
    tui.ctrl('s');
    tui.key(KeyCode::Char('c'));
    let path = dir.path().join(format!("{}.csv", v_run_id(&tui)));
    tui.until(WAIT, |_| path.exists()).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "name,price\r\nP1,1.0\r\nP2,2.0\r\nP3,3.0\r\n"
    );
}

fn v_run_id(tui: &Headless) -> String {
    match tui.app().screen() {
        Screen::Items(v) => v.run_id.clone(),
        _ => panic!("not on items"),
    }
}

#[tokio::test]
async fn cancel_from_the_runs_view_stops_a_queued_run() {
    // An API-only node: the run stays queued until cancelled.
    let app = spawn_app().await;
    let flow = app
        .client
        .create_flow(&FlowInput::new("slow", "https://example.com/"))
        .await
        .unwrap();
    let run = app.client.create_run(&flow.id).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Headless::start(
        settings(&app, dir.path()),
        app.client.clone(),
        Editor::none(),
    );
    tui.until(WAIT, |a| a.flows().table.rows.len() == 1)
        .await
        .unwrap();
    tui.key(KeyCode::Enter);
    tui.until(WAIT, |a| match a.screen() {
        Screen::Runs(v) => v.table.rows.len() == 1,
        _ => false,
    })
    .await
    .unwrap();
    tui.ctrl('k');
    tui.key(KeyCode::Char('y'));
    tui.until(WAIT, |a| match a.screen() {
        Screen::Runs(v) => v.table.rows[0].status == RunStatus::Cancelled,
        _ => false,
    })
    .await
    .unwrap();
    assert_eq!(
        app.client.get_run(&run.id).await.unwrap().run.status,
        RunStatus::Cancelled
    );
}

#[tokio::test]
async fn a_new_flow_refused_by_the_server_reopens_the_editor_with_its_message() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    // First save: a URL the server refuses. Second: the same file with the
    // URL fixed, and a copy of what the editor was shown.
    let script = dir.path().join("editor.sh");
    let seen = dir.path().join("seen.txt");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat \"$1\" >> {seen}\nif grep -q '// Error' \"$1\"; then\n  sed -i 's#ftp://shop#https://shop.example.com/#' \"$1\"\nelse\n  printf '{{\"name\": \"Shop\", \"url\": \"ftp://shop\", \"mode\": \"extract\"}}' > \"$1\"\nfi\n",
            seen = seen.display()
        ),
    )
    .unwrap();
    let editor = Editor {
        command: format!("sh {}", script.display()),
    };
    let mut tui = Headless::start(settings(&app, dir.path()), app.client.clone(), editor);
    tui.until(WAIT, |a| a.flows().table.loaded).await.unwrap();
    tui.key(KeyCode::Char('n'));
    tui.until(WAIT, |a| a.flows().table.rows.len() == 1)
        .await
        .unwrap();
    let shown = std::fs::read_to_string(&seen).unwrap();
    assert!(shown.contains("// Error:"), "{shown}");
    assert!(
        shown.contains("url"),
        "the server's message names the field: {shown}"
    );
    let flows = app.client.list_flows(&Default::default()).await.unwrap();
    assert_eq!(flows.data[0].name, "Shop");
    assert_eq!(flows.data[0].url, "https://shop.example.com/");
    assert_eq!(
        tui.app().flows().table.selected_row().unwrap().id,
        flows.data[0].id
    );
}

#[tokio::test]
async fn a_wrong_key_or_no_server_shows_in_the_header_and_nothing_panics() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = app.client_with_key("scr_live_0000000000000000000000000000000000000000");
    let mut tui = Headless::start(
        Settings::new(&format!("http://{}", app.addr), "scr_live_0000"),
        bad,
        Editor::none(),
    );
    tui.until(WAIT, |a| matches!(a.conn, Connection::KeyRejected(_)))
        .await
        .unwrap();
    assert!(tui.screen(80, 24).contains("key rejected"));
    // Keys keep working; the view just has nothing to show.
    tui.key(KeyCode::Enter);
    tui.key(KeyCode::Char('d'));

    let port = closed_port();
    let client = scraper_common::Client::new(&format!("http://127.0.0.1:{port}"), "k").unwrap();
    let mut gone = Headless::start(
        Settings {
            save_dir: dir.path().to_path_buf(),
            ..Settings::new(&format!("http://127.0.0.1:{port}"), "k")
        },
        client,
        Editor::none(),
    );
    gone.until(WAIT, |a| matches!(a.conn, Connection::Unreachable(_)))
        .await
        .unwrap();
    let screen = gone.screen(80, 24);
    assert!(screen.contains("unreachable, retrying"), "{screen}");
    assert!(
        screen.contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{screen}"
    );
}

#[tokio::test]
async fn a_key_without_keys_read_sees_why_the_keys_view_is_empty_and_stays_connected() {
    let app = spawn_app().await;
    let reader = app
        .client_with_scopes(&[
            scraper_common::Scope::FlowsRead,
            scraper_common::Scope::RunsRead,
        ])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        save_dir: dir.path().to_path_buf(),
        ..Settings::new(&format!("http://{}", app.addr), reader.api_key())
    };
    let mut tui = Headless::start(settings, reader, Editor::none());
    tui.until(WAIT, |a| a.flows().table.loaded).await.unwrap();
    tui.key(KeyCode::Char(':'));
    tui.type_text("keys");
    tui.key(KeyCode::Enter);
    tui.until(WAIT, |a| a.view_error().is_some()).await.unwrap();
    // Refreshes come and go (one each half second here): the header still
    // says connected, the body why.
    let _ = tui.until(Duration::from_millis(2500), |_| false).await;
    assert!(tui.app().stats.is_some());
    assert_eq!(tui.app().conn, Connection::Connected);
    let screen = tui.screen(80, 24);
    assert!(screen.contains("● connected"), "{screen}");
    assert!(screen.contains("keys:read"), "{screen}");
    assert!(!screen.contains("loading"), "{screen}");
}
