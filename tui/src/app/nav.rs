//! The view stack. Flows are always at the bottom; `esc` pops, `:` commands
//! replace everything above the root.

use super::action::Subject;
use super::keymap::Context;
use super::table::{Row, Table};
use scraper_common::{
    ApiKey, ChangeEntry, ChangeKind, Delivery, FailureReason, Flow, FlowMode, FlowStatus, LogEntry,
    OutputSchema, Run, RunDetail, RunStatus, Screenshot,
};
use serde_json::{Map, Value};
use std::cell::Cell;

#[derive(Debug)]
pub enum Screen {
    Flows(FlowsView),
    Runs(RunsView),
    Logs(LogsView),
    Items(ItemsView),
    Keys(KeysView),
    Describe(DescribeView),
    Changes(ChangesView),
    Deliveries(DeliveriesView),
}

impl Screen {
    pub fn context(&self) -> Context {
        match self {
            Screen::Flows(_) => Context::Flows,
            Screen::Runs(_) => Context::Runs,
            Screen::Logs(_) => Context::Logs,
            Screen::Items(_) => Context::Items,
            Screen::Keys(_) => Context::Keys,
            Screen::Describe(v) => match v.target {
                Target::Flow(_) => Context::Describe,
                Target::Run(_) => Context::RunDescribe,
            },
            Screen::Changes(_) => Context::Changes,
            Screen::Deliveries(_) => Context::Deliveries,
        }
    }

    /// This screen's part of the crumb line.
    pub fn crumbs(&self) -> Vec<String> {
        match self {
            Screen::Flows(_) => vec!["flows".into()],
            Screen::Runs(v) => match &v.flow {
                Some((_, name)) => vec![name.clone(), "runs".into()],
                None => vec!["runs".into()],
            },
            Screen::Logs(v) => vec![v.run_id.clone(), "logs".into()],
            Screen::Items(v) => vec![v.run_id.clone(), "items".into()],
            Screen::Keys(_) => vec!["keys".into()],
            Screen::Describe(v) => match &v.target {
                Target::Flow(id) => vec![v.title.clone().unwrap_or(id.clone()), "describe".into()],
                Target::Run(id) => vec![id.clone(), "describe".into()],
            },
            Screen::Changes(v) => match &v.target {
                Target::Flow(id) => vec![v.title.clone().unwrap_or(id.clone()), "changes".into()],
                Target::Run(id) => vec![id.clone(), "changes".into()],
            },
            Screen::Deliveries(v) => vec![v.name.clone(), "deliveries".into()],
        }
    }
}

#[derive(Debug, Default)]
pub struct FlowsView {
    pub table: Table<Flow>,
    pub status: Option<FlowStatus>,
    pub mode: Option<FlowMode>,
}

impl Row for Flow {
    fn id(&self) -> &str {
        &self.id
    }
    fn haystack(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.name, self.mode, self.status, self.url, self.id
        )
        .to_lowercase()
    }
}

#[derive(Debug, Default)]
pub struct RunsView {
    /// (id, name) when the runs of one flow are shown.
    pub flow: Option<(String, String)>,
    pub failed_only: bool,
    pub table: Table<Run>,
}

