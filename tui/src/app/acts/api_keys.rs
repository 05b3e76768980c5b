//! The keys view's keys: create an API key, revoke one.

use crate::app::App;
use crate::app::action::{Command, KeysAct};
use crate::app::nav::Screen;
use crate::app::overlay::{Confirm, InputKind, Overlay, Pending};

impl App {
    pub(in crate::app) fn keys_act(&mut self, act: KeysAct) -> Vec<Command> {
        match act {
            KeysAct::New => self.open_input(InputKind::NewKey, String::new()),
            KeysAct::Revoke => self.confirm_revoke(),
        }
        Vec::new()
    }

    fn confirm_revoke(&mut self) {
        if let Screen::Keys(v) = self.screen()
            && let Some(k) = v.table.selected_row()
        {
            self.overlay = Overlay::Confirm(Confirm {
                title: "Revoke".into(),
                message: format!(
                    "Revoke key {} ({})? Programs using it stop working.",
                    k.name, k.key
                ),
                yes: "Revoke".into(),
                pending: Pending::RevokeKey {
                    id: k.id.clone(),
                    name: k.name.clone(),
                },
                yes_focused: false,
            });
        }
    }
}
