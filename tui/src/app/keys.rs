//! Key -> intent -> state change. Overlays take keys first; then the view's
//! bindings; then the general ones (see `keymap::lookup`).

use super::action::{Act, Command, ExportFormat, Request, Slot};
use super::keymap::{self, Key, Lookup};
use super::nav::{LogScroll, Screen, Search, Target};
use super::overlay::{Confirm, Input, InputKind, Overlay, Pending};
use super::{App, PAGE_LIMIT};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use scraper_common::{FlowMode, FlowStatus, NewKey, Scope};

impl App {
    pub fn handle_key(&mut self, event: KeyEvent) -> Vec<Command> {
        if event.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let key = Key::from_event(&event);
        if key == Key::ctrl('c') {
            return self.quit();
        }
        if !matches!(self.overlay, Overlay::None) {
            return self.overlay_key(key);
        }
        match keymap::lookup(self.context(), key, self.settings.readonly) {
            Lookup::Found(act) => self.act(act),
            Lookup::ReadOnly(label) => {
                self.flash_error(format!("read-only: `{label}` is disabled"));
                Vec::new()
            }
            Lookup::Unbound => Vec::new(),
        }
    }

    fn quit(&mut self) -> Vec<Command> {
        self.quit = true;
        vec![Command::StopLogs, Command::Quit]
    }