impl Row for Run {
    fn id(&self) -> &str {
        &self.id
    }
    fn haystack(&self) -> String {
        format!("{} {} {}", self.id, self.flow_name, self.status).to_lowercase()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogScroll {
    /// Stuck to the newest line.
    Following,
    /// `top` is the first line shown.
    Manual { top: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Connecting,
    Live,
    Polling,
    Retrying(String),
    Ended,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub term: String,
    /// Indices of the lines that contain `term`.
    pub matches: Vec<usize>,
    pub current: usize,
}

#[derive(Debug)]
pub struct LogsView {
    pub run_id: String,
    pub lines: Vec<LogEntry>,
    pub scroll: LogScroll,
    pub wrap: bool,
    pub timestamps: bool,
    pub search: Option<Search>,
    pub transport: Transport,
    pub end: Option<(RunStatus, Option<FailureReason>)>,
}

impl LogsView {
    pub fn new(run_id: String) -> Self {
        LogsView {
            run_id,
            lines: Vec::new(),
            scroll: LogScroll::Following,
            wrap: false,
            timestamps: true,
            search: None,
            transport: Transport::Connecting,
            end: None,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.lines.last().map(|l| l.seq).unwrap_or(0)
    }

    /// The first line shown when following with `height` rows.
    pub fn bottom_top(&self, height: usize) -> usize {
        self.lines.len().saturating_sub(height.max(1))
    }

    pub fn top(&self, height: usize) -> usize {
        match self.scroll {
            LogScroll::Following => self.bottom_top(height),
            LogScroll::Manual { top } => top.min(self.bottom_top(height)),
        }
    }

    pub fn research(&mut self) {
        if let Some(search) = &mut self.search {
            let needle = search.term.to_lowercase();
            search.matches = self
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.message.to_lowercase().contains(&needle))
                .map(|(i, _)| i)
                .collect();
            search.current = search.current.min(search.matches.len().saturating_sub(1));
        }
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    /// Its place in the data set as text: items have no id of their own,
    /// and their order is stable.
    pub key: String,
    pub values: Map<String, Value>,
}

impl Row for Item {
    fn id(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> String {
        Value::Object(self.values.clone())
            .to_string()
            .to_lowercase()
    }
}

#[derive(Debug, Default)]
pub struct ItemsView {
    pub run_id: String,
    pub columns: Vec<String>,
    pub schema: Option<OutputSchema>,
    pub table: Table<Item>,
}

#[derive(Debug, Default)]
pub struct KeysView {
    pub table: Table<ApiKey>,
}

impl Row for ApiKey {
    fn id(&self) -> &str {
        &self.id
    }
    fn haystack(&self) -> String {
        let scopes: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
        format!("{} {} {}", self.name, self.key, scopes.join(" ")).to_lowercase()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Flow(String),
    Run(String),
}

#[derive(Debug)]
pub enum Described {
    Flow {
        flow: Box<Flow>,
        runs: Vec<Run>,
    },
    Run {
        detail: Box<RunDetail>,
        /// Or why they could not be listed.
        screenshots: Result<Vec<Screenshot>, String>,
    },
}

/// What the last draw of a describe showed, for the keys that move in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// The first row shown.
    pub top: usize,
    /// The last `top` that still fills the screen.
    pub max_top: usize,
    /// The selected screenshot's row was on screen.
    pub selected_visible: bool,
}

/// One flow or run in full. A run's screenshots are a list in it: `j`/`k`
/// move the selection (bringing it into view), and past either end scroll
/// the text as in any describe.
#[derive(Debug)]
pub struct DescribeView {
    pub target: Target,
    pub title: Option<String>,
    pub content: Option<Described>,
    /// The first row asked for (the draw keeps it in range).
    pub scroll: usize,
    /// The selected screenshot, by place in the list.
    pub selected: usize,
    /// Scroll so the selected screenshot is seen (after `j`/`k` chose it).
    pub reveal: bool,
    /// Set by each draw; `None` until the first.
    pub shown: Cell<Option<Shown>>,
}

impl DescribeView {
    pub fn new(target: Target, title: Option<String>) -> DescribeView {
        DescribeView {
            target,
            title,
            content: None,
            scroll: 0,
            selected: 0,
            reveal: false,
            shown: Cell::new(None),
        }
    }

    /// A run's screenshots; none for a flow or while loading.
    pub fn screenshots(&self) -> &[Screenshot] {
        match &self.content {
            Some(Described::Run {
                screenshots: Ok(shots),
                ..
            }) => shots,
            _ => &[],
        }
    }

    pub fn selected_screenshot(&self) -> Option<&Screenshot> {
        self.screenshots().get(self.selected)
    }

    /// Moves by `delta` rows (`isize::MIN`/`MAX`: top and bottom). One row
    /// up or down moves the screenshot selection while there is one to
    /// move to; a selection off screen is brought into view first.
    pub fn move_by(&mut self, delta: isize) {
        let shots = self.screenshots().len();
        let shown = self.shown.get();
        if shots > 0 && matches!(delta, -1 | 1) {
            let next = self.selected as isize + delta;
            let seen = shown.is_none_or(|s| s.selected_visible);
            if !seen || (0..shots as isize).contains(&next) {
                if seen {
                    self.selected = next as usize;
                }
                // The view stays where it is unless the selection leaves it.
                if let Some(s) = shown {
                    self.scroll = s.top;
                }
                self.reveal = true;
                return;
            }
        }
        self.reveal = false;
        // From what is on screen; before any draw, from what was asked.
        let (top, max) = match shown {
            Some(s) => (s.top, s.max_top),
            None => (self.scroll, usize::MAX / 2),
        };
        self.scroll = match delta {
            isize::MIN => 0,
            isize::MAX => max,
            d => (top as isize).saturating_add(d).clamp(0, max as isize) as usize,
        };
    }
}

/// One change a monitor found. Entries have no id of their own: a run's
/// entries keep their order, so `run#n` follows one across refreshes.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: String,
    pub entry: ChangeEntry,
}

impl Row for Change {
    fn id(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> String {
        let e = &self.entry;
        let mut hay = format!("{} {} {}", e.kind, e.key, e.run_id);
        for text in [&e.field, &e.diff].into_iter().flatten() {
            hay.push(' ');
            hay.push_str(text);
        }
        for value in [&e.old, &e.new].into_iter().flatten() {
            hay.push(' ');
            hay.push_str(&value.to_string());
        }
        if let Some(item) = &e.item {
            hay.push(' ');
            hay.push_str(&Value::Object(item.clone()).to_string());
        }
        hay.to_lowercase()
    }
}

/// The lines of a text change's diff worth showing: its `---`/`+++` file
/// header says nothing here.
pub fn diff_lines(diff: &str) -> impl Iterator<Item = &str> {
    let mut header = true;
    diff.lines().filter(move |line| {
        header &= line.starts_with("--- ") || line.starts_with("+++ ");
        !header
    })
}

/// Rows an entry takes on screen: one, and a text change's diff under it.
pub fn change_height(entry: &ChangeEntry) -> usize {
    match (&entry.kind, &entry.diff) {
        (ChangeKind::Text, Some(diff)) => 1 + diff_lines(diff).count(),
        _ => 1,
    }
}

/// What a monitor found: a flow's change history (newest run first, a
/// heading per run) or one run's changes. Entries can span several rows
/// (a text diff), so it scrolls by row like a text, not by selection.
#[derive(Debug)]
pub struct ChangesView {
    pub target: Target,
    /// The flow's name, for the crumbs.
    pub title: Option<String>,
    /// Only changes of this kind (`f`), asked of the server.
    pub kind: Option<ChangeKind>,
    /// The flow or the run, read with the changes.
    pub subject: Option<Subject>,
    pub table: Table<Change>,
    /// The first row shown.
    pub scroll: usize,
}

impl ChangesView {
    pub fn new(target: Target, title: Option<String>) -> ChangesView {
        ChangesView {
            target,
            title,
            kind: None,
            subject: None,
            table: Table::default(),
            scroll: 0,
        }
    }

    /// A flow's history has a heading over each run's changes.
    pub fn grouped(&self) -> bool {
        matches!(self.target, Target::Flow(_))
    }

    /// The visible entries, each with whether a run heading goes above it.
    pub fn rows(&self) -> impl Iterator<Item = (bool, &ChangeEntry)> {
        let grouped = self.grouped();
        let mut last_run: Option<&str> = None;
        (0..self.table.visible_len()).filter_map(move |n| {
            let entry = &self.table.visible_row(n)?.entry;
            let heading = grouped && last_run != Some(entry.run_id.as_str());
            last_run = Some(entry.run_id.as_str());
            Some((heading, entry))
        })
    }

    /// Rows of the whole list as drawn: headings, entries and diffs.
    pub fn height(&self) -> usize {
        self.rows()
            .map(|(heading, entry)| usize::from(heading) + change_height(entry))
            .sum()
    }

    /// A run's changes are final once it has finished: nothing to ask again.
    pub fn is_final(&self) -> bool {
        self.table.loaded
            && matches!(&self.subject, Some(Subject::Run(run)) if run.status.is_finished())
    }
}

impl Row for Delivery {
    fn id(&self) -> &str {
        &self.id
    }
    fn haystack(&self) -> String {
        let last = self.attempts.last();
        format!(
            "{} {} {} {} {} {}",
            self.id,
            self.event,
            self.status,
            self.run_id.as_deref().unwrap_or_default(),
            last.and_then(|a| a.status_code)
                .map(|c| c.to_string())
                .unwrap_or_default(),
            last.and_then(|a| a.error.as_deref()).unwrap_or_default(),
        )
        .to_lowercase()
    }
}

/// A flow's webhook messages, newest first, and the attempts of the
/// selected one when `attempts` is on.
#[derive(Debug)]
pub struct DeliveriesView {
    pub flow_id: String,
    pub name: String,
    /// The flow as read with the list: its webhook URL, and why deliveries
    /// stopped, if they did.
    pub flow: Option<Box<Flow>>,
    pub table: Table<Delivery>,
    pub attempts: bool,
}

impl DeliveriesView {
    pub fn new(flow_id: String, name: String) -> DeliveriesView {
        DeliveriesView {
            flow_id,
            name,
            flow: None,
            table: Table::default(),
            attempts: false,
        }
    }
}
