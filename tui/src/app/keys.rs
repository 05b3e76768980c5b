//! Key -> act -> handler (in `acts/`). Overlays take keys first; then the view's
//! bindings; then the general ones (see `keymap::lookup`).

use super::App;
use super::action::{Act, Command, ExportFormat, Request, Slot};
use super::keymap::{self, Key, Lookup};
use super::nav::{Screen, Search};
use super::overlay::{Input, InputKind, Overlay, Pending};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use scraper_common::{NewKey, Scope};

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

    /// Carries out a key's meaning: each group has its own handler.
    pub fn act(&mut self, act: Act) -> Vec<Command> {
        match act {
            Act::General(act) => self.general_act(act),
            Act::Move(act) => self.move_act(act),
            Act::Open(act) => self.open_act(act),
            Act::Flow(act) => self.flow_act(act),
            Act::Run(act) => self.run_act(act),
            Act::Log(act) => self.log_act(act),
            Act::Items(act) => self.items_act(act),
            Act::Keys(act) => self.keys_act(act),
        }
    }

    pub(super) fn open_input(&mut self, kind: InputKind, text: String) {
        self.overlay = Overlay::Input(Input {
            kind,
            before: self.table_filter().unwrap_or_default(),
            text,
            hint: None,
        });
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
}
