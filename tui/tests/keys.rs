//! Key -> action -> state, for every key of the dashboard, without a
//! terminal or a server: fixture answers go in where the API's would.

mod common;

use common::{Data, chars, ctrl, feed_logs, loaded, press, serve};
use ratatui::crossterm::event::KeyCode;
use scraper_common::{FlowMode, FlowStatus, RunStatus, Scope};
use scraper_tui::App;
use scraper_tui::app::action::{
    ApiResult, Command, EditPurpose, ExportFormat, Incoming, Reply, Request, Slot,
};
use scraper_tui::app::keymap::Context;
use scraper_tui::app::nav::{LogScroll, Screen, Target};
use scraper_tui::app::overlay::{InputKind, Overlay, Pending};

fn requests(commands: &[Command]) -> Vec<&Request> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Api(_, r) => Some(r),
            _ => None,
        })
        .collect()
}

fn selected_flow(app: &App) -> String {
    app.flows().table.selected_row().unwrap().id.clone()
}

fn runs_view(app: &App) -> &scraper_tui::app::nav::RunsView {
    match app.screen() {
        Screen::Runs(v) => v,
        other => panic!("not on runs: {:?}", other.context()),
    }
}

fn logs_view(app: &App) -> &scraper_tui::app::nav::LogsView {
    match app.screen() {
        Screen::Logs(v) => v,
        other => panic!("not on logs: {:?}", other.context()),
    }
}

/// Answers one write the app asked for, as the server would have.
fn reply(app: &mut App, commands: &[Command], data: &Data, reply: Reply) -> Vec<Command> {
    let (tag, request) = commands
        .iter()
        .find_map(|c| match c {
            Command::Api(tag, r) if tag.slot == Slot::Write => Some((*tag, r.clone())),
            _ => None,
        })
        .expect("a write was asked for");
    let next = app.apply(Incoming::Api(Box::new(ApiResult {
        tag,
        request,
        result: Ok(reply),
    })));
    serve(app, data, next)
}

#[test]
fn moving_through_the_flows() {
    let (mut app, data) = loaded();
    assert_eq!(selected_flow(&app), "flow-1");
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Down);
    assert_eq!(selected_flow(&app), "flow-3");
    press(&mut app, &data, KeyCode::Char('k'));
    assert_eq!(selected_flow(&app), "flow-2");
    press(&mut app, &data, KeyCode::Up);
    press(&mut app, &data, KeyCode::Up);
    assert_eq!(selected_flow(&app), "flow-1", "stops at the top");
    press(&mut app, &data, KeyCode::Char('G'));
    assert_eq!(selected_flow(&app), "flow-6");
    press(&mut app, &data, KeyCode::Char('g'));
    assert_eq!(selected_flow(&app), "flow-1");
    app.body_rows.set(4);
    press(&mut app, &data, KeyCode::PageDown);
    assert_eq!(selected_flow(&app), "flow-5");
    press(&mut app, &data, KeyCode::PageUp);
    assert_eq!(selected_flow(&app), "flow-1");
}

#[test]
fn the_selection_follows_its_flow_across_refreshes() {
    let (mut app, mut data) = loaded();
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(selected_flow(&app), "flow-2");
    let mut newer = data.flows[0].clone();
    newer.id = "flow-0".into();
    newer.name = "A new one".into();
    data.flows.insert(0, newer);
    let commands = ctrl(&mut app, &data, 'r');
    assert!(commands.is_empty(), "ctrl-r's requests were answered");
    assert_eq!(app.flows().table.rows.len(), 7);
    assert_eq!(selected_flow(&app), "flow-2");
}

#[test]
fn answers_to_replaced_requests_are_dropped() {
    let (mut app, data) = loaded();
    let old = app.refresh();
    let new = app.refresh();
    let flows_of = |commands: &[Command]| {
        commands
            .iter()
            .find_map(|c| match c {
                Command::Api(tag, r @ Request::Flows(_)) => Some((*tag, r.clone())),
                _ => None,
            })
            .unwrap()
    };
    let (old_tag, request) = flows_of(&old);
    let mut stale = data.flows.clone();
    stale.truncate(1);
    app.apply(Incoming::Api(Box::new(ApiResult {
        tag: old_tag,
        request: request.clone(),
        result: Ok(Reply::Flows(scraper_common::ListResponse {
            data: stale,
            total: 1,
        })),
    })));
    assert_eq!(
        app.flows().table.rows.len(),
        6,
        "the stale answer changed nothing"
    );
    serve(&mut app, &data, new);
    assert_eq!(app.flows().table.rows.len(), 6);
}

#[test]
fn help_opens_and_closes() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Overlay::Help { .. }));
    press(&mut app, &data, KeyCode::Char('j'));
    assert!(matches!(app.overlay, Overlay::Help { scroll: 1 }));
    press(&mut app, &data, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.stack.len(), 1, "esc closed help, not the view");
}

#[test]
fn command_prompt_switches_views_and_completes() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":ke");
    press(&mut app, &data, KeyCode::Tab);
    match &app.overlay {
        Overlay::Input(i) => assert_eq!((i.kind, i.text.as_str()), (InputKind::Command, "keys")),
        other => panic!("{other:?}"),
    }
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(app.context(), Context::Keys);
    assert_eq!(app.crumbs(), "flows > keys");
    match app.screen() {
        Screen::Keys(v) => assert_eq!(v.table.rows.len(), 3),
        _ => unreachable!(),
    }

    // `:ru` Tab, `ne` Tab: the command, then the flow by the start of its name.
    chars(&mut app, &data, ":ru");
    press(&mut app, &data, KeyCode::Tab);
    match &app.overlay {
        Overlay::Input(i) => assert_eq!(i.text, "runs "),
        other => panic!("{other:?}"),
    }
    chars(&mut app, &data, "ne");
    press(&mut app, &data, KeyCode::Tab);
    match &app.overlay {
        Overlay::Input(i) => assert_eq!(i.text, "runs News Headlines"),
        other => panic!("{other:?}"),
    }
    press(&mut app, &data, KeyCode::Enter);
    let v = runs_view(&app);
    assert_eq!(v.flow.as_ref().unwrap().0, "flow-3");
    assert!(v.table.rows.iter().all(|r| r.flow_id == "flow-3"));
    assert!(!v.table.rows.is_empty());
    assert_eq!(app.crumbs(), "flows > News Headlines > runs");

    // Several candidates: completes what they share and lists them.
    chars(&mut app, &data, ":runs ");
    press(&mut app, &data, KeyCode::Tab);
    match &app.overlay {
        Overlay::Input(i) => assert!(i.hint.as_ref().unwrap().contains("Job Board Scraper")),
        other => panic!("{other:?}"),
    }
    press(&mut app, &data, KeyCode::Esc);

    chars(&mut app, &data, ":runs");
    press(&mut app, &data, KeyCode::Enter);
    assert!(runs_view(&app).flow.is_none());
    assert_eq!(runs_view(&app).table.rows.len(), 40);

    chars(&mut app, &data, ":flows paused");
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert!(commands.is_empty());
    assert_eq!(app.stack.len(), 1);
    assert_eq!(app.flows().status, Some(FlowStatus::Paused));
    assert_eq!(app.flows().table.rows.len(), 1);

    chars(&mut app, &data, ":nope");
    press(&mut app, &data, KeyCode::Enter);
    assert!(app.flash.as_ref().unwrap().error);
    assert!(app.flash.as_ref().unwrap().text.contains("nope"));

    chars(&mut app, &data, ":q");
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert!(app.quit);
    assert!(commands.contains(&Command::Quit));
}

#[test]
fn filter_narrows_the_rows_esc_clears_and_slash_recalls() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('/'));
    chars(&mut app, &data, "MONI");
    // Live while typing.
    assert_eq!(app.flows().table.visible_len(), 2);
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(app.flows().table.filter, "MONI");
    assert_eq!(app.flows().table.visible_len(), 2);
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.flows().table.visible_len(), 6, "esc clears the filter");
    assert_eq!(app.stack.len(), 1);
    press(&mut app, &data, KeyCode::Char('/'));
    match &app.overlay {
        Overlay::Input(i) => assert_eq!(i.text, "MONI", "recalled"),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.flows().table.visible_len(), 2);
    // Esc while typing puts back what was there before.
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.flows().table.visible_len(), 6);
}

