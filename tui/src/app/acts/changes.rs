//! The changes view's key: which kind of change it lists.

use crate::app::App;
use crate::app::action::{ChangesAct, Command};
use crate::app::nav::Screen;
use scraper_common::ChangeKind;

impl App {
    pub(in crate::app) fn changes_act(&mut self, act: ChangesAct) -> Vec<Command> {
        match act {
            ChangesAct::CycleKind => {
                let Screen::Changes(v) = self.screen_mut() else {
                    return Vec::new();
                };
                v.kind = super::flows::cycle(v.kind, ChangeKind::ALL);
                v.table.loaded = false;
                v.scroll = 0;
                let text = match v.kind {
                    Some(kind) => format!("{kind} changes only"),
                    None => "all changes".into(),
                };
                self.flash_info(text);
                self.screen_request().into_iter().collect()
            }
        }
    }
}
