//! The app's state and its rules, with no terminal and no network: keys go
//! in through `handle_key`, API answers through `apply`, and both give back
//! the `Command`s for the runtime to carry out. `ui::draw` renders it.

pub mod action;
mod commands;
pub mod edit;
pub mod keymap;
mod keys;
pub mod nav;
pub mod overlay;
pub mod table;

use action::{Command, EditRequest, Incoming, LogEvent, Reply, Request, Slot, Stats, Tag};
use chrono::{DateTime, Utc};
use keymap::Context;
use nav::{
    DescribeView, Described, FlowsView, Item, ItemsView, KeysView, LogsView, RunsView, Screen,
    Target, Transport,
};
use overlay::Overlay;
use scraper_common::{ClientError, FlowFilter, RunFilter, RunStatus};
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

    pub fn context(&self) -> Context {
        self.screen().context()
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

    fn is_current(&self, tag: Tag) -> bool {
        tag.slot == Slot::Write || self.latest.get(&tag.slot) == Some(&tag.id)
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

    pub fn apply(&mut self, incoming: Incoming) -> Vec<Command> {
        match incoming {
            Incoming::Api(result) => {
                if !self.is_current(result.tag) {
                    return Vec::new();
                }
                self.in_flight.remove(&result.tag.slot);
                match result.result {
                    Ok(reply) => {
                        if result.tag.slot != Slot::Write || self.conn != Connection::Connected {
                            self.conn = Connection::Connected;
                        }
                        if self
                            .view_error
                            .as_ref()
                            .is_some_and(|(slot, _)| *slot == result.tag.slot)
                        {
                            self.view_error = None;
                        }
                        self.apply_reply(result.tag, reply)
                    }
                    Err(error) => self.apply_error(result.tag, &result.request, error),
                }
            }
            Incoming::Log(update) => {
                if self.is_current(update.tag) {
                    self.apply_log(&update.run_id, update.event);
                }
                Vec::new()
            }
        }
    }

    fn apply_error(&mut self, tag: Tag, request: &Request, error: ClientError) -> Vec<Command> {
        let text = error_text(&error);
        match (&error, error.status()) {
            (ClientError::Unreachable { .. }, _) => {
                self.conn = Connection::Unreachable(text.clone());
            }
            (_, Some(401)) => self.conn = Connection::KeyRejected(text.clone()),
            // Only what every screen needs makes the whole key "lacking";
            // a 403 on one view is that view's business (below).
            (_, Some(403)) if matches!(tag.slot, Slot::Stats | Slot::Flows) => {
                self.conn = Connection::Forbidden(text.clone());
            }
            _ => {}
        }
        match tag.slot {
            // The header says it; a flash every tick would only be noise.
            Slot::Stats => Vec::new(),
            Slot::Flows => {
                self.view_error = Some((Slot::Flows, text));
                Vec::new()
            }
            Slot::Write => {
                if let Some((pending, edit)) = self.pending_edit.take()
                    && pending == tag
                    && matches!(error.status(), Some(400 | 422))
                {
                    self.flash_error(format!("not saved: {text}"));
                    return vec![Command::Edit(EditRequest {
                        error: Some(text),
                        ..edit
                    })];
                }
                self.flash_error(format!("{}: {text}", describe_request(request)));
                Vec::new()
            }
            slot => {
                // The body says it from now on; flash only news, not every
                // refresh's repeat of it.
                let known = self.view_error.as_ref() == Some(&(slot, text.clone()));
                if !known {
                    self.flash_error(text.clone());
                }
                if slot != Slot::Logs {
                    self.view_error = Some((slot, text));
                }
                Vec::new()
            }
        }
    }

    fn apply_reply(&mut self, tag: Tag, reply: Reply) -> Vec<Command> {
        if self.pending_edit.as_ref().is_some_and(|(t, _)| *t == tag) {
            self.pending_edit = None;
        }
        match reply {
            Reply::Stats(stats) => self.stats = Some(stats),
            Reply::Flows(list) => {
                let select = self.select_flow.take();
                let flows = self.flows_mut();
                flows.table.set_rows(list.data, list.total);
                if let Some(id) = select
                    && !flows.table.select_id(&id)
                {
                    self.select_flow = Some(id);
                }
            }
            Reply::Runs(list) => {
                if let Some(Screen::Runs(v)) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|s| matches!(s, Screen::Runs(_)))
                {
                    v.table.set_rows(list.data, list.total);
                }
            }
            Reply::Keys(list) => {
                if let Screen::Keys(v) = self.screen_mut() {
                    v.table.set_rows(list.data, list.total);
                }
            }
            Reply::FlowDetail { flow, runs } => {
                if let Screen::Describe(v) = self.screen_mut()
                    && v.target == Target::Flow(flow.id.clone())
                {
                    v.title = Some(flow.name.clone());
                    v.content = Some(Described::Flow {
                        flow: Box::new(flow),
                        runs,
                    });
                }
            }
            Reply::RunDetail(detail) => {
                if let Screen::Describe(v) = self.screen_mut()
                    && v.target == Target::Run(detail.run.id.clone())
                {
                    v.content = Some(Described::Run(detail));
                }
            }
            Reply::Items { run, schema, items } => {
                if let Screen::Items(v) = self.screen_mut()
                    && v.run_id == run.id
                {
                    v.columns = item_columns(schema.as_ref(), &items.data);
                    v.schema = schema;
                    let rows = items
                        .data
                        .into_iter()
                        .enumerate()
                        .map(|(i, values)| Item {
                            key: i.to_string(),
                            values,
                        })
                        .collect();
                    v.table.set_rows(rows, items.total);
                }
            }
            Reply::Triggered(run) => {
                self.flash_info(format!("{} queued for {}", run.id, run.flow_name));
                // Triggered from anywhere but a runs view, the flow's runs go
                // under the logs: `esc` lands there, as in k9s, and the crumb
                // reads `flows > <flow> > runs > run-… > logs`.
                let mut commands = Vec::new();
                if !matches!(self.screen(), Screen::Runs(_)) {
                    commands.extend(self.open_runs(Some((run.flow_id.clone(), run.flow_name))));
                }
                commands.extend(self.push(Screen::Logs(LogsView::new(run.id))));
                commands.extend(self.refresh_lists());
                return commands;
            }
            Reply::Cancelled(run) => {
                self.flash_info(format!("{} {}", run.id, run.status));
                return self.refresh();
            }
            Reply::FlowUpdated(flow) => {
                self.flash_info(format!("{} saved ({})", flow.name, flow.status));
                return self.refresh();
            }
            Reply::FlowCreated(flow) => {
                self.flash_info(format!(
                    "{} created as {} ({})",
                    flow.name, flow.id, flow.status
                ));
                self.select_flow = Some(flow.id);
                return self.refresh();
            }
            Reply::FlowDeleted { id, message } => {
                self.flash_info(message);
                let mut commands = Vec::new();
                while self.stack.len() > 1 && self.screen_mentions_flow(&id) {
                    commands.extend(self.pop());
                }
                commands.extend(self.refresh());
                return commands;
            }
            Reply::FlowForEdit(flow) => return vec![Command::Edit(edit::edit_flow(&flow))],
            Reply::KeyCreated(key) => {
                self.overlay = Overlay::Notice(overlay::Notice {
                    title: format!("Key {} created", key.name),
                    lines: vec![
                        key.key.clone(),
                        String::new(),
                        "It is shown this once: copy it now.".into(),
                        format!(
                            "Scopes: {}",
                            key.scopes
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(" ")
                        ),
                    ],
                });
                return self.refresh();
            }
            Reply::KeyRevoked { message, .. } => {
                self.flash_info(message);
                return self.refresh();
            }
            Reply::Exported { path, bytes } => {
                self.flash_info(format!("saved {bytes} bytes to {}", path.display()));
            }
        }
        Vec::new()
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

    fn screen_mentions_flow(&self, id: &str) -> bool {
        match self.screen() {
            Screen::Runs(v) => v.flow.as_ref().is_some_and(|(f, _)| f == id),
            Screen::Describe(v) => v.target == Target::Flow(id.to_string()),
            _ => false,
        }
    }

    fn apply_log(&mut self, run_id: &str, event: LogEvent) {
        let Some(Screen::Logs(v)) = self.stack.last_mut() else {
            return;
        };
        if v.run_id != run_id {
            return;
        }
        match event {
            LogEvent::Live => v.transport = Transport::Live,
            LogEvent::Polling(_) => v.transport = Transport::Polling,
            LogEvent::Error(e) => v.transport = Transport::Retrying(e),
            LogEvent::Lines(lines) => {
                let last = v.last_seq();
                // A resumed stream may repeat what we hold.
                v.lines.extend(lines.into_iter().filter(|l| l.seq > last));
                v.research();
            }
            LogEvent::End {
                status,
                failure_reason,
            } => {
                v.transport = Transport::Ended;
                v.end = Some((status, failure_reason));
            }
        }
    }

    pub fn open_describe(&mut self, target: Target, title: Option<String>) -> Vec<Command> {
        self.push(Screen::Describe(DescribeView {
            target,
            title,
            content: None,
            scroll: 0,
        }))
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

    pub fn open_keys(&mut self) -> Vec<Command> {
        self.jump(Some(Screen::Keys(KeysView::default())))
    }
}

/// Columns of the items table: the schema's fields in its order, then any
/// other field the items carry.
fn item_columns(
    schema: Option<&scraper_common::OutputSchema>,
    items: &[serde_json::Map<String, serde_json::Value>],
) -> Vec<String> {
    let mut columns: Vec<String> = schema
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    for item in items {
        for key in item.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns
}

/// A client error in words a person can act on, without the URL noise.
pub fn error_text(error: &ClientError) -> String {
    match error {
        ClientError::Api { message, code, .. } => format!("{message} ({code})"),
        ClientError::Unreachable { url, source } => {
            let mut text = format!("cannot reach {}", host_of(url));
            let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(source);
            let mut last = None;
            while let Some(c) = cause {
                last = Some(c.to_string());
                cause = c.source();
            }
            if let Some(last) = last {
                text.push_str(&format!(": {last}"));
            }
            text
        }
        other => other.to_string(),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                format!(
                    "{h}{}",
                    u.port().map(|p| format!(":{p}")).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| url.to_string())
}

fn describe_request(request: &Request) -> String {
    match request {
        Request::TriggerRun(id) => format!("trigger {id}"),
        Request::CancelRun(id) => format!("cancel {id}"),
        Request::SetFlowStatus { id, status } => format!("set {id} {status}"),
        Request::DeleteFlow(id) => format!("delete {id}"),
        Request::CreateFlow(_) => "create flow".into(),
        Request::UpdateFlow { id, .. } => format!("update {id}"),
        Request::LoadFlowForEdit(id) => format!("load {id}"),
        Request::CreateKey(key) => format!("create key {}", key.name),
        Request::RevokeKey(id) => format!("revoke {id}"),
        Request::ExportItems { run_id, .. } => format!("export {run_id}"),
        other => format!("{other:?}"),
    }
}
