//! The app's state and its rules, with no terminal and no network: keys go
//! in through `handle_key`, API answers through `apply`, and both give back
//! the `Command`s for the runtime to carry out. `ui::draw` renders it.

pub mod action;
mod acts;
mod commands;
pub mod edit;
mod error_text;
pub mod key;
pub mod keymap;
mod keys;
pub mod nav;
pub mod overlay;
mod replies;
pub mod table;

pub use error_text::error_text;

use action::{Command, EditRequest, Request, Slot, Stats, Tag};
use chrono::{DateTime, Utc};
use keymap::Context;
use nav::{
    ChangesView, DeliveriesView, DescribeView, FlowsView, ItemsView, KeysView, LogsView, RunsView,
    Screen, Target, Transport,
};
use overlay::Overlay;
use scraper_common::{FlowFilter, RunFilter, RunStatus};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The most rows one list asks for (the API's page limit).
pub const PAGE_LIMIT: u32 = 1000;
/// How long a flash message stays.
pub const FLASH_FOR: Duration = Duration::from_secs(5);
/// A refresh tick leaves a request this young alone rather than replace it
/// (and drop its answer): on a link slower than the tick, replacing would
/// mean no answer is ever applied. Older ones are taken for lost.
pub const IN_FLIGHT_FOR: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct Settings {
    /// Shown in the header.
    pub server: String,
    /// The server runs inside this process (`scraper-tui` without `--server`).
    pub local: bool,
    pub readonly: bool,
    /// Where `ctrl-s` writes logs and exports.
    pub save_dir: PathBuf,
    pub color: bool,
    /// The key's name when known up front (local mode); else it is looked up.
    pub key_name: Option<String>,
    /// The key's last characters, to find its name in `GET /api/keys`.
    pub key_suffix: String,
}

impl Settings {
    pub fn new(server: &str, api_key: &str) -> Settings {
        Settings {
            server: server.to_string(),
            local: false,
            readonly: false,
            save_dir: PathBuf::from("."),
            color: true,
            key_name: None,
            key_suffix: key_suffix(api_key),
        }
    }
}

pub fn key_suffix(api_key: &str) -> String {
    let chars: Vec<char> = api_key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    /// 401: the key is unknown or revoked.
    KeyRejected(String),
    /// 403: the key lacks a scope this view needs.
    Forbidden(String),
    Unreachable(String),
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

pub struct App {
    pub settings: Settings,
    pub conn: Connection,
    pub stats: Option<Stats>,
    pub stack: Vec<Screen>,
    pub overlay: Overlay,
    pub flash: Option<Flash>,
    /// "Now" for relative times; set by the runtime each tick, fixed in tests.
    pub now: DateTime<Utc>,
    /// The filter last applied, recalled by `/` on a view without one.
    pub last_filter: String,
    /// Rows the body showed at the last draw, for paging and log scrolling.
    pub body_rows: Cell<usize>,
    pub quit: bool,
    next_id: u64,
    latest: HashMap<Slot, u64>,
    /// When the newest request of a slot was sent, until it is answered.
    in_flight: HashMap<Slot, Instant>,
    /// The editor text behind a create/update in flight, to reopen it on a
    /// validation error.
    pending_edit: Option<(Tag, EditRequest)>,
    /// A flow to select once the next list arrives (one just created).
    select_flow: Option<String>,
    /// The last failure of a view's own request (a 403 on `:keys`, a run
    /// gone from describe), shown in that view's body instead of
    /// "loading…"; cleared by its next answer.
    view_error: Option<(Slot, String)>,
}

impl App {
    pub fn new(settings: Settings) -> App {
        App {
            settings,
            conn: Connection::Connecting,
            stats: None,
            stack: vec![Screen::Flows(FlowsView::default())],
            overlay: Overlay::None,
            flash: None,
            now: Utc::now(),
            last_filter: String::new(),
            body_rows: Cell::new(10),
            quit: false,
            next_id: 0,
            latest: HashMap::new(),
            in_flight: HashMap::new(),
            pending_edit: None,
            select_flow: None,
            view_error: None,
        }
    }

    /// The first requests: everything the root view shows.
    pub fn start(&mut self) -> Vec<Command> {
        self.refresh()
    }

    pub fn screen(&self) -> &Screen {
        self.stack.last().expect("the root view is never popped")
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        self.stack
            .last_mut()
            .expect("the root view is never popped")
    }

    /// The view's context, whatever dialog is open over it.
    pub fn context(&self) -> Context {
        self.screen().context()
    }

    /// Where keys go: the dialog or input line on top, else the view.
    pub fn focus(&self) -> Context {
        self.overlay.context().unwrap_or_else(|| self.context())
    }

    pub fn flows(&self) -> &FlowsView {
        match &self.stack[0] {
            Screen::Flows(v) => v,
            _ => unreachable!("flows are the root"),
        }
    }

    fn flows_mut(&mut self) -> &mut FlowsView {
        match &mut self.stack[0] {
            Screen::Flows(v) => v,
            _ => unreachable!("flows are the root"),
        }
    }

    pub fn key_name(&self) -> Option<&str> {
        self.settings
            .key_name
            .as_deref()
            .or(self.stats.as_ref().and_then(|s| s.key_name.as_deref()))
    }

    pub fn crumbs(&self) -> String {
        self.stack
            .iter()
            .flat_map(Screen::crumbs)
            .collect::<Vec<_>>()
            .join(" > ")
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
            at: Instant::now(),
        });
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
            at: Instant::now(),
        });
    }

    /// Clears a flash that has been shown long enough; true if it did.
    pub fn expire_flash(&mut self, now: Instant) -> bool {
        match &self.flash {
            Some(f) if now.duration_since(f.at) >= FLASH_FOR => {
                self.flash = None;
                true
            }
            _ => false,
        }
    }

    fn request(&mut self, slot: Slot, request: Request) -> Command {
        self.next_id += 1;
        self.latest.insert(slot, self.next_id);
        if slot != Slot::Write {
            self.in_flight.insert(slot, Instant::now());
        }
        Command::Api(
            Tag {
                slot,
                id: self.next_id,
            },
            request,
        )
    }

    /// What the screen shows, asked again (`ctrl-r`, after a change).
    pub fn refresh(&mut self) -> Vec<Command> {
        self.wanted()
            .into_iter()
            .map(|(slot, request)| self.request(slot, request))
            .collect()
    }

    /// The refresh tick: the same, except for requests still on their way.
    pub fn tick(&mut self) -> Vec<Command> {
        let now = Instant::now();
        let due: Vec<(Slot, Request)> = self
            .wanted()
            .into_iter()
            .filter(|(slot, _)| {
                self.in_flight
                    .get(slot)
                    .is_none_or(|sent| now.duration_since(*sent) >= IN_FLIGHT_FOR)
            })
            .collect();
        due.into_iter()
            .map(|(slot, request)| self.request(slot, request))
            .collect()
    }

    /// Every request behind what is on screen: counts, flows, the view.
    fn wanted(&self) -> Vec<(Slot, Request)> {
        let want_key_name = self.key_name().is_none();
        let mut wanted = vec![
            (Slot::Stats, Request::Stats { want_key_name }),
            (Slot::Flows, Request::Flows(self.flow_filter())),
        ];
        wanted.extend(self.screen_query());
        wanted
    }

    /// The slot that fills the current screen (`None` for the logs, which
    /// are followed, not asked for).
    fn screen_slot(&self) -> Option<Slot> {
        match self.screen() {
            Screen::Flows(_) => Some(Slot::Flows),
            Screen::Runs(_) => Some(Slot::Runs),
            Screen::Keys(_) => Some(Slot::Keys),
            Screen::Items(_) => Some(Slot::Items),
            Screen::Describe(_) => Some(Slot::Describe),
            Screen::Changes(_) => Some(Slot::Changes),
            Screen::Deliveries(_) => Some(Slot::Deliveries),
            Screen::Logs(_) => None,
        }
    }

    /// Why the current view has nothing to show, if its request failed.
    pub fn view_error(&self) -> Option<&str> {
        match &self.view_error {
            Some((slot, text)) if Some(*slot) == self.screen_slot() => Some(text),
            _ => None,
        }
    }

    /// The request that fills the current screen, if it is not the root.
    fn screen_request(&mut self) -> Option<Command> {
        let (slot, request) = self.screen_query()?;
        Some(self.request(slot, request))
    }

    fn screen_query(&self) -> Option<(Slot, Request)> {
        Some(match self.screen() {
            Screen::Flows(_) | Screen::Logs(_) => return None,
            Screen::Runs(v) => (
                Slot::Runs,
                Request::Runs(RunFilter {
                    flow_id: v.flow.as_ref().map(|(id, _)| id.clone()),
                    status: v.failed_only.then_some(RunStatus::Failed),
                    limit: Some(PAGE_LIMIT),
                    offset: None,
                }),
            ),
            Screen::Keys(_) => (Slot::Keys, Request::Keys),
            Screen::Items(v) => (Slot::Items, Request::Items(v.run_id.clone())),
            Screen::Describe(v) => match &v.target {
                Target::Flow(id) => (Slot::Describe, Request::DescribeFlow(id.clone())),
                Target::Run(id) => (Slot::Describe, Request::DescribeRun(id.clone())),
            },
            // A finished run's changes do not change: asked once.
            Screen::Changes(v) if v.is_final() => return None,
            Screen::Changes(v) => (
                Slot::Changes,
                Request::Changes {
                    target: v.target.clone(),
                    kind: v.kind,
                },
            ),
            Screen::Deliveries(v) => (Slot::Deliveries, Request::Deliveries(v.flow_id.clone())),
        })
    }

    fn push(&mut self, screen: Screen) -> Vec<Command> {
        let mut commands = Vec::new();
        if matches!(self.screen(), Screen::Logs(_)) {
            commands.push(Command::StopLogs);
        }
        self.stack.push(screen);
        commands.extend(self.enter_screen());
        commands
    }

    /// Back to the root, then `screen` on it (the `:` commands).
    fn jump(&mut self, screen: Option<Screen>) -> Vec<Command> {
        let mut commands = Vec::new();
        if self.stack.iter().any(|s| matches!(s, Screen::Logs(_))) {
            commands.push(Command::StopLogs);
        }
        self.stack.truncate(1);
        match screen {
            Some(screen) => {
                self.stack.push(screen);
                commands.extend(self.enter_screen());
            }
            None => commands.extend(self.refresh()),
        }
        commands
    }

    pub fn pop(&mut self) -> Vec<Command> {
        if self.stack.len() == 1 {
            return Vec::new();
        }
        let mut commands = Vec::new();
        if matches!(self.stack.pop(), Some(Screen::Logs(_))) {
            commands.push(Command::StopLogs);
        }
        commands.extend(self.enter_screen());
        commands
    }

    /// A screen became current: load it (logs: follow them).
    fn enter_screen(&mut self) -> Vec<Command> {
        // Another view (or another run's describe): its own answer decides.
        self.view_error = None;
        if let Screen::Logs(v) = self.screen() {
            let run_id = v.run_id.clone();
            let after = v.last_seq();
            self.next_id += 1;
            self.latest.insert(Slot::Logs, self.next_id);
            let tag = Tag {
                slot: Slot::Logs,
                id: self.next_id,
            };
            if let Screen::Logs(v) = self.screen_mut() {
                if v.transport != Transport::Ended {
                    v.transport = Transport::Connecting;
                } else {
                    return Vec::new();
                }
            }
            return vec![Command::FollowLogs { tag, run_id, after }];
        }
        self.screen_request().into_iter().collect()
    }

    /// After a change: the lists and counts, not the screen just pushed.
    fn refresh_lists(&mut self) -> Vec<Command> {
        let want_key_name = self.key_name().is_none();
        let stats = self.request(Slot::Stats, Request::Stats { want_key_name });
        let filter = self.flow_filter();
        vec![stats, self.request(Slot::Flows, Request::Flows(filter))]
    }

    /// The flows list as the root view filters it.
    fn flow_filter(&self) -> FlowFilter {
        let flows = self.flows();
        FlowFilter {
            status: flows.status,
            mode: flows.mode,
            limit: Some(PAGE_LIMIT),
            offset: None,
        }
    }

    pub fn open_describe(&mut self, target: Target, title: Option<String>) -> Vec<Command> {
        self.push(Screen::Describe(DescribeView::new(target, title)))
    }

    pub fn open_runs(&mut self, flow: Option<(String, String)>) -> Vec<Command> {
        self.push(Screen::Runs(RunsView {
            flow,
            ..RunsView::default()
        }))
    }

    pub fn open_logs(&mut self, run_id: String) -> Vec<Command> {
        self.push(Screen::Logs(LogsView::new(run_id)))
    }

    pub fn open_items(&mut self, run_id: String) -> Vec<Command> {
        self.push(Screen::Items(ItemsView {
            run_id,
            ..ItemsView::default()
        }))
    }

    /// `title` is the flow's name, for the crumbs of its history.
    pub fn open_changes(&mut self, target: Target, title: Option<String>) -> Vec<Command> {
        self.push(Screen::Changes(ChangesView::new(target, title)))
    }

    pub fn open_deliveries(&mut self, flow_id: String, name: String) -> Vec<Command> {
        self.push(Screen::Deliveries(DeliveriesView::new(flow_id, name)))
    }

    pub fn open_keys(&mut self) -> Vec<Command> {
        self.jump(Some(Screen::Keys(KeysView::default())))
    }
}
