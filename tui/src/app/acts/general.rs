//! The keys of every view: help, the `:` and `/` prompts, back, quit and
//! refresh.

use crate::app::App;
use crate::app::action::{Command, GeneralAct};
use crate::app::nav::Screen;
use crate::app::overlay::{InputKind, Overlay};

impl App {
    pub(in crate::app) fn general_act(&mut self, act: GeneralAct) -> Vec<Command> {
        match act {
            GeneralAct::Help => self.overlay = Overlay::Help { scroll: 0 },
            GeneralAct::Command => self.open_input(InputKind::Command, String::new()),
            GeneralAct::Filter => self.open_filter(),
            GeneralAct::Back => return self.back(),
            GeneralAct::Quit if self.stack.len() == 1 => return self.quit(),
            GeneralAct::Quit => return self.pop(),
            GeneralAct::ForceQuit => return self.quit(),
            GeneralAct::Refresh => return self.refresh(),
        }
        Vec::new()
    }

    pub(in crate::app) fn quit(&mut self) -> Vec<Command> {
        self.quit = true;
        vec![Command::StopLogs, Command::Quit]
    }

    fn open_filter(&mut self) {
        let Some(current) = self.table_filter() else {
            self.flash_error("this view has no filter");
            return;
        };
        // `/` again recalls the last filter.
        let text = if current.is_empty() {
            self.last_filter.clone()
        } else {
            current
        };
        self.open_input(InputKind::Filter, text.clone());
        self.set_table_filter(&text);
    }

    /// A filter or a search is undone before the view is left.
    fn back(&mut self) -> Vec<Command> {
        if self.table_filter().is_some_and(|f| !f.is_empty()) {
            self.set_table_filter("");
            return Vec::new();
        }
        if let Screen::Logs(v) = self.screen_mut()
            && v.search.is_some()
        {
            v.search = None;
            return Vec::new();
        }
        self.pop()
    }

    /// The filter of the current view's table; `None` where there is none.
    pub(in crate::app) fn table_filter(&self) -> Option<String> {
        match self.screen() {
            Screen::Flows(v) => Some(v.table.filter.clone()),
            Screen::Runs(v) => Some(v.table.filter.clone()),
            Screen::Items(v) => Some(v.table.filter.clone()),
            Screen::Keys(v) => Some(v.table.filter.clone()),
            Screen::Changes(v) => Some(v.table.filter.clone()),
            Screen::Deliveries(v) => Some(v.table.filter.clone()),
            Screen::Logs(_) | Screen::Describe(_) => None,
        }
    }

    pub(in crate::app) fn set_table_filter(&mut self, filter: &str) {
        match self.screen_mut() {
            Screen::Flows(v) => v.table.set_filter(filter),
            Screen::Runs(v) => v.table.set_filter(filter),
            Screen::Items(v) => v.table.set_filter(filter),
            Screen::Keys(v) => v.table.set_filter(filter),
            Screen::Changes(v) => {
                v.table.set_filter(filter);
                v.scroll = 0;
            }
            Screen::Deliveries(v) => v.table.set_filter(filter),
            Screen::Logs(_) | Screen::Describe(_) => {}
        }
    }
}
