//! The boxes over a view: help, the confirm dialog every change goes
//! through, the export choice and a notice.

use crate::app::App;
use crate::app::action::{Command, DialogAct, Request, Slot};
use crate::app::overlay::{Overlay, Pending};

impl App {
    pub(in crate::app) fn dialog_act(&mut self, act: DialogAct) -> Vec<Command> {
        match (act, std::mem::take(&mut self.overlay)) {
            (DialogAct::Close, _) => {}
            (DialogAct::ScrollDown, Overlay::Help { scroll }) => {
                self.overlay = Overlay::Help { scroll: scroll + 1 };
            }
            (DialogAct::ScrollUp, Overlay::Help { scroll }) => {
                self.overlay = Overlay::Help {
                    scroll: scroll.saturating_sub(1),
                };
            }
            (DialogAct::Yes, Overlay::Confirm(c)) => return self.do_pending(c.pending),
            (DialogAct::Choose, Overlay::Confirm(c)) if c.yes_focused => {
                return self.do_pending(c.pending);
            }
            (DialogAct::Choose, Overlay::Confirm(_)) => {}
            (DialogAct::Switch, Overlay::Confirm(mut c)) => {
                c.yes_focused = !c.yes_focused;
                self.overlay = Overlay::Confirm(c);
            }
            (DialogAct::Export(format), Overlay::ExportChoice { run_id }) => {
                return self.do_pending(Pending::Export { run_id, format });
            }
            // The key table gives each dialog only its own acts.
            (_, other) => self.overlay = other,
        }
        Vec::new()
    }

    fn do_pending(&mut self, pending: Pending) -> Vec<Command> {
        let request = match pending {
            Pending::TriggerRun { flow_id, .. } => Request::TriggerRun(flow_id),
            Pending::DeleteFlow { id, .. } => Request::DeleteFlow(id),
            Pending::CancelRun { id } => Request::CancelRun(id),
            Pending::RevokeKey { id, .. } => Request::RevokeKey(id),
            Pending::Redeliver { id, .. } => Request::Redeliver(id),
            Pending::ResumeWebhook { flow_id, url } => Request::ResumeWebhook { flow_id, url },
            Pending::RotateSecret { flow_id } => Request::RotateSecret(flow_id),
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
