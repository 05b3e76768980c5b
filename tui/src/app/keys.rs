//! Key -> binding -> act -> handler (in `acts/`). The key table is the only
//! way in: a dialog or the input line on top takes the keys of its own
//! context, else the view's bindings, then the general ones (see
//! `keymap::lookup`).

use super::App;
use super::action::{Act, Command};
use super::key::Key;
use super::keymap::{self, Lookup};
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

impl App {
    pub fn handle_key(&mut self, event: KeyEvent) -> Vec<Command> {
        if event.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let key = Key::from_event(&event);
        match keymap::lookup(self.focus(), key, self.settings.readonly) {
            Lookup::Found(act) => self.act(act, key),
            Lookup::ReadOnly(label) => {
                self.flash_error(format!("read-only: `{label}` is disabled"));
                Vec::new()
            }
            Lookup::Unbound => Vec::new(),
        }
    }

    /// Carries out a key's meaning: each group has its own handler.
    pub fn act(&mut self, act: Act, key: Key) -> Vec<Command> {
        match act {
            Act::General(act) => self.general_act(act),
            Act::Move(act) => self.move_act(act),
            Act::Open(act) => self.open_act(act),
            Act::Flow(act) => self.flow_act(act),
            Act::Run(act) => self.run_act(act),
            Act::Log(act) => self.log_act(act),
            Act::Items(act) => self.items_act(act),
            Act::Keys(act) => self.keys_act(act),
            Act::Changes(act) => self.changes_act(act),
            Act::Delivery(act) => self.delivery_act(act),
            Act::Describe(act) => self.describe_act(act),
            Act::Dialog(act) => self.dialog_act(act),
            // Typing needs the key itself: it is the character.
            Act::Input(act) => self.input_act(act, key),
        }
    }
}
