//! The view stack. Flows are always at the bottom; `esc` pops, `:` commands
//! replace everything above the root.

use super::keymap::Context;
use super::table::{Row, Table};
use scraper_common::{
    ApiKey, FailureReason, Flow, FlowMode, FlowStatus, LogEntry, OutputSchema, Run, RunDetail,
    RunStatus,
};
use serde_json::{Map, Value};

#[derive(Debug)]
pub enum Screen {
    Flows(FlowsView),
    Runs(RunsView),
    Logs(LogsView),
    Items(ItemsView),
    Keys(KeysView),
    Describe(DescribeView),
}

impl Screen {
    pub fn context(&self) -> Context {
        match self {
            Screen::Flows(_) => Context::Flows,
            Screen::Runs(_) => Context::Runs,
            Screen::Logs(_) => Context::Logs,
            Screen::Items(_) => Context::Items,
            Screen::Keys(_) => Context::Keys,
            Screen::Describe(_) => Context::Describe,
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
    Flow { flow: Box<Flow>, runs: Vec<Run> },
    Run(Box<RunDetail>),
}

#[derive(Debug)]
pub struct DescribeView {
    pub target: Target,
    pub title: Option<String>,
    pub content: Option<Described>,
    pub scroll: usize,
}
