//! Up, down, top, bottom and paging: the selection of a table, or the
//! scroll of a text.

use crate::app::App;
use crate::app::action::{Command, MoveAct};
use crate::app::nav::{LogScroll, Screen};
use crate::app::table::{Row, Table};

impl App {
    pub(in crate::app) fn move_act(&mut self, act: MoveAct) -> Vec<Command> {
        let page = self.body_rows.get().max(1) as isize;
        self.scroll(match act {
            MoveAct::Up => -1,
            MoveAct::Down => 1,
            MoveAct::PageUp => -page,
            MoveAct::PageDown => page,
            MoveAct::Top => isize::MIN,
            MoveAct::Bottom => isize::MAX,
        });
        Vec::new()
    }

    /// Moves the selection or the text by `delta` rows; `isize::MIN`/`MAX`
    /// are the top and the bottom.
    fn scroll(&mut self, delta: isize) {
        let rows = self.body_rows.get().max(1);
        match self.screen_mut() {
            Screen::Flows(v) => move_table(&mut v.table, delta),
            Screen::Runs(v) => move_table(&mut v.table, delta),
            Screen::Items(v) => move_table(&mut v.table, delta),
            Screen::Keys(v) => move_table(&mut v.table, delta),
            Screen::Deliveries(v) => move_table(&mut v.table, delta),
            Screen::Changes(v) => {
                let bottom = v.height().saturating_sub(rows) as isize;
                v.scroll = match delta {
                    isize::MIN => 0,
                    isize::MAX => bottom.max(0) as usize,
                    d => (v.scroll as isize + d).clamp(0, bottom.max(0)) as usize,
                };
            }
            Screen::Describe(v) => v.move_by(delta),
            Screen::Logs(v) => {
                let bottom = v.bottom_top(rows);
                v.scroll = match delta {
                    isize::MAX => LogScroll::Following,
                    isize::MIN => LogScroll::Manual { top: 0 },
                    d => {
                        let top = (v.top(rows) as isize + d).clamp(0, bottom as isize) as usize;
                        // Moving down inside a paused view keeps it paused:
                        // only `G` or `s` follow again.
                        LogScroll::Manual { top }
                    }
                };
            }
        }
    }
}

fn move_table<T: Row>(table: &mut Table<T>, delta: isize) {
    match delta {
        isize::MIN => table.top(),
        isize::MAX => table.bottom(),
        d => table.move_by(d),
    }
}