#[test]
fn status_and_mode_filters_ask_the_server() {
    let (mut app, data) = loaded();
    let commands = app.handle_key(key('f'));
    let asked = requests(&commands);
    assert!(
        asked
            .iter()
            .any(|r| matches!(r, Request::Flows(f) if f.status == Some(FlowStatus::Active)))
    );
    serve(&mut app, &data, commands);
    assert_eq!(app.flows().table.rows.len(), 3);
    press(&mut app, &data, KeyCode::Char('m'));
    assert_eq!(app.flows().mode, Some(FlowMode::Extract));
    assert_eq!(app.flows().table.rows.len(), 1, "active extract flows");
}

fn key(c: char) -> ratatui::crossterm::event::KeyEvent {
    ratatui::crossterm::event::KeyEvent::from(KeyCode::Char(c))
}

#[test]
fn esc_and_q_go_back_and_q_quits_at_the_root() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(app.context(), Context::Runs);
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.context(), Context::Flows);
    press(&mut app, &data, KeyCode::Char('d'));
    assert_eq!(app.context(), Context::Describe);
    press(&mut app, &data, KeyCode::Char('q'));
    assert_eq!(app.context(), Context::Flows);
    assert!(!app.quit);
    let commands = press(&mut app, &data, KeyCode::Char('q'));
    assert!(app.quit);
    assert!(commands.contains(&Command::Quit));
}

#[test]
fn ctrl_c_quits_from_anywhere_even_a_dialog() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('?'));
    ctrl(&mut app, &data, 'c');
    assert!(app.quit);
}

#[test]
fn enter_shows_the_flows_runs_and_d_describes_it() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Enter);
    let v = runs_view(&app);
    assert_eq!(v.flow, Some(("flow-2".into(), "Job Board Scraper".into())));
    assert!(v.table.rows.iter().all(|r| r.flow_id == "flow-2"));
    press(&mut app, &data, KeyCode::Esc);
    press(&mut app, &data, KeyCode::Char('d'));
    match app.screen() {
        Screen::Describe(v) => {
            assert_eq!(v.target, Target::Flow("flow-2".into()));
            assert!(v.content.is_some());
        }
        _ => panic!("not describing"),
    }
}

#[test]
fn t_triggers_after_a_confirm_and_jumps_to_the_logs() {
    let (mut app, data) = loaded();
    let commands = press(&mut app, &data, KeyCode::Char('t'));
    assert!(requests(&commands).is_empty(), "nothing before the confirm");
    match &app.overlay {
        Overlay::Confirm(c) => {
            assert_eq!(
                c.pending,
                Pending::TriggerRun {
                    flow_id: "flow-1".into(),
                    name: "Product Price Monitor".into()
                }
            );
            assert!(c.yes_focused);
        }
        other => panic!("{other:?}"),
    }
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert_eq!(
        requests(&commands),
        vec![&Request::TriggerRun("flow-1".into())]
    );
    let mut run = data.runs[0].clone();
    assert_eq!(run.flow_id, "flow-1");
    run.id = "run-new".into();
    let next = reply(&mut app, &commands, &data, Reply::Triggered(run));
    assert_eq!(app.context(), Context::Logs);
    assert_eq!(logs_view(&app).run_id, "run-new");
    assert!(
        next.iter().any(
            |c| matches!(c, Command::FollowLogs { run_id, after: 0, .. } if run_id == "run-new")
        )
    );
    // The flow's runs sit under its logs, loaded: `esc` lands on them.
    assert_eq!(
        app.crumbs(),
        "flows > Product Price Monitor > runs > run-new > logs"
    );
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.context(), Context::Runs);
    let runs = runs_view(&app);
    assert_eq!(runs.flow.as_ref().unwrap().0, "flow-1");
    assert!(runs.table.loaded);
    assert!(runs.table.rows.iter().all(|r| r.flow_id == "flow-1"));
}

#[test]
fn p_pauses_an_active_flow_and_resumes_a_paused_one() {
    let (mut app, data) = loaded();
    let commands = press(&mut app, &data, KeyCode::Char('p'));
    assert_eq!(
        requests(&commands),
        vec![&Request::SetFlowStatus {
            id: "flow-1".into(),
            status: FlowStatus::Paused
        }]
    );
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('j'));
    let commands = press(&mut app, &data, KeyCode::Char('p'));
    assert_eq!(
        requests(&commands),
        vec![&Request::SetFlowStatus {
            id: "flow-3".into(),
            status: FlowStatus::Active
        }]
    );
}

#[test]
fn n_opens_the_editor_on_a_template_and_sends_what_was_saved() {
    let (mut app, data) = loaded();
    let commands = press(&mut app, &data, KeyCode::Char('n'));
    let Some(Command::Edit(edit)) = commands.first() else {
        panic!("{commands:?}")
    };
    assert_eq!(edit.purpose, EditPurpose::NewFlow);
    assert!(edit.text.contains("\"name\""));
    // Saved unchanged: nothing is sent.
    let none = app.edited(edit.clone(), Ok(edit.text.clone()));
    assert!(none.is_empty());
    // Not JSON: the editor comes back with the error on top.
    let again = app.edited(edit.clone(), Ok("{\"name\": ".into()));
    let Some(Command::Edit(retry)) = again.first() else {
        panic!("{again:?}")
    };
    assert!(retry.error.as_ref().unwrap().contains("JSON"));
    assert!(scraper_tui::app::edit::file_text(retry).starts_with("// Error: not valid JSON"));
    // Valid JSON goes to the server as written.
    let sent = app.edited(
        edit.clone(),
        Ok("// header\n{\"name\": \"Shop\", \"url\": \"ftp://x\"}".into()),
    );
    assert_eq!(
        requests(&sent),
        vec![&Request::CreateFlow(
            serde_json::json!({"name": "Shop", "url": "ftp://x"})
        )]
    );
    // The server refuses it: the editor reopens on the text, with its message.
    let Command::Api(tag, request) = sent[0].clone() else {
        unreachable!()
    };
    let reopened = app.apply(Incoming::Api(Box::new(ApiResult {
        tag,
        request,
        result: Err(scraper_common::ClientError::Api {
            status: 422,
            code: "validation_failed".into(),
            message: "url: must be an absolute http(s) URL".into(),
        }),
    })));
    let Some(Command::Edit(back)) = reopened.first() else {
        panic!("{reopened:?}")
    };
    assert!(back.text.contains("ftp://x"));
    assert!(back.error.as_ref().unwrap().contains("absolute http(s)"));
}

#[test]
fn e_edits_the_flow_and_sends_a_merge_patch() {
    let (mut app, data) = loaded();
    let commands = press(&mut app, &data, KeyCode::Char('e'));
    assert_eq!(
        requests(&commands),
        vec![&Request::LoadFlowForEdit("flow-1".into())]
    );
    let next = reply(
        &mut app,
        &commands,
        &data,
        Reply::FlowForEdit(data.flows[0].clone()),
    );
    let Some(Command::Edit(edit)) = next.first() else {
        panic!("{next:?}")
    };
    let mut doc: serde_json::Value = serde_json::from_str(&edit.text).unwrap();
    assert_eq!(doc["name"], "Product Price Monitor");
    assert!(doc.get("id").is_none(), "ids are not editable");
    doc["name"] = "Renamed".into();
    doc.as_object_mut().unwrap().remove("description");
    let sent = app.edited(edit.clone(), Ok(doc.to_string()));
    let Request::UpdateFlow { id, patch } = requests(&sent)[0] else {
        panic!("{sent:?}")
    };
    assert_eq!(id, "flow-1");
    assert_eq!(patch["name"], "Renamed");
    assert!(patch["description"].is_null() && patch.get("description").is_some());
}

