//! The runs view's keys: run again, cancel, failed only.

use crate::app::App;
use crate::app::action::{Command, RunAct};
use crate::app::nav::Screen;
use crate::app::overlay::{Confirm, Overlay, Pending};
use scraper_common::Run;

impl App {
    pub(in crate::app) fn run_act(&mut self, act: RunAct) -> Vec<Command> {
        match act {
            RunAct::RunAgain => {
                if let Some(r) = self.selected_run() {
                    let (flow_id, name) = (r.flow_id.clone(), r.flow_name.clone());
                    self.confirm_trigger(flow_id, name);
                }
                Vec::new()
            }
            RunAct::Cancel => {
                self.confirm_cancel();
                Vec::new()
            }
            RunAct::FailedOnly => self.toggle_failed_only(),
        }
    }

    /// The selected row of a runs view on top.
    pub(in crate::app) fn selected_run(&self) -> Option<&Run> {
        match self.screen() {
            Screen::Runs(v) => v.table.selected_row(),
            _ => None,
        }
    }

    fn confirm_cancel(&mut self) {
        let Some(r) = self.selected_run() else {
            return;
        };
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

    fn toggle_failed_only(&mut self) -> Vec<Command> {
        let Screen::Runs(v) = self.screen_mut() else {
            return Vec::new();
        };
        v.failed_only = !v.failed_only;
        v.table.loaded = false;
        let on = v.failed_only;
        self.flash_info(if on { "failed runs only" } else { "all runs" });
        self.screen_request().into_iter().collect()
    }
}
