//! Into the view of the selected row: a flow's runs, a describe, a run's
//! logs or items, a flow's or a run's changes, a flow's webhook deliveries.

use crate::app::App;
use crate::app::action::{Command, OpenAct};
use crate::app::nav::{Screen, Target};

impl App {
    pub(in crate::app) fn open_act(&mut self, act: OpenAct) -> Vec<Command> {
        match act {
            OpenAct::Runs => match self.flows().table.selected_row() {
                Some(f) => {
                    let flow = (f.id.clone(), f.name.clone());
                    self.open_runs(Some(flow))
                }
                None => Vec::new(),
            },
            OpenAct::Describe => self.describe_selected(),
            OpenAct::Logs => match self.selected_run() {
                Some(r) => self.open_logs(r.id.clone()),
                None => Vec::new(),
            },
            OpenAct::Items => match self.selected_run() {
                Some(r) => self.open_items(r.id.clone()),
                None => Vec::new(),
            },
            OpenAct::Changes => self.changes_of_selected(),
            OpenAct::Deliveries => match self.flows().table.selected_row() {
                Some(f) => {
                    let (id, name) = (f.id.clone(), f.name.clone());
                    self.open_deliveries(id, name)
                }
                None => Vec::new(),
            },
        }
    }

    /// The selected flow's change history, or the selected run's changes.
    fn changes_of_selected(&mut self) -> Vec<Command> {
        match self.screen() {
            Screen::Flows(v) => {
                if let Some(f) = v.table.selected_row() {
                    let (id, name) = (f.id.clone(), f.name.clone());
                    return self.open_changes(Target::Flow(id), Some(name));
                }
            }
            Screen::Runs(v) => {
                if let Some(r) = v.table.selected_row() {
                    let id = r.id.clone();
                    return self.open_changes(Target::Run(id), None);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn describe_selected(&mut self) -> Vec<Command> {
        match self.screen() {
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
        }
        Vec::new()
    }
}