#[test]
fn after_a_delete_the_selection_moves_to_the_next_flow() {
    let (mut app, mut data) = loaded();
    press(&mut app, &data, KeyCode::Down);
    assert_eq!(selected_flow(&app), "flow-2");
    ctrl(&mut app, &data, 'd');
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    data.flows.retain(|f| f.id != "flow-2");
    reply(
        &mut app,
        &commands,
        &data,
        Reply::FlowDeleted {
            id: "flow-2".into(),
            message: "Flow flow-2 deleted successfully".into(),
        },
    );
    assert_eq!(app.flows().table.rows.len(), 5);
    assert_eq!(selected_flow(&app), "flow-3", "the row that took its place");
    assert!(app.flash.as_ref().unwrap().text.contains("deleted"));
    // The last row deleted: the one above it.
    press(&mut app, &data, KeyCode::Char('G'));
    let last = selected_flow(&app);
    ctrl(&mut app, &data, 'd');
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    data.flows.retain(|f| f.id != last);
    reply(
        &mut app,
        &commands,
        &data,
        Reply::FlowDeleted {
            id: last,
            message: "deleted".into(),
        },
    );
    assert_eq!(selected_flow(&app), data.flows.last().unwrap().id);
}

#[test]
fn ctrl_d_deletes_only_after_choosing_delete() {
    let (mut app, data) = loaded();
    ctrl(&mut app, &data, 'd');
    let Overlay::Confirm(c) = &app.overlay else {
        panic!()
    };
    assert!(!c.yes_focused, "Cancel is the default");
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert!(requests(&commands).is_empty());
    assert!(matches!(app.overlay, Overlay::None));
    ctrl(&mut app, &data, 'd');
    press(&mut app, &data, KeyCode::Tab);
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert_eq!(
        requests(&commands),
        vec![&Request::DeleteFlow("flow-1".into())]
    );
    ctrl(&mut app, &data, 'd');
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::DeleteFlow("flow-1".into())]
    );
}

#[test]
fn readonly_refuses_every_change() {
    let data = Data::default();
    let mut app = common::app();
    app.settings.readonly = true;
    let first = app.start();
    serve(&mut app, &data, first);
    for c in ['t', 'p', 'n', 'e'] {
        let commands = press(&mut app, &data, KeyCode::Char(c));
        assert!(commands.is_empty(), "{c}: {commands:?}");
        assert!(matches!(app.overlay, Overlay::None));
        assert!(app.flash.as_ref().unwrap().text.contains("read-only"));
    }
    assert!(ctrl(&mut app, &data, 'd').is_empty());
    assert!(matches!(app.overlay, Overlay::None));
    // Looking is still fine.
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(app.context(), Context::Runs);
}

fn on_runs(all: bool) -> (App, Data) {
    let (mut app, data) = loaded();
    if all {
        chars(&mut app, &data, ":runs");
        press(&mut app, &data, KeyCode::Enter);
    } else {
        press(&mut app, &data, KeyCode::Enter);
    }
    (app, data)
}

#[test]
fn runs_keys_open_logs_describe_and_items() {
    for open in [KeyCode::Enter, KeyCode::Char('l')] {
        let (mut app, data) = on_runs(true);
        press(&mut app, &data, KeyCode::Char('j'));
        let id = runs_view(&app).table.selected_row().unwrap().id.clone();
        let commands = press(&mut app, &data, open);
        assert_eq!(logs_view(&app).run_id, id);
        assert!(
            commands
                .iter()
                .any(|c| matches!(c, Command::FollowLogs { .. }))
        );
        let commands = press(&mut app, &data, KeyCode::Esc);
        assert!(
            commands.contains(&Command::StopLogs),
            "leaving logs stops following"
        );
        assert_eq!(app.context(), Context::Runs);
    }
    let (mut app, data) = on_runs(true);
    press(&mut app, &data, KeyCode::Char('d'));
    match app.screen() {
        Screen::Describe(v) => assert_eq!(v.target, Target::Run(data.runs[0].id.clone())),
        _ => panic!(),
    }
    press(&mut app, &data, KeyCode::Esc);
    press(&mut app, &data, KeyCode::Char('i'));
    match app.screen() {
        Screen::Items(v) => {
            assert_eq!(
                v.columns,
                vec!["name", "price", "url"],
                "the schema's order"
            );
            assert_eq!(v.table.rows.len(), 5);
        }
        _ => panic!(),
    }
}

#[test]
fn t_on_a_run_runs_its_flow_again() {
    let (mut app, data) = on_runs(true);
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('t'));
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::TriggerRun(data.runs[1].flow_id.clone())]
    );
    // From a runs view the logs go straight on top of it.
    let crumbs = app.crumbs();
    let mut run = data.runs[1].clone();
    run.id = "run-again".into();
    reply(&mut app, &commands, &data, Reply::Triggered(run));
    assert_eq!(app.crumbs(), format!("{crumbs} > run-again > logs"));
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.crumbs(), crumbs);
}

#[test]
fn ctrl_k_cancels_a_live_run_after_a_confirm_and_refuses_a_finished_one() {
    let (mut app, data) = on_runs(true);
    ctrl(&mut app, &data, 'k');
    let Overlay::Confirm(c) = &app.overlay else {
        panic!()
    };
    assert!(!c.yes_focused);
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::CancelRun(data.runs[0].id.clone())]
    );
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(
        runs_view(&app).table.selected_row().unwrap().status,
        RunStatus::Completed
    );
    let commands = ctrl(&mut app, &data, 'k');
    assert!(commands.is_empty());
    assert!(matches!(app.overlay, Overlay::None));
    assert!(app.flash.as_ref().unwrap().text.contains("completed"));
}

#[test]
fn ctrl_z_shows_failed_runs_only_and_back() {
    let (mut app, data) = on_runs(true);
    let commands = app.handle_key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('z'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    assert!(
        requests(&commands)
            .iter()
            .any(|r| matches!(r, Request::Runs(f) if f.status == Some(RunStatus::Failed)))
    );
    serve(&mut app, &data, commands);
    let v = runs_view(&app);
    assert!(v.failed_only);
    assert!(!v.table.rows.is_empty());
    assert!(v.table.rows.iter().all(|r| r.status == RunStatus::Failed));
    ctrl(&mut app, &data, 'z');
    assert_eq!(runs_view(&app).table.rows.len(), 40);
}

fn on_logs(lines: u64) -> (App, Data) {
    let (mut app, data) = on_runs(true);
    let commands = press(&mut app, &data, KeyCode::Enter);
    feed_logs(&mut app, &commands, common::logs(lines), None);
    app.body_rows.set(10);
    (app, data)
}

#[test]
fn logs_follow_until_scrolled_up_and_g_follows_again() {
    let (mut app, data) = on_logs(50);
    assert_eq!(logs_view(&app).scroll, LogScroll::Following);
    press(&mut app, &data, KeyCode::Char('k'));
    assert_eq!(logs_view(&app).scroll, LogScroll::Manual { top: 39 });
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(
        logs_view(&app).scroll,
        LogScroll::Manual { top: 40 },
        "scrolling down stays paused"
    );
    press(&mut app, &data, KeyCode::PageUp);
    assert_eq!(logs_view(&app).scroll, LogScroll::Manual { top: 30 });
    press(&mut app, &data, KeyCode::Char('g'));
    assert_eq!(logs_view(&app).scroll, LogScroll::Manual { top: 0 });
    press(&mut app, &data, KeyCode::Char('G'));
    assert_eq!(logs_view(&app).scroll, LogScroll::Following);
    press(&mut app, &data, KeyCode::Char('s'));
    assert_eq!(logs_view(&app).scroll, LogScroll::Manual { top: 40 });
    press(&mut app, &data, KeyCode::Char('s'));
    assert_eq!(logs_view(&app).scroll, LogScroll::Following);
}

#[test]
fn logs_wrap_and_timestamps_toggle() {
    let (mut app, data) = on_logs(5);
    let v = logs_view(&app);
    assert!((!v.wrap, v.timestamps) == (true, true));
    press(&mut app, &data, KeyCode::Char('w'));
    press(&mut app, &data, KeyCode::Char('t'));
    let v = logs_view(&app);
    assert!(v.wrap && !v.timestamps);
    let text = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(text.contains("Follow:On Wrap:On Timestamps:Off"), "{text}");
}

#[test]
fn logs_search_jumps_between_matches() {
    let (mut app, data) = on_logs(50);
    press(&mut app, &data, KeyCode::Char('/'));
    chars(&mut app, &data, "503");
    press(&mut app, &data, KeyCode::Enter);
    let v = logs_view(&app);
    let search = v.search.as_ref().unwrap();
    // Lines 9, 18, 27, 36, 45 (indices 8, 17, ...): from the bottom view (top 40), the first is 44.
    assert_eq!(search.matches, vec![8, 17, 26, 35, 44]);
    assert_eq!(search.current, 4);
    assert!(matches!(v.scroll, LogScroll::Manual { .. }));
    press(&mut app, &data, KeyCode::Char('n'));
    assert_eq!(
        logs_view(&app).search.as_ref().unwrap().current,
        0,
        "wraps around"
    );
    assert_eq!(logs_view(&app).scroll, LogScroll::Manual { top: 3 });
    press(&mut app, &data, KeyCode::Char('N'));
    press(&mut app, &data, KeyCode::Char('N'));
    assert_eq!(logs_view(&app).search.as_ref().unwrap().current, 3);
    // esc clears the search before it leaves the view.
    press(&mut app, &data, KeyCode::Esc);
    assert!(logs_view(&app).search.is_none());
}

#[test]
fn logs_ctrl_s_saves_what_is_shown() {
    let (mut app, data) = on_logs(12);
    let dir = tempfile::tempdir().unwrap();
    app.settings.save_dir = dir.path().to_path_buf();
    ctrl(&mut app, &data, 's');
    let path = dir.path().join(format!("{}.log", logs_view(&app).run_id));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 12);
    assert!(text.contains("Run queued"));
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains(&path.display().to_string())
    );
}

