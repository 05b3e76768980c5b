//! The flows view's keys: trigger, pause, new, edit, delete and its two
//! filters.

use crate::app::action::{Command, FlowAct, Request, Slot};
use crate::app::overlay::{Confirm, Overlay, Pending};
use crate::app::{App, edit};
use scraper_common::{FlowMode, FlowStatus};

impl App {
    pub(in crate::app) fn flow_act(&mut self, act: FlowAct) -> Vec<Command> {
        match act {
            FlowAct::Trigger => {
                if let Some(f) = self.flows().table.selected_row() {
                    let (flow_id, name) = (f.id.clone(), f.name.clone());
                    self.confirm_trigger(flow_id, name);
                }
                Vec::new()
            }
            FlowAct::TogglePause => self.toggle_pause(),
            FlowAct::New => vec![Command::Edit(edit::new_flow())],
            FlowAct::Edit => match self.flows().table.selected_row() {
                Some(f) => {
                    let id = f.id.clone();
                    vec![self.request(Slot::Write, Request::LoadFlowForEdit(id))]
                }
                None => Vec::new(),
            },
            FlowAct::Delete => {
                self.confirm_delete();
                Vec::new()
            }
            FlowAct::CycleStatus => {
                let v = self.flows_mut();
                v.status = cycle(v.status, FlowStatus::ALL);
                v.table.loaded = false;
                self.refresh()
            }
            FlowAct::CycleMode => {
                let v = self.flows_mut();
                v.mode = cycle(v.mode, FlowMode::ALL);
                v.table.loaded = false;
                self.refresh()
            }
        }
    }

    /// Asked from the flows and the runs view alike.
    pub(in crate::app) fn confirm_trigger(&mut self, flow_id: String, name: String) {
        self.overlay = Overlay::Confirm(Confirm {
            title: "Trigger".into(),
            message: format!("Start a run of {name} ({flow_id}) now?"),
            yes: "Run".into(),
            pending: Pending::TriggerRun { flow_id, name },
            yes_focused: true,
        });
    }

    fn toggle_pause(&mut self) -> Vec<Command> {
        let Some(f) = self.flows().table.selected_row() else {
            return Vec::new();
        };
        let status = match f.status {
            FlowStatus::Active | FlowStatus::Error => FlowStatus::Paused,
            FlowStatus::Paused | FlowStatus::Draft => FlowStatus::Active,
        };
        let id = f.id.clone();
        vec![self.request(Slot::Write, Request::SetFlowStatus { id, status })]
    }

    fn confirm_delete(&mut self) {
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
}

/// all -> first -> ... -> last -> all.
pub(super) fn cycle<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => {
            let i = all.iter().position(|x| *x == c).unwrap_or(0);
            all.get(i + 1).copied()
        }
    }
}
