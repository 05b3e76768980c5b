//! The deliveries view's keys: a message's attempts, sending it again, and
//! the flow's webhook (resumed after a 410, a new signing secret). Every
//! change goes through the confirm dialog.

use crate::app::App;
use crate::app::action::{Command, DeliveryAct};
use crate::app::nav::{DeliveriesView, Screen};
use crate::app::overlay::{Confirm, Overlay, Pending};

impl App {
    pub(in crate::app) fn delivery_act(&mut self, act: DeliveryAct) -> Vec<Command> {
        match act {
            DeliveryAct::Attempts => {
                if let Screen::Deliveries(v) = self.screen_mut() {
                    v.attempts = !v.attempts;
                }
            }
            DeliveryAct::Redeliver => self.confirm_redeliver(),
            DeliveryAct::Resume => self.confirm_resume(),
            DeliveryAct::RotateSecret => self.confirm_rotate(),
        }
        Vec::new()
    }

    fn deliveries(&self) -> Option<&DeliveriesView> {
        match self.screen() {
            Screen::Deliveries(v) => Some(v),
            _ => None,
        }
    }

    fn confirm_redeliver(&mut self) {
        let Some(d) = self.deliveries().and_then(|v| v.table.selected_row()) else {
            return;
        };
        let tries = match d.attempts.len() {
            1 => "1 attempt".to_string(),
            n => format!("{n} attempts"),
        };
        self.overlay = Overlay::Confirm(Confirm {
            title: "Redeliver".into(),
            message: format!(
                "Send {} {} again now? It is {} after {tries}.",
                d.event, d.id, d.status
            ),
            yes: "Redeliver".into(),
            pending: Pending::Redeliver {
                id: d.id.clone(),
                event: d.event.to_string(),
            },
            yes_focused: true,
        });
    }

    /// The webhook URL of the flow shown, or a flash saying there is none.
    fn webhook(&mut self) -> Option<(String, String, Option<String>)> {
        let v = self.deliveries()?;
        let Some(flow) = &v.flow else {
            self.flash_error("the flow is not loaded yet");
            return None;
        };
        match &flow.webhook_url {
            Some(url) => Some((flow.id.clone(), url.clone(), flow.webhook_disabled.clone())),
            None => {
                let text = format!("{} has no webhook: set webhookUrl (e on the flow)", v.name);
                self.flash_error(text);
                None
            }
        }
    }

    fn confirm_resume(&mut self) {
        let Some((flow_id, url, disabled)) = self.webhook() else {
            return;
        };
        let Some(why) = disabled else {
            self.flash_info(format!("deliveries to {url} are not stopped"));
            return;
        };
        self.overlay = Overlay::Confirm(Confirm {
            title: "Resume webhook".into(),
            message: format!("Send messages to {url} again? They stopped: {why}"),
            yes: "Resume".into(),
            pending: Pending::ResumeWebhook { flow_id, url },
            yes_focused: true,
        });
    }

    fn confirm_rotate(&mut self) {
        let Some((flow_id, url, _)) = self.webhook() else {
            return;
        };
        self.overlay = Overlay::Confirm(Confirm {
            title: "Rotate secret".into(),
            message: format!(
                "Make a new signing secret for {url}? The old one also signs for 24 hours."
            ),
            yes: "Rotate".into(),
            pending: Pending::RotateSecret { flow_id },
            yes_focused: false,
        });
    }
}