#[test]
fn repeated_log_lines_from_a_resumed_stream_are_kept_once() {
    let (mut app, data) = on_runs(true);
    let commands = press(&mut app, &data, KeyCode::Enter);
    feed_logs(&mut app, &commands, common::logs(5), None);
    feed_logs(&mut app, &commands, common::logs(8), None);
    let seqs: Vec<u64> = logs_view(&app).lines.iter().map(|l| l.seq).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
}

#[test]
fn items_ctrl_s_asks_for_a_format_and_exports() {
    let (mut app, data) = on_runs(true);
    press(&mut app, &data, KeyCode::Char('i'));
    ctrl(&mut app, &data, 's');
    assert!(matches!(app.overlay, Overlay::ExportChoice { .. }));
    let commands = press(&mut app, &data, KeyCode::Char('c'));
    match requests(&commands)[0] {
        Request::ExportItems {
            run_id,
            format,
            path,
        } => {
            assert_eq!(run_id, &data.runs[0].id);
            assert_eq!(*format, ExportFormat::Csv);
            assert!(path.to_string_lossy().ends_with(&format!("{run_id}.csv")));
        }
        other => panic!("{other:?}"),
    }
    ctrl(&mut app, &data, 's');
    let commands = press(&mut app, &data, KeyCode::Char('j'));
    assert!(matches!(
        requests(&commands)[0],
        Request::ExportItems {
            format: ExportFormat::Json,
            ..
        }
    ));
}

#[test]
fn keys_create_with_scopes_and_revoke_after_a_confirm() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":keys");
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('n'));
    chars(&mut app, &data, "deploy flows:read,runs:write");
    let commands = press(&mut app, &data, KeyCode::Enter);
    match requests(&commands)[0] {
        Request::CreateKey(k) => {
            assert_eq!(k.name, "deploy");
            assert_eq!(k.scopes, vec![Scope::FlowsRead, Scope::RunsWrite]);
        }
        other => panic!("{other:?}"),
    }
    // Without scopes: a key that can only look.
    press(&mut app, &data, KeyCode::Char('n'));
    chars(&mut app, &data, "viewer");
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert!(
        matches!(requests(&commands)[0], Request::CreateKey(k) if k.scopes == vec![Scope::FlowsRead, Scope::RunsRead])
    );
    // A wrong scope is named, nothing is sent.
    press(&mut app, &data, KeyCode::Char('n'));
    chars(&mut app, &data, "x flows:admin");
    let commands = press(&mut app, &data, KeyCode::Enter);
    assert!(requests(&commands).is_empty());
    assert!(app.flash.as_ref().unwrap().text.contains("flows:admin"));

    press(&mut app, &data, KeyCode::Char('j'));
    ctrl(&mut app, &data, 'd');
    let commands = press(&mut app, &data, KeyCode::Esc);
    assert!(requests(&commands).is_empty());
    ctrl(&mut app, &data, 'd');
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::RevokeKey("key-2".into())]
    );
}

#[test]
fn a_full_key_is_shown_once_in_a_notice() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":keys");
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('n'));
    chars(&mut app, &data, "deploy");
    let commands = press(&mut app, &data, KeyCode::Enter);
    let mut created = data.keys[1].clone();
    created.key = "scr_live_FULLKEYFULLKEYFULLKEYFULLKEYFULLKEY1234".into();
    reply(&mut app, &commands, &data, Reply::KeyCreated(created));
    let text = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(
        text.contains("scr_live_FULLKEYFULLKEYFULLKEYFULLKEYFULLKEY1234"),
        "{text}"
    );
    press(&mut app, &data, KeyCode::Enter);
    let text = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(!text.contains("FULLKEY"), "gone once closed");
}

#[test]
fn the_header_hints_and_help_come_from_one_table() {
    use scraper_tui::app::keymap::{KEYMAP, hints};
    let (mut app, data) = loaded();
    let header = scraper_tui::headless::render_text(&app, 120, 40);
    for b in hints(Context::Flows, false).iter().take(9) {
        assert!(
            header.contains(b.label),
            "{} missing from the header",
            b.label
        );
    }
    press(&mut app, &data, KeyCode::Char('?'));
    app.body_rows.set(40);
    let help = scraper_tui::headless::render_text(&app, 120, 60);
    for b in KEYMAP.iter().filter(|b| b.context == Context::Flows) {
        assert!(help.contains(b.label), "{} missing from help", b.label);
    }
}

#[test]
fn a_flash_clears_itself() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":nope");
    press(&mut app, &data, KeyCode::Enter);
    let at = app.flash.as_ref().unwrap().at;
    assert!(!app.expire_flash(at + std::time::Duration::from_secs(1)));
    assert!(app.flash.is_some());
    assert!(app.expire_flash(at + scraper_tui::app::FLASH_FOR));
    assert!(app.flash.is_none());
}

#[test]
fn no_color_draws_without_colours_but_keeps_the_selection_visible() {
    use ratatui::style::{Color, Modifier};
    let draw = |color: bool| {
        let (mut app, _) = loaded();
        app.settings.color = color;
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| scraper_tui::draw(&app, f)).unwrap();
        terminal.backend().buffer().clone()
    };
    let plain = draw(false);
    assert!(
        plain
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR: no cell has a colour"
    );
    assert!(
        plain
            .content
            .iter()
            .any(|c| c.modifier.contains(Modifier::REVERSED)),
        "the selected row is still marked"
    );
    let coloured = draw(true);
    assert!(
        coloured.content.iter().any(|c| c.fg == Color::Green),
        "active is green"
    );
    let ansi_only = coloured
        .content
        .iter()
        .all(|c| !matches!(c.fg, Color::Rgb(..) | Color::Indexed(_)));
    assert!(ansi_only, "only the 16 ANSI colours");
}

/// Answers every `Keys` request among `commands` with a 403, the rest from `data`.
fn keys_forbidden(app: &mut App, data: &Data, commands: Vec<Command>) {
    let forbidden = || scraper_common::ClientError::Api {
        status: 403,
        code: "forbidden".into(),
        message: "this API key lacks the `keys:read` scope needed here".into(),
    };
    let mut rest = Vec::new();
    for command in commands {
        match command {
            Command::Api(tag, Request::Keys) => {
                let next = app.apply(Incoming::Api(Box::new(ApiResult {
                    tag,
                    request: Request::Keys,
                    result: Err(forbidden()),
                })));
                rest.extend(next);
            }
            other => rest.push(other),
        }
    }
    serve(app, data, rest);
}

