//! The keys view's keys: create an API key, revoke one.

use crate::app::App;
use crate::app::action::{Command, KeysAct, Request, Slot};
use crate::app::nav::Screen;
use crate::app::overlay::{Confirm, InputKind, Overlay, Pending};
use scraper_common::{NewKey, Scope};

impl App {
    pub(in crate::app) fn keys_act(&mut self, act: KeysAct) -> Vec<Command> {
        match act {
            KeysAct::New => self.open_input(InputKind::NewKey, String::new()),
            KeysAct::Revoke => self.confirm_revoke(),
        }
        Vec::new()
    }

    /// `name [scope,...]` from the input line.
    pub(in crate::app) fn create_key(&mut self, line: &str) -> Vec<Command> {
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else {
            self.flash_error("a key needs a name");
            return Vec::new();
        };
        let scopes: Result<Vec<Scope>, String> = words
            .flat_map(|w| w.split(','))
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect();
        let mut scopes = match scopes {
            Ok(s) => s,
            Err(e) => {
                self.flash_error(e);
                return Vec::new();
            }
        };
        if scopes.is_empty() {
            // Least power by default: a key that can look, not touch.
            scopes = vec![Scope::FlowsRead, Scope::RunsRead];
        }
        let name = name.to_string();
        vec![self.request(Slot::Write, Request::CreateKey(NewKey { name, scopes }))]
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