    pub fn act(&mut self, act: Act) -> Vec<Command> {
        let page = self.body_rows.get().max(1) as isize;
        match act {
            Act::Help => self.overlay = Overlay::Help { scroll: 0 },
            Act::Command => self.open_input(InputKind::Command, String::new()),
            Act::Filter => {
                let Some(current) = self.table_filter() else {
                    self.flash_error("this view has no filter");
                    return Vec::new();
                };
                // `/` again recalls the last filter.
                let text = if current.is_empty() {
                    self.last_filter.clone()
                } else {
                    current
                };
                self.open_input(InputKind::Filter, text);
                self.set_table_filter(&self.input_text());
            }
            Act::Back => {
                if self.table_filter().is_some_and(|f| !f.is_empty()) {
                    self.set_table_filter("");
                    return Vec::new();
                }
                if let Screen::Logs(v) = self.screen_mut()
                    && v.search.is_some()
                {
                    v.search = None;
                    return Vec::new();
                }
                return self.pop();
            }
            Act::Quit => {
                if self.stack.len() == 1 {
                    return self.quit();
                }
                return self.pop();
            }
            Act::ForceQuit => return self.quit(),
            Act::Refresh => return self.refresh(),
            Act::Up => self.scroll(-1),
            Act::Down => self.scroll(1),
            Act::PageUp => self.scroll(-page),
            Act::PageDown => self.scroll(page),
            Act::Top => self.scroll(isize::MIN),
            Act::Bottom => self.scroll(isize::MAX),
            Act::Open => {
                if let Some(f) = self.flows().table.selected_row() {
                    let flow = (f.id.clone(), f.name.clone());
                    return self.open_runs(Some(flow));
                }
            }
            Act::Describe => match self.screen() {
                Screen::Flows(v) => {
                    if let Some(f) = v.table.selected_row() {
                        let (id, name) = (f.id.clone(), f.name.clone());
                        return self.open_describe(Target::Flow(id), Some(name));
                    }
                }
                Screen::Runs(v) => {
                    if let Some(r) = v.table.selected_row() {
                        let id = r.id.clone();
                        return self.open_describe(Target::Run(id), None);
                    }
                }
                _ => {}
            },
            Act::Trigger => {
                if let Some(f) = self.flows().table.selected_row() {
                    let (flow_id, name) = (f.id.clone(), f.name.clone());
                    self.confirm_trigger(flow_id, name);
                }
            }
            Act::RunAgain => {
                if let Screen::Runs(v) = self.screen()
                    && let Some(r) = v.table.selected_row()
                {
                    let (flow_id, name) = (r.flow_id.clone(), r.flow_name.clone());
                    self.confirm_trigger(flow_id, name);
                }
            }
            Act::TogglePause => {
                if let Some(f) = self.flows().table.selected_row() {
                    let status = match f.status {
                        FlowStatus::Active | FlowStatus::Error => FlowStatus::Paused,
                        FlowStatus::Paused | FlowStatus::Draft => FlowStatus::Active,
                    };
                    let id = f.id.clone();
                    return vec![self.request(Slot::Write, Request::SetFlowStatus { id, status })];
                }
            }
            Act::NewFlow => return vec![Command::Edit(super::edit::new_flow())],
            Act::EditFlow => {
                if let Some(f) = self.flows().table.selected_row() {
                    let id = f.id.clone();
                    return vec![self.request(Slot::Write, Request::LoadFlowForEdit(id))];
                }
            }
            Act::DeleteFlow => {
                if let Some(f) = self.flows().table.selected_row() {
                    self.overlay = Overlay::Confirm(Confirm {
                        title: "Delete".into(),
                        message: format!(
                            "Delete flow {} ({}) with all its runs, logs and items?",
                            f.name, f.id
                        ),
                        yes: "Delete".into(),
                        pending: Pending::DeleteFlow {
                            id: f.id.clone(),
                            name: f.name.clone(),
                        },
                        yes_focused: false,
                    });
                }
            }
            Act::CycleStatus => {
                let v = self.flows_mut();
                v.status = cycle(v.status, FlowStatus::ALL);
                v.table.loaded = false;
                return self.refresh();
            }
            Act::CycleMode => {
                let v = self.flows_mut();
                v.mode = cycle(v.mode, FlowMode::ALL);
                v.table.loaded = false;
                return self.refresh();
            }
            Act::Logs => {
                if let Screen::Runs(v) = self.screen()
                    && let Some(r) = v.table.selected_row()
                {
                    let id = r.id.clone();
                    return self.open_logs(id);
                }
            }
            Act::Items => {
                if let Screen::Runs(v) = self.screen()
                    && let Some(r) = v.table.selected_row()
                {
                    let id = r.id.clone();
                    return self.open_items(id);
                }
            }
            Act::CancelRun => {
                if let Screen::Runs(v) = self.screen()
                    && let Some(r) = v.table.selected_row()
                {
                    if r.status.is_finished() {
                        let text = format!("{} has already {}", r.id, r.status);
                        self.flash_error(text);
                    } else {
                        self.overlay = Overlay::Confirm(Confirm {
                            title: "Cancel run".into(),
                            message: format!("Cancel {} of {} ({})?", r.id, r.flow_name, r.status),
                            yes: "Cancel run".into(),
                            pending: Pending::CancelRun { id: r.id.clone() },
                            yes_focused: false,
                        });
                    }
                }
            }
            Act::FailedOnly => {
                if let Screen::Runs(v) = self.screen_mut() {
                    v.failed_only = !v.failed_only;
                    v.table.loaded = false;
                    let on = v.failed_only;
                    self.flash_info(if on { "failed runs only" } else { "all runs" });
                    return self.screen_request().into_iter().collect();
                }
            }
            Act::Follow => {
                let rows = self.body_rows.get();
                if let Screen::Logs(v) = self.screen_mut() {
                    v.scroll = match v.scroll {
                        LogScroll::Following => LogScroll::Manual { top: v.top(rows) },
                        LogScroll::Manual { .. } => LogScroll::Following,
                    };
                }
            }
            Act::Wrap => {
                if let Screen::Logs(v) = self.screen_mut() {
                    v.wrap = !v.wrap;
                }
            }
            Act::Timestamps => {
                if let Screen::Logs(v) = self.screen_mut() {
                    v.timestamps = !v.timestamps;
                }
            }
            Act::Search => {
                let term = match self.screen() {
                    Screen::Logs(v) => v.search.as_ref().map(|s| s.term.clone()),
                    _ => None,
                };
                self.open_input(InputKind::Search, term.unwrap_or_default());
            }
            Act::NextMatch => self.jump_match(1),
            Act::PrevMatch => self.jump_match(-1),
            Act::SaveLogs => {
                if let Screen::Logs(v) = self.screen() {
                    match crate::export::save_logs(
                        &self.settings.save_dir,
                        &v.run_id,
                        &v.lines,
                        v.timestamps,
                    ) {
                        Ok(path) => {
                            let n = v.lines.len();
                            self.flash_info(format!("saved {n} lines to {}", path.display()));
                        }
                        Err(e) => self.flash_error(format!("could not save the logs: {e}")),
                    }
                }
            }
            Act::Export => {
                if let Screen::Items(v) = self.screen() {
                    self.overlay = Overlay::ExportChoice {
                        run_id: v.run_id.clone(),
                    };
                }
            }
            Act::NewKey => self.open_input(InputKind::NewKey, String::new()),
            Act::RevokeKey => {
                if let Screen::Keys(v) = self.screen()
                    && let Some(k) = v.table.selected_row()
                {
                    self.overlay = Overlay::Confirm(Confirm {
                        title: "Revoke".into(),
                        message: format!(
                            "Revoke key {} ({})? Programs using it stop working.",
                            k.name, k.key
                        ),
                        yes: "Revoke".into(),
                        pending: Pending::RevokeKey {
                            id: k.id.clone(),
                            name: k.name.clone(),
                        },
                        yes_focused: false,
                    });
                }
            }
        }
        Vec::new()
    }