#[test]
fn a_403_on_one_view_shows_in_that_view_flashes_once_and_leaves_the_connection_alone() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":keys");
    let commands = app.handle_key(key_event(KeyCode::Enter));
    keys_forbidden(&mut app, &data, commands);
    assert_eq!(app.conn, scraper_tui::app::Connection::Connected);
    assert!(app.view_error().unwrap().contains("keys:read"));
    assert!(app.flash.as_ref().unwrap().error);
    let screen = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(screen.contains("lacks the `keys:read` scope"), "{screen}");
    assert!(!screen.contains("loading"), "{screen}");
    assert!(screen.contains("● connected"), "{screen}");

    // The next refreshes fail the same way: no new flash, same state.
    app.flash = None;
    for _ in 0..2 {
        let commands = app.refresh();
        keys_forbidden(&mut app, &data, commands);
    }
    assert_eq!(app.flash, None, "the body already says it");
    assert_eq!(app.conn, scraper_tui::app::Connection::Connected);
    assert!(app.view_error().is_some());

    // Other views are not marked by it.
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.context(), Context::Flows);
    assert_eq!(app.view_error(), None);
    let screen = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(!screen.contains("keys:read"), "{screen}");
}

fn key_event(code: KeyCode) -> ratatui::crossterm::event::KeyEvent {
    ratatui::crossterm::event::KeyEvent::new(code, ratatui::crossterm::event::KeyModifiers::NONE)
}

#[test]
fn readonly_hides_every_write_key_from_the_hints_and_the_help() {
    use scraper_tui::app::keymap::KEYMAP;
    let (mut app, data) = loaded();
    app.settings.readonly = true;
    let views: [(&str, Context); 4] = [
        ("", Context::Flows),
        (":runs", Context::Runs),
        (":keys", Context::Keys),
        (":deliveries flow-1", Context::Deliveries),
    ];
    for (command, context) in views {
        if !command.is_empty() {
            chars(&mut app, &data, command);
            press(&mut app, &data, KeyCode::Enter);
        }
        assert_eq!(app.context(), context);
        let writes: Vec<&str> = KEYMAP
            .iter()
            .filter(|b| b.context == context && b.writes)
            .map(|b| b.label)
            .collect();
        assert!(!writes.is_empty(), "{context:?} has write keys to hide");
        let header = scraper_tui::headless::render_text(&app, 120, 40);
        press(&mut app, &data, KeyCode::Char('?'));
        let help = scraper_tui::headless::render_text(&app, 120, 60);
        press(&mut app, &data, KeyCode::Esc);
        let hint_area: String = header.lines().take(5).collect::<Vec<_>>().join("\n");
        for label in writes {
            // "<t> trigger" and the like; a label can be part of another word.
            assert!(
                !hint_area.contains(&format!("> {label}")),
                "`{label}` in the read-only header:\n{hint_area}"
            );
            assert!(
                !help.contains(&format!(" {label}\n")) && !help.contains(&format!(" {label} ")),
                "`{label}` in the read-only help:\n{help}"
            );
        }
        // The reading keys are still there.
        for b in KEYMAP
            .iter()
            .filter(|b| (b.context == context || b.context == Context::Global) && !b.writes)
        {
            assert!(help.contains(b.label), "`{}` missing:\n{help}", b.label);
        }
    }
}

#[test]
fn describe_offers_no_filter_it_does_not_have() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('d'));
    assert_eq!(app.context(), Context::Describe);
    let header = scraper_tui::headless::render_text(&app, 120, 40);
    let hints: String = header.lines().take(5).collect::<Vec<_>>().join("\n");
    assert!(!hints.contains("filter"), "{hints}");
    assert!(hints.contains("back"), "{hints}");
    let commands = press(&mut app, &data, KeyCode::Char('/'));
    assert!(commands.is_empty());
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.flash, None);
    // Scrolling still works there.
    press(&mut app, &data, KeyCode::Char('j'));
    match app.screen() {
        Screen::Describe(v) => assert_eq!(v.scroll, 1),
        _ => unreachable!(),
    }
}

#[test]
fn a_tick_leaves_a_request_still_on_its_way_alone_so_a_slow_server_is_still_heard() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":runs");
    // The runs view asks; the server takes longer than the tick.
    let slow = app.handle_key(key_event(KeyCode::Enter));
    assert!(
        requests(&slow)
            .iter()
            .any(|r| matches!(r, Request::Runs(_)))
    );
    let ticked = app.tick();
    assert!(
        !requests(&ticked)
            .iter()
            .any(|r| matches!(r, Request::Runs(_))),
        "the tick would replace it and drop its answer: {ticked:?}"
    );
    // The answer, late, still counts.
    serve(&mut app, &data, slow);
    assert_eq!(runs_view(&app).table.rows.len(), 40);
    // Answered: the next tick asks again.
    serve(&mut app, &data, ticked);
    let again = app.tick();
    assert!(
        requests(&again)
            .iter()
            .any(|r| matches!(r, Request::Runs(_)))
    );
    // That one is on its way too; `ctrl-r` asks anyway: the user wants it now.
    let forced = app.handle_key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    assert!(
        requests(&forced)
            .iter()
            .any(|r| matches!(r, Request::Runs(_)))
    );
    assert!(
        requests(&forced)
            .iter()
            .any(|r| matches!(r, Request::Flows(_)))
    );
}

fn changes_view(app: &App) -> &scraper_tui::app::nav::ChangesView {
    match app.screen() {
        Screen::Changes(v) => v,
        other => panic!("not on changes: {:?}", other.context()),
    }
}

fn deliveries_view(app: &App) -> &scraper_tui::app::nav::DeliveriesView {
    match app.screen() {
        Screen::Deliveries(v) => v,
        other => panic!("not on deliveries: {:?}", other.context()),
    }
}

fn screen(app: &App) -> String {
    scraper_tui::headless::render_text(app, 120, 40)
}

#[test]
fn c_on_a_flow_shows_its_change_history_newest_run_first() {
    let (mut app, data) = loaded();
    let commands = app.handle_key(key('c'));
    assert!(requests(&commands).contains(&&Request::Changes {
        target: Target::Flow("flow-1".into()),
        kind: None
    }));
    serve(&mut app, &data, commands);
    assert_eq!(app.context(), Context::Changes);
    assert_eq!(app.crumbs(), "flows > Product Price Monitor > changes");
    let v = changes_view(&app);
    let runs: Vec<&str> = v
        .table
        .rows
        .iter()
        .map(|c| c.entry.run_id.as_str())
        .collect();
    assert_eq!(runs.len(), 7);
    assert!(runs[..6].iter().all(|r| *r == common::run_id(6)));
    assert_eq!(runs[6], common::run_id(12));
    let text = screen(&app);
    assert!(
        text.contains("2 added · 1 removed · 4 changed in 2 runs"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} · 18m ago", common::run_id(6))),
        "{text}"
    );
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(app.context(), Context::Flows);
}

#[test]
fn c_on_a_run_shows_its_changes_once_it_has_finished() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('j'));
    let commands = app.handle_key(key('c'));
    let run = common::run_id(6);
    assert_eq!(
        requests(&commands),
        vec![&Request::Changes {
            target: Target::Run(run.clone()),
            kind: None
        }]
    );
    serve(&mut app, &data, commands);
    assert_eq!(
        app.crumbs(),
        format!("flows > Product Price Monitor > runs > {run} > changes")
    );
    assert_eq!(changes_view(&app).table.rows.len(), 6);
    let text = screen(&app);
    assert!(
        text.contains("2 added · 1 removed · 3 changed · 45 unchanged · notified"),
        "{text}"
    );
    assert!(text.contains("price  79.99 → 69.99 (−12.5%)"), "{text}");
    assert!(text.contains("+ example-store.com/product/6"), "{text}");
    assert!(text.contains("- example-store.com/product/3"), "{text}");
    // A finished run's changes do not change: the tick does not ask again.
    assert!(
        !requests(&app.tick())
            .iter()
            .any(|r| matches!(r, Request::Changes { .. }))
    );
}

