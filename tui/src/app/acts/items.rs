//! The items view's key: export, through the choice of a format.

use crate::app::App;
use crate::app::action::{Command, ItemsAct};
use crate::app::nav::Screen;
use crate::app::overlay::Overlay;

impl App {
    pub(in crate::app) fn items_act(&mut self, act: ItemsAct) -> Vec<Command> {
        match act {
            ItemsAct::Export => {
                if let Screen::Items(v) = self.screen() {
                    self.overlay = Overlay::ExportChoice {
                        run_id: v.run_id.clone(),
                    };
                }
            }
        }
        Vec::new()
    }
}