    fn confirm_trigger(&mut self, flow_id: String, name: String) {
        self.overlay = Overlay::Confirm(Confirm {
            title: "Trigger".into(),
            message: format!("Start a run of {name} ({flow_id}) now?"),
            yes: "Run".into(),
            pending: Pending::TriggerRun { flow_id, name },
            yes_focused: true,
        });
    }

    fn open_input(&mut self, kind: InputKind, text: String) {
        self.overlay = Overlay::Input(Input {
            kind,
            before: self.table_filter().unwrap_or_default(),
            text,
            hint: None,
        });
    }

    fn input_text(&self) -> String {
        match &self.overlay {
            Overlay::Input(i) => i.text.clone(),
            _ => String::new(),
        }
    }

    /// The filter of the current view's table; `None` where there is none.
    pub fn table_filter(&self) -> Option<String> {
        match self.screen() {
            Screen::Flows(v) => Some(v.table.filter.clone()),
            Screen::Runs(v) => Some(v.table.filter.clone()),
            Screen::Items(v) => Some(v.table.filter.clone()),
            Screen::Keys(v) => Some(v.table.filter.clone()),
            Screen::Logs(_) | Screen::Describe(_) => None,
        }
    }

    fn set_table_filter(&mut self, filter: &str) {
        match self.screen_mut() {
            Screen::Flows(v) => v.table.set_filter(filter),
            Screen::Runs(v) => v.table.set_filter(filter),
            Screen::Items(v) => v.table.set_filter(filter),
            Screen::Keys(v) => v.table.set_filter(filter),
            Screen::Logs(_) | Screen::Describe(_) => {}
        }
    }

    /// Moves the selection or the text by `delta` rows; `isize::MIN`/`MAX`
    /// are the top and the bottom.
    fn scroll(&mut self, delta: isize) {
        let rows = self.body_rows.get().max(1);
        match self.screen_mut() {
            Screen::Flows(v) => move_table(&mut v.table, delta),
            Screen::Runs(v) => move_table(&mut v.table, delta),
            Screen::Items(v) => move_table(&mut v.table, delta),
            Screen::Keys(v) => move_table(&mut v.table, delta),
            Screen::Describe(v) => {
                v.scroll = match delta {
                    isize::MIN => 0,
                    isize::MAX => usize::MAX / 2,
                    d => (v.scroll as isize + d).max(0) as usize,
                };
            }
            Screen::Logs(v) => {
                let bottom = v.bottom_top(rows);
                v.scroll = match delta {
                    isize::MAX => LogScroll::Following,
                    isize::MIN => LogScroll::Manual { top: 0 },
                    d => {
                        let top = (v.top(rows) as isize + d).clamp(0, bottom as isize) as usize;
                        // Moving down inside a paused view keeps it paused:
                        // only `G` or `s` follow again.
                        LogScroll::Manual { top }
                    }
                };
            }
        }
    }

    fn jump_match(&mut self, step: isize) {
        let rows = self.body_rows.get().max(1);
        let Screen::Logs(v) = self.screen_mut() else {
            return;
        };
        let Some(search) = &mut v.search else {
            return;
        };
        if search.matches.is_empty() {
            let term = search.term.clone();
            self.flash_error(format!("no line matches `{term}`"));
            return;
        }
        let n = search.matches.len() as isize;
        search.current = (search.current as isize + step).rem_euclid(n) as usize;
        let line = search.matches[search.current];
        v.scroll = LogScroll::Manual {
            top: line.saturating_sub(rows / 2).min(v.bottom_top(rows)),
        };
    }