#[test]
fn a_run_or_flow_without_changes_says_why() {
    // News Headlines is no monitor; run 36 is the price monitor's first.
    let cases: [(usize, &str); 3] = [
        (
            2,
            "this run compared nothing: only monitor runs record changes",
        ),
        (
            36,
            "a baseline: the monitor's first completed run had nothing to compare with",
        ),
        (18, "no changes: the same as the run before"),
    ];
    for (index, says) in cases {
        let (mut app, data) = on_runs(true);
        for _ in 0..index {
            press(&mut app, &data, KeyCode::Char('j'));
        }
        assert_eq!(
            runs_view(&app).table.selected_row().unwrap().id,
            common::run_id(index)
        );
        press(&mut app, &data, KeyCode::Char('c'));
        let text = screen(&app);
        assert!(text.contains(says), "run {index}:\n{text}");
    }
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('c'));
    let text = screen(&app);
    assert!(
        text.contains("this flow is not a monitor: only monitor runs record changes"),
        "{text}"
    );
}

#[test]
fn f_in_the_changes_asks_for_one_kind_at_a_time() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('c'));
    let commands = app.handle_key(key('f'));
    assert!(requests(&commands).contains(&&Request::Changes {
        target: Target::Flow("flow-1".into()),
        kind: Some(scraper_common::ChangeKind::Added)
    }));
    serve(&mut app, &data, commands);
    assert_eq!(changes_view(&app).table.rows.len(), 2);
    assert!(screen(&app).contains("Changes(Product Price Monitor, added)[2]"));
    press(&mut app, &data, KeyCode::Char('f'));
    assert_eq!(changes_view(&app).table.rows.len(), 1, "removed");
    press(&mut app, &data, KeyCode::Char('f'));
    assert_eq!(changes_view(&app).table.rows.len(), 4, "changed");
    press(&mut app, &data, KeyCode::Char('f'));
    press(&mut app, &data, KeyCode::Char('f'));
    assert_eq!(changes_view(&app).kind, None);
    assert_eq!(changes_view(&app).table.rows.len(), 7);
}

#[test]
fn the_changes_scroll_by_row_and_filter_with_slash() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('c'));
    app.body_rows.set(4);
    // 2 headings and 7 entries: 9 rows, 4 on screen.
    assert_eq!(changes_view(&app).height(), 9);
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(changes_view(&app).scroll, 1);
    press(&mut app, &data, KeyCode::Char('G'));
    assert_eq!(changes_view(&app).scroll, 5);
    press(&mut app, &data, KeyCode::Char('k'));
    assert_eq!(changes_view(&app).scroll, 4, "up from the bottom at once");
    press(&mut app, &data, KeyCode::Char('g'));
    assert_eq!(changes_view(&app).scroll, 0);
    press(&mut app, &data, KeyCode::Char('/'));
    chars(&mut app, &data, "earbuds");
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(changes_view(&app).table.visible_len(), 1);
    let text = screen(&app);
    assert!(text.contains("Noise Cancelling Earbuds"), "{text}");
    assert!(!text.contains("Webcam"), "{text}");
    press(&mut app, &data, KeyCode::Esc);
    assert_eq!(
        changes_view(&app).table.visible_len(),
        7,
        "esc clears the filter"
    );
}

#[test]
fn a_text_change_shows_its_diff_with_markers_even_without_colour() {
    let (mut app, data) = loaded();
    app.settings.color = false;
    press(&mut app, &data, KeyCode::Char('G'));
    press(&mut app, &data, KeyCode::Char('c'));
    let text = screen(&app);
    for line in [
        "± rival.example.com/catalog  +2 −1 lines",
        "    @@ -1,4 +1,5 @@",
        "    -Widget Pro — $49",
        "    +Widget Pro — $44",
        "     Catalog",
    ] {
        assert!(text.contains(line), "`{line}` missing:\n{text}");
    }
    assert!(!text.contains("--- previous"), "{text}");
}

#[test]
fn w_on_a_flow_lists_its_webhook_deliveries_and_enter_their_attempts() {
    let (mut app, data) = loaded();
    let commands = app.handle_key(key('w'));
    assert_eq!(
        requests(&commands),
        vec![&Request::Deliveries("flow-1".into())]
    );
    serve(&mut app, &data, commands);
    assert_eq!(app.crumbs(), "flows > Product Price Monitor > deliveries");
    let v = deliveries_view(&app);
    assert_eq!(v.table.rows.len(), 4);
    assert!(!v.attempts);
    let text = screen(&app);
    assert!(
        text.contains("● on · https://hooks.example.com/scraper"),
        "{text}"
    );
    assert!(!text.contains("Attempts("), "{text}");
    press(&mut app, &data, KeyCode::Enter);
    assert!(deliveries_view(&app).attempts);
    let text = screen(&app);
    assert!(
        text.contains("Attempts(msg_2x8Kq0fJ3nR5tV7wY9aB)"),
        "{text}"
    );
    assert!(
        text.contains("the receiver answered 503 Service Unavailable"),
        "{text}"
    );
    assert!(
        text.contains("↳ <html> <body>Service Unavailable</body> </html>"),
        "{text}"
    );
    assert!(text.contains("next attempt in 4m"), "{text}");
    // The pane follows the selection.
    press(&mut app, &data, KeyCode::Char('j'));
    let text = screen(&app);
    assert!(
        text.contains("Attempts(msg_7hT1cV3bN5mQ8wE2rY4uI)"),
        "{text}"
    );
    assert!(text.contains(r#"↳ {"ok":true}"#), "{text}");
    press(&mut app, &data, KeyCode::Enter);
    assert!(!deliveries_view(&app).attempts);
}

#[test]
fn r_redelivers_the_selected_message_after_a_confirm() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('w'));
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('j'));
    let commands = press(&mut app, &data, KeyCode::Char('r'));
    assert!(requests(&commands).is_empty(), "nothing before the confirm");
    let id = "msg_9pL4kJ6hG8fD0sA2zX5cV";
    match &app.overlay {
        Overlay::Confirm(c) => {
            assert_eq!(
                c.pending,
                Pending::Redeliver {
                    id: id.into(),
                    event: "run.failed".into()
                }
            );
            assert!(
                c.message.contains("It is failed after 3 attempts"),
                "{}",
                c.message
            );
        }
        other => panic!("{other:?}"),
    }
    // `n` keeps it, `y` sends it.
    press(&mut app, &data, KeyCode::Char('n'));
    assert!(matches!(app.overlay, Overlay::None));
    press(&mut app, &data, KeyCode::Char('r'));
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(requests(&commands), vec![&Request::Redeliver(id.into())]);
    let mut due = data.deliveries[2].clone();
    due.status = scraper_common::DeliveryStatus::Pending;
    let next = app.apply(Incoming::Api(Box::new(ApiResult {
        tag: match &commands[0] {
            Command::Api(tag, _) => *tag,
            other => panic!("{other:?}"),
        },
        request: Request::Redeliver(id.into()),
        result: Ok(Reply::Redelivered(due)),
    })));
    assert!(
        requests(&next)
            .iter()
            .any(|r| **r == Request::Deliveries("flow-1".into())),
        "the list is asked again: {next:?}"
    );
    let flash = app.flash.as_ref().unwrap();
    assert!(
        !flash.error && flash.text.contains("due again now"),
        "{flash:?}"
    );
}

#[test]
fn readonly_hides_redeliver_and_refuses_it() {
    let (mut app, data) = loaded();
    app.settings.readonly = true;
    press(&mut app, &data, KeyCode::Char('w'));
    for c in ['r', 'p', 's'] {
        let commands = press(&mut app, &data, KeyCode::Char(c));
        assert!(commands.is_empty(), "{c}: {commands:?}");
        assert!(matches!(app.overlay, Overlay::None));
        assert!(app.flash.as_ref().unwrap().text.contains("read-only"));
    }
    let text = screen(&app);
    let header: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    assert!(!header.contains("redeliver"), "{header}");
    assert!(header.contains("<enter> attempts"), "{header}");
    // Looking at the attempts is still fine.
    press(&mut app, &data, KeyCode::Enter);
    assert!(deliveries_view(&app).attempts);
}

