//! The `:` prompt: `:flows [status|mode]...`, `:runs [flow]`, `:changes
//! [flow]`, `:deliveries [flow]`, `:keys`, `:help`, `:q`. Tab completes
//! command names, then their arguments.

use super::App;
use super::action::Command;
use super::nav::{ChangesView, DeliveriesView, Screen, Target};
use super::overlay::{Input, Overlay};
use scraper_common::{FlowMode, FlowStatus};

pub const COMMANDS: &[&str] = &[
    "flows",
    "runs",
    "changes",
    "deliveries",
    "keys",
    "help",
    "quit",
    "q",
];
/// Commands whose argument Tab completes too.
const TAKES_ARGUMENT: &[&str] = &["flows", "runs", "changes", "deliveries"];
/// Commands that take a flow's name (completed from the flows list).
const OF_A_FLOW: &[&str] = &[
    "runs",
    "run",
    "rn",
    "changes",
    "ch",
    "deliveries",
    "webhooks",
    "wh",
];

impl App {
    pub fn run_command(&mut self, line: &str) -> Vec<Command> {
        let (name, rest) = match line.split_once(char::is_whitespace) {
            Some((n, r)) => (n, r.trim()),
            None => (line, ""),
        };
        match name {
            "" => Vec::new(),
            "q" | "q!" | "quit" | "exit" => self.quit(),
            "help" | "?" => {
                self.overlay = Overlay::Help { scroll: 0 };
                Vec::new()
            }
            "flows" | "flow" | "fl" => {
                let (mut status, mut mode) = (None, None);
                for word in rest.split_whitespace() {
                    if let Ok(s) = word.parse::<FlowStatus>() {
                        status = Some(s);
                    } else if let Ok(m) = word.parse::<FlowMode>() {
                        mode = Some(m);
                    } else if word != "all" {
                        self.flash_error(format!(
                            "`{word}` is not a flow status ({}) or mode ({})",
                            words(FlowStatus::ALL),
                            words(FlowMode::ALL)
                        ));
                        return Vec::new();
                    }
                }
                let v = self.flows_mut();
                v.status = status;
                v.mode = mode;
                v.table.loaded = false;
                self.jump(None)
            }
            "runs" | "run" | "rn" => {
                if rest.is_empty() {
                    let screen = super::nav::Screen::Runs(Default::default());
                    return self.jump(Some(screen));
                }
                match self.find_flow(rest) {
                    Ok((id, name)) => {
                        let screen = super::nav::Screen::Runs(super::nav::RunsView {
                            flow: Some((id, name)),
                            ..Default::default()
                        });
                        self.jump(Some(screen))
                    }
                    Err(e) => {
                        self.flash_error(e);
                        Vec::new()
                    }
                }
            }
            "changes" | "ch" => match self.flow_argument(rest) {
                Ok((id, name)) => {
                    let view = ChangesView::new(Target::Flow(id), Some(name));
                    self.jump(Some(Screen::Changes(view)))
                }
                Err(e) => {
                    self.flash_error(e);
                    Vec::new()
                }
            },
            "deliveries" | "webhooks" | "wh" => match self.flow_argument(rest) {
                Ok((id, name)) => {
                    let view = DeliveriesView::new(id, name);
                    self.jump(Some(Screen::Deliveries(view)))
                }
                Err(e) => {
                    self.flash_error(e);
                    Vec::new()
                }
            },
            "keys" | "key" => self.open_keys(),
            other => {
                self.flash_error(format!(
                    "unknown command `{other}`; try {}",
                    COMMANDS.join(", ")
                ));
                Vec::new()
            }
        }
    }

    /// The flow named, or without a name the one selected in the flows list.
    fn flow_argument(&self, query: &str) -> Result<(String, String), String> {
        if !query.is_empty() {
            return self.find_flow(query);
        }
        self.flows()
            .table
            .selected_row()
            .map(|f| (f.id.clone(), f.name.clone()))
            .ok_or_else(|| "name a flow: no flow is selected".into())
    }

    /// A flow by id, by name (any case), or by the start of one name.
    fn find_flow(&self, query: &str) -> Result<(String, String), String> {
        let rows = &self.flows().table.rows;
        let q = query.to_lowercase();
        let hit = rows
            .iter()
            .find(|f| f.id == query || f.name.to_lowercase() == q)
            .or_else(|| {
                let mut starts = rows
                    .iter()
                    .filter(|f| f.name.to_lowercase().starts_with(&q));
                match (starts.next(), starts.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            });
        hit.map(|f| (f.id.clone(), f.name.clone()))
            .ok_or_else(|| format!("no single flow is called `{query}`"))
    }

    /// Completes the word under the cursor: to the only candidate, or to
    /// what all candidates share, listing them as a hint.
    pub(super) fn complete(&self, input: &mut Input) {
        let (head, word, candidates): (String, String, Vec<String>) =
            match input.text.split_once(' ') {
                None => (
                    String::new(),
                    input.text.clone(),
                    COMMANDS.iter().map(|c| c.to_string()).collect(),
                ),
                Some((cmd, arg)) => {
                    let options: Vec<String> = match cmd {
                        _ if OF_A_FLOW.contains(&cmd) => self
                            .flows()
                            .table
                            .rows
                            .iter()
                            .map(|f| f.name.clone())
                            .collect(),
                        "flows" | "flow" | "fl" => FlowStatus::ALL
                            .iter()
                            .map(|s| s.to_string())
                            .chain(FlowMode::ALL.iter().map(|m| m.to_string()))
                            .collect(),
                        _ => Vec::new(),
                    };
                    (format!("{cmd} "), arg.to_string(), options)
                }
            };
        let lower = word.to_lowercase();
        let matching: Vec<&String> = candidates
            .iter()
            .filter(|c| c.to_lowercase().starts_with(&lower))
            .collect();
        match matching.as_slice() {
            [] => input.hint = Some("no completion".into()),
            [one] => {
                input.text = format!("{head}{one}");
                // A command that takes an argument: ready for the next Tab.
                if head.is_empty() && TAKES_ARGUMENT.contains(&one.as_str()) {
                    input.text.push(' ');
                }
                input.hint = None;
            }
            many => {
                let shared = common_prefix(many);
                if shared.len() > word.len() {
                    input.text = format!("{head}{shared}");
                }
                input.hint = Some(
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("  "),
                );
            }
        }
    }
}

fn common_prefix(words: &[&String]) -> String {
    let first = words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .take_while(|((_, a), b)| a.eq_ignore_ascii_case(b))
                .last()
                .map(|((i, a), _)| i + a.len_utf8())
                .unwrap_or(0),
        );
    }
    first[..end].to_string()
}

fn words<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