    fn overlay_key(&mut self, key: Key) -> Vec<Command> {
        match std::mem::take(&mut self.overlay) {
            Overlay::None => Vec::new(),
            Overlay::Help { scroll } => {
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down => {
                        self.overlay = Overlay::Help { scroll: scroll + 1 }
                    }
                    KeyCode::Char('k') | KeyCode::Up => {
                        self.overlay = Overlay::Help {
                            scroll: scroll.saturating_sub(1),
                        }
                    }
                    KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {}
                    _ => self.overlay = Overlay::Help { scroll },
                }
                Vec::new()
            }
            Overlay::Notice(notice) => {
                if !matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    self.overlay = Overlay::Notice(notice);
                }
                Vec::new()
            }
            Overlay::ExportChoice { run_id } => {
                let format = match key.code {
                    KeyCode::Char('j') | KeyCode::Char('J') => ExportFormat::Json,
                    KeyCode::Char('c') | KeyCode::Char('C') => ExportFormat::Csv,
                    KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
                    _ => {
                        self.overlay = Overlay::ExportChoice { run_id };
                        return Vec::new();
                    }
                };
                self.do_pending(Pending::Export { run_id, format })
            }
            Overlay::Confirm(mut confirm) => match key.code {
                KeyCode::Char('y') => self.do_pending(confirm.pending),
                KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
                KeyCode::Enter => {
                    if confirm.yes_focused {
                        self.do_pending(confirm.pending)
                    } else {
                        Vec::new()
                    }
                }
                KeyCode::Tab
                | KeyCode::BackTab
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Char('h')
                | KeyCode::Char('l') => {
                    confirm.yes_focused = !confirm.yes_focused;
                    self.overlay = Overlay::Confirm(confirm);
                    Vec::new()
                }
                _ => {
                    self.overlay = Overlay::Confirm(confirm);
                    Vec::new()
                }
            },
            Overlay::Input(input) => self.input_key(input, key),
        }
    }

    fn input_key(&mut self, mut input: Input, key: Key) -> Vec<Command> {
        match key.code {
            KeyCode::Esc => {
                if input.kind == InputKind::Filter {
                    self.set_table_filter(&input.before);
                }
                return Vec::new();
            }
            KeyCode::Enter => return self.submit_input(input),
            KeyCode::Backspace => {
                input.text.pop();
            }
            KeyCode::Tab if input.kind == InputKind::Command => {
                self.complete(&mut input);
            }
            KeyCode::Char(c) if !key.ctrl => input.text.push(c),
            KeyCode::Char('u') if key.ctrl => input.text.clear(),
            _ => {}
        }
        if input.kind == InputKind::Filter {
            self.set_table_filter(&input.text);
        }
        if key.code != KeyCode::Tab {
            input.hint = None;
        }
        self.overlay = Overlay::Input(input);
        Vec::new()
    }

    fn submit_input(&mut self, input: Input) -> Vec<Command> {
        let text = input.text.trim().to_string();
        match input.kind {
            InputKind::Filter => {
                self.set_table_filter(&text);
                if !text.is_empty() {
                    self.last_filter = text;
                }
                Vec::new()
            }
            InputKind::Command => self.run_command(&text),
            InputKind::Search => {
                let rows = self.body_rows.get().max(1);
                if let Screen::Logs(v) = self.screen_mut() {
                    if text.is_empty() {
                        v.search = None;
                        return Vec::new();
                    }
                    let top = v.top(rows);
                    v.search = Some(Search {
                        term: text,
                        matches: Vec::new(),
                        current: 0,
                    });
                    v.research();
                    // The first match from where the user is looking.
                    if let Some(search) = &mut v.search {
                        search.current = search.matches.iter().position(|&m| m >= top).unwrap_or(0);
                    }
                }
                self.jump_match(0);
                Vec::new()
            }
            InputKind::NewKey => {
                let mut words = text.split_whitespace();
                let Some(name) = words.next() else {
                    self.flash_error("a key needs a name");
                    return Vec::new();
                };
                let scopes: Result<Vec<Scope>, String> = words
                    .flat_map(|w| w.split(','))
                    .filter(|s| !s.is_empty())
                    .map(str::parse)
                    .collect();
                let mut scopes = match scopes {
                    Ok(s) => s,
                    Err(e) => {
                        self.flash_error(e);
                        return Vec::new();
                    }
                };
                if scopes.is_empty() {
                    // Least power by default: a key that can look, not touch.
                    scopes = vec![Scope::FlowsRead, Scope::RunsRead];
                }
                vec![self.request(
                    Slot::Write,
                    Request::CreateKey(NewKey {
                        name: name.to_string(),
                        scopes,
                    }),
                )]
            }
        }
    }

    fn do_pending(&mut self, pending: Pending) -> Vec<Command> {
        let request = match pending {
            Pending::TriggerRun { flow_id, .. } => Request::TriggerRun(flow_id),
            Pending::DeleteFlow { id, .. } => Request::DeleteFlow(id),
            Pending::CancelRun { id } => Request::CancelRun(id),
            Pending::RevokeKey { id, .. } => Request::RevokeKey(id),
            Pending::Export { run_id, format } => {
                let path = self
                    .settings
                    .save_dir
                    .join(format!("{run_id}.{}", format.as_str()));
                Request::ExportItems {
                    run_id,
                    format,
                    path,
                }
            }
        };
        vec![self.request(Slot::Write, request)]
    }

    /// Rows asked for a list, for the title (`[1000 of 12000]`).
    pub fn page_limit(&self) -> u32 {
        PAGE_LIMIT
    }
}

fn move_table<T: super::table::Row>(table: &mut super::table::Table<T>, delta: isize) {
    match delta {
        isize::MIN => table.top(),
        isize::MAX => table.bottom(),
        d => table.move_by(d),
    }
}

/// all -> first -> ... -> last -> all.
fn cycle<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => {
            let i = all.iter().position(|x| *x == c).unwrap_or(0);
            all.get(i + 1).copied()
        }
    }
}