#[test]
fn p_resumes_a_webhook_a_410_stopped_and_only_such_a_one() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('w'));
    press(&mut app, &data, KeyCode::Char('p'));
    assert!(matches!(app.overlay, Overlay::None));
    assert!(app.flash.as_ref().unwrap().text.contains("are not stopped"));
    press(&mut app, &data, KeyCode::Esc);
    press(&mut app, &data, KeyCode::Char('G'));
    press(&mut app, &data, KeyCode::Char('w'));
    assert!(screen(&app).contains("✗ stopped: the receiver answered 410 Gone (p resumes)"));
    press(&mut app, &data, KeyCode::Char('p'));
    let url = "https://hooks.example.net/rival".to_string();
    match &app.overlay {
        Overlay::Confirm(c) => assert_eq!(
            c.pending,
            Pending::ResumeWebhook {
                flow_id: "flow-6".into(),
                url: url.clone()
            }
        ),
        other => panic!("{other:?}"),
    }
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::ResumeWebhook {
            flow_id: "flow-6".into(),
            url
        }]
    );
}

#[test]
fn s_rotates_the_secret_and_shows_the_new_one_once() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('w'));
    press(&mut app, &data, KeyCode::Char('s'));
    let Overlay::Confirm(c) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert!(!c.yes_focused, "Cancel is the default");
    let commands = press(&mut app, &data, KeyCode::Char('y'));
    assert_eq!(
        requests(&commands),
        vec![&Request::RotateSecret("flow-1".into())]
    );
    let mut flow = data.flows[0].clone();
    let secret = "whsec_C2hhbGwgSSBjb21wYXJlIHRoZWUgdG8gYSBzdW1tZXIncyBkYXk=";
    flow.webhook_secret = Some(secret.into());
    reply(&mut app, &commands, &data, Reply::SecretRotated(flow));
    assert!(matches!(app.overlay, Overlay::Notice(_)));
    assert!(screen(&app).contains(secret));
    press(&mut app, &data, KeyCode::Enter);
    assert!(!screen(&app).contains(secret), "gone once closed");
}

#[test]
fn a_webhook_secret_made_by_a_save_is_shown_once() {
    let (mut app, data) = loaded();
    let mut flow = data.flows[1].clone();
    flow.webhook_url = Some("https://hooks.example.com/jobs".into());
    // Masked, as every answer but the one that made it: no notice.
    flow.webhook_secret = Some("whsec_****abcd".into());
    let commands = vec![Command::Api(
        scraper_tui::app::action::Tag {
            slot: Slot::Write,
            id: 900,
        },
        Request::UpdateFlow {
            id: flow.id.clone(),
            patch: serde_json::json!({}),
        },
    )];
    reply(&mut app, &commands, &data, Reply::FlowUpdated(flow.clone()));
    assert!(matches!(app.overlay, Overlay::None));
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    flow.webhook_secret = Some(secret.into());
    reply(&mut app, &commands, &data, Reply::FlowUpdated(flow.clone()));
    let Overlay::Notice(notice) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(notice.lines[0], secret);
    let text = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(text.contains(secret), "{text}");
    assert!(text.contains("shown this once"), "{text}");
    press(&mut app, &data, KeyCode::Enter);
    // A new flow with a webhook: the same.
    flow.id = "flow-9".into();
    reply(&mut app, &commands, &data, Reply::FlowCreated(flow));
    assert!(matches!(app.overlay, Overlay::Notice(_)));
}

#[test]
fn the_editor_holds_monitor_and_webhook_and_sends_only_what_changed() {
    let (mut app, data) = loaded();
    let commands = press(&mut app, &data, KeyCode::Char('e'));
    let next = reply(
        &mut app,
        &commands,
        &data,
        Reply::FlowForEdit(data.flows[0].clone()),
    );
    let Some(Command::Edit(edit)) = next.first() else {
        panic!("{next:?}")
    };
    let mut doc: serde_json::Value = serde_json::from_str(&edit.text).unwrap();
    assert_eq!(doc["webhookUrl"], "https://hooks.example.com/scraper");
    assert_eq!(doc["monitor"]["keepRuns"], 50);
    assert_eq!(doc["monitor"]["notifyOn"][1], "added");
    assert!(doc.get("webhookSecret").is_none(), "the server's");
    assert!(doc.get("webhookDisabled").is_none(), "the server's");
    doc["monitor"]["keepRuns"] = 20.into();
    doc["monitor"].as_object_mut().unwrap().remove("ignore");
    let sent = app.edited(edit.clone(), Ok(doc.to_string()));
    let Request::UpdateFlow { patch, .. } = requests(&sent)[0] else {
        panic!("{sent:?}")
    };
    // The webhook URL, unchanged, is not sent: it would resume stopped deliveries.
    assert_eq!(
        patch,
        &serde_json::json!({"monitor": {"keepRuns": 20, "ignore": null}})
    );
    // Saved with only the layout changed: nothing to send.
    let none = app.edited(
        edit.clone(),
        Ok(format!("{}\n\n", edit.text.replace("  ", "\t"))),
    );
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn changes_and_deliveries_commands_open_a_flow_by_name() {
    let (mut app, data) = loaded();
    chars(&mut app, &data, ":ch");
    press(&mut app, &data, KeyCode::Tab);
    chars(&mut app, &data, "comp");
    press(&mut app, &data, KeyCode::Tab);
    match &app.overlay {
        Overlay::Input(i) => assert_eq!(i.text, "changes Competitor Watch"),
        other => panic!("{other:?}"),
    }
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(changes_view(&app).target, Target::Flow("flow-6".into()));
    assert_eq!(changes_view(&app).table.rows.len(), 1);
    // Without a name: the flow selected in the list.
    chars(&mut app, &data, ":deliveries");
    press(&mut app, &data, KeyCode::Enter);
    assert_eq!(deliveries_view(&app).flow_id, "flow-1");
    assert_eq!(app.crumbs(), "flows > Product Price Monitor > deliveries");
}

#[test]
fn describe_of_a_monitor_run_counts_its_changes() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Enter);
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('d'));
    let text = screen(&app);
    assert!(
        text.contains("Changes       2 added, 1 removed, 3 changed, 45 unchanged, notified"),
        "{text}"
    );
}

#[test]
fn a_flow_without_a_webhook_says_how_to_get_one() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('j'));
    press(&mut app, &data, KeyCode::Char('w'));
    let text = screen(&app);
    assert!(text.contains("Webhook: none"), "{text}");
    assert!(
        text.contains("no webhook: set webhookUrl (e on the flow)"),
        "{text}"
    );
    // Nothing to resume or rotate.
    press(&mut app, &data, KeyCode::Char('s'));
    assert!(matches!(app.overlay, Overlay::None));
    assert!(app.flash.as_ref().unwrap().text.contains("has no webhook"));
}

/// The login test's failed run (a browser run, with two screenshots),
/// described.
fn on_browser_run_describe() -> (App, Data) {
    let (mut app, data) = on_runs(true);
    for _ in 0..common::INTERACT_RUN {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    press(&mut app, &data, KeyCode::Char('d'));
    assert_eq!(app.context(), Context::RunDescribe);
    (app, data)
}

fn describe_view(app: &App) -> &scraper_tui::app::nav::DescribeView {
    match app.screen() {
        Screen::Describe(v) => v,
        other => panic!("not on describe: {:?}", other.context()),
    }
}

fn ctrl_key(c: char) -> ratatui::crossterm::event::KeyEvent {
    ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    )
}

#[test]
fn ctrl_s_in_a_runs_describe_asks_for_the_selected_screenshot_and_writes_it() {
    let (mut app, data) = on_browser_run_describe();
    let dir = tempfile::tempdir().unwrap();
    app.settings.save_dir = dir.path().to_path_buf();
    let run_id = common::run_id(common::INTERACT_RUN);
    // Nothing drawn yet, so nothing to bring into view: `j` selects the second.
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(describe_view(&app).selected, 1);
    let commands = app.handle_key(ctrl_key('s'));
    assert_eq!(
        requests(&commands),
        vec![&Request::ScreenshotPng {
            run_id: run_id.clone(),
            n: 2
        }]
    );
    assert!(matches!(&commands[0], Command::Api(tag, _) if tag.slot == Slot::Write));
    // The answer is written where `--save-dir` says, and said.
    serve(&mut app, &data, commands);
    let path = dir.path().join(format!("{run_id}-screenshot-2.png"));
    assert_eq!(std::fs::read(&path).unwrap(), common::png(2));
    let flash = app.flash.as_ref().unwrap();
    assert!(!flash.error);
    assert!(
        flash.text.starts_with("saved screenshot 2 ("),
        "{}",
        flash.text
    );
    assert!(flash.text.contains(&path.display().to_string()));
    // A screenshot the server no longer has: the flash says which.
    press(&mut app, &data, KeyCode::Char('k'));
    let commands = app.handle_key(ctrl_key('s'));
    let Command::Api(tag, request) = commands[0].clone() else {
        panic!("{commands:?}")
    };
    app.apply(Incoming::Api(Box::new(ApiResult {
        tag,
        request,
        result: Err(scraper_common::ClientError::Api {
            status: 404,
            code: "not_found".into(),
            message: format!("run `{run_id}` has no screenshot 1"),
        }),
    })));
    let flash = app.flash.as_ref().unwrap();
    assert!(flash.error);
    assert_eq!(
        flash.text,
        format!("save screenshot 1 of {run_id}: run `{run_id}` has no screenshot 1 (not_found)")
    );
    assert!(
        !dir.path()
            .join(format!("{run_id}-screenshot-1.png"))
            .exists()
    );
}

#[test]
fn a_run_without_screenshots_has_none_to_save_nor_steps_to_list() {
    let (mut app, data) = on_runs(true);
    press(&mut app, &data, KeyCode::Char('d'));
    assert_eq!(app.context(), Context::RunDescribe);
    let commands = app.handle_key(ctrl_key('s'));
    assert!(commands.is_empty());
    let flash = app.flash.as_ref().unwrap();
    assert!(flash.error);
    assert_eq!(
        flash.text,
        format!("{} took no screenshots", data.runs[0].id)
    );
    let text = scraper_tui::headless::render_text(&app, 120, 40);
    assert!(
        !text.contains("Screenshots") && !text.contains("STEP"),
        "{text}"
    );
    // A flow's describe has no such key.
    press(&mut app, &data, KeyCode::Esc);
    press(&mut app, &data, KeyCode::Esc);
    press(&mut app, &data, KeyCode::Char('d'));
    assert_eq!(app.context(), Context::Describe);
    app.flash = None;
    assert!(app.handle_key(ctrl_key('s')).is_empty());
    assert_eq!(app.flash, None);
}

#[test]
fn screenshots_that_cannot_be_listed_leave_the_rest_of_the_run() {
    let (mut app, data) = on_runs(true);
    for _ in 0..common::INTERACT_RUN {
        press(&mut app, &data, KeyCode::Char('j'));
    }
    let commands = app.handle_key(key('d'));
    let (tag, request) = commands
        .iter()
        .find_map(|c| match c {
            Command::Api(tag, r @ Request::DescribeRun(_)) => Some((*tag, r.clone())),
            _ => None,
        })
        .unwrap();
    let Some(Reply::RunDetail { detail, .. }) = data.answer(&request) else {
        panic!()
    };
    app.apply(Incoming::Api(Box::new(ApiResult {
        tag,
        request,
        result: Ok(Reply::RunDetail {
            detail,
            screenshots: Err("no route for GET /api/runs/x/screenshots (not_found)".into()),
        }),
    })));
    let text = scraper_tui::headless::render_text(&app, 120, 40);
    assert!(text.contains("Failure       step_failed"), "{text}");
    assert!(
        text.contains("  could not be listed: no route for GET"),
        "{text}"
    );
    // The steps come from the log, which is still there.
    assert!(
        text.contains("steps[4] (click \"Load more\")        failed"),
        "{text}"
    );
    app.handle_key(ctrl_key('s'));
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .ends_with("took no screenshots")
    );
}

/// The screen as cells, for the tests that look at styles.
fn buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| scraper_tui::draw(app, f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The cell where `needle` starts on screen.
fn find(buffer: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    (0..area.height).find_map(|y| {
        let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        row.find(needle)
            .map(|at| (row[..at].chars().count() as u16, y))
    })
}

#[test]
fn j_and_k_bring_the_selected_screenshot_into_view_then_move_it() {
    use ratatui::style::Modifier;
    let (mut app, data) = on_browser_run_describe();
    let selected_label = |app: &App| {
        let b = buffer(app, 80, 24);
        let marked = |needle: &str| {
            find(&b, needle).is_some_and(|at| b[at].modifier.contains(Modifier::REVERSED))
        };
        match (marked("   1  steps[3]"), marked("   2  steps[4]")) {
            (true, false) => Some(1),
            (false, true) => Some(2),
            (false, false) => None,
            _ => panic!("both selected"),
        }
    };
    // At 80x24 the screenshots are below the fields.
    assert_eq!(selected_label(&app), None);
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(describe_view(&app).selected, 0, "first shown, not moved");
    assert_eq!(selected_label(&app), Some(1));
    let text = scraper_tui::headless::render_text(&app, 80, 24);
    assert!(
        text.contains("│Steps"),
        "the steps above come along:\n{text}"
    );
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(selected_label(&app), Some(2));
    // Past the last one, `j` scrolls the text again.
    let top = describe_view(&app).shown.get().unwrap().top;
    press(&mut app, &data, KeyCode::Char('j'));
    assert_eq!(selected_label(&app), Some(2));
    assert_eq!(describe_view(&app).shown.get().unwrap().top, top + 1);
    press(&mut app, &data, KeyCode::Char('k'));
    press(&mut app, &data, KeyCode::Char('k'));
    assert_eq!(selected_label(&app), Some(1));
    // `g` goes to the top; the selection stays, off screen.
    press(&mut app, &data, KeyCode::Char('g'));
    assert_eq!(selected_label(&app), None);
    assert_eq!(describe_view(&app).selected, 0);
}

#[test]
fn step_lines_in_the_logs_stand_out_with_and_without_colour() {
    use ratatui::style::{Color, Modifier};
    for color in [true, false] {
        let (mut app, data) = on_runs(true);
        for _ in 0..common::INTERACT_RUN {
            press(&mut app, &data, KeyCode::Char('j'));
        }
        let commands = press(&mut app, &data, KeyCode::Enter);
        feed_logs(&mut app, &commands, common::interact_logs(), None);
        app.settings.color = color;
        let b = buffer(&app, 120, 40);
        let at = |needle: &str| b[find(&b, needle).unwrap_or_else(|| panic!("{needle}"))].clone();
        let name = at("steps[0] (type");
        let rest = at(": typed 16");
        let time = at("(42 ms)");
        let failed = at("Step failed: steps[4]");
        let other = at("Run started");
        let start = at("Start: navigate");
        if color {
            assert_eq!(name.fg, Color::Cyan);
            assert_eq!(start.fg, Color::Cyan);
            assert_eq!(rest.fg, Color::Reset);
            assert_eq!(time.fg, Color::DarkGray);
            assert_eq!(failed.fg, Color::Red);
        } else {
            for cell in [&name, &rest, &time, &failed, &other] {
                assert_eq!(cell.fg, Color::Reset, "NO_COLOR: no colour");
            }
            assert!(name.modifier.contains(Modifier::BOLD));
            assert!(time.modifier.contains(Modifier::DIM));
            assert!(failed.modifier.contains(Modifier::BOLD));
        }
        assert!(other.modifier.is_empty() && other.fg == Color::Reset);
    }
}
