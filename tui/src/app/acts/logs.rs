//! The logs view's keys: follow, wrap, timestamps, search and save.

use crate::app::App;
use crate::app::action::{Command, LogAct};
use crate::app::nav::{LogScroll, LogsView, Screen, Search};
use crate::app::overlay::InputKind;

impl App {
    pub(in crate::app) fn log_act(&mut self, act: LogAct) -> Vec<Command> {
        let rows = self.body_rows.get();
        match act {
            LogAct::Follow => {
                if let Some(v) = self.logs_mut() {
                    v.scroll = match v.scroll {
                        LogScroll::Following => LogScroll::Manual { top: v.top(rows) },
                        LogScroll::Manual { .. } => LogScroll::Following,
                    };
                }
            }
            LogAct::Wrap => {
                if let Some(v) = self.logs_mut() {
                    v.wrap = !v.wrap;
                }
            }
            LogAct::Timestamps => {
                if let Some(v) = self.logs_mut() {
                    v.timestamps = !v.timestamps;
                }
            }
            LogAct::Search => {
                let term = match self.screen() {
                    Screen::Logs(v) => v.search.as_ref().map(|s| s.term.clone()),
                    _ => None,
                };
                self.open_input(InputKind::Search, term.unwrap_or_default());
            }
            LogAct::NextMatch => self.jump_match(1),
            LogAct::PrevMatch => self.jump_match(-1),
            LogAct::Save => self.save_logs(),
        }
        Vec::new()
    }

    fn logs_mut(&mut self) -> Option<&mut LogsView> {
        match self.screen_mut() {
            Screen::Logs(v) => Some(v),
            _ => None,
        }
    }

    /// Searches the lines for `term` (an empty one ends the search), from
    /// where the user is looking.
    pub(in crate::app) fn search_logs(&mut self, term: String) {
        let rows = self.body_rows.get().max(1);
        if let Some(v) = self.logs_mut() {
            if term.is_empty() {
                v.search = None;
                return;
            }
            let top = v.top(rows);
            v.search = Some(Search {
                term,
                matches: Vec::new(),
                current: 0,
            });
            v.research();
            if let Some(search) = &mut v.search {
                search.current = search.matches.iter().position(|&m| m >= top).unwrap_or(0);
            }
        }
        self.jump_match(0);
    }

    /// To the match `step` away from the current one, wrapping around.
    fn jump_match(&mut self, step: isize) {
        let rows = self.body_rows.get().max(1);
        let Screen::Logs(v) = self.screen_mut() else {
            return;
        };
        let Some(search) = &mut v.search else {
            return;
        };
        if search.matches.is_empty() {
            let term = search.term.clone();
            self.flash_error(format!("no line matches `{term}`"));
            return;
        }
        let n = search.matches.len() as isize;
        search.current = (search.current as isize + step).rem_euclid(n) as usize;
        let line = search.matches[search.current];
        v.scroll = LogScroll::Manual {
            top: line.saturating_sub(rows / 2).min(v.bottom_top(rows)),
        };
    }

    fn save_logs(&mut self) {
        let Screen::Logs(v) = self.screen() else {
            return;
        };
        match crate::export::save_logs(&self.settings.save_dir, &v.run_id, &v.lines, v.timestamps) {
            Ok(path) => {
                let n = v.lines.len();
                self.flash_info(format!("saved {n} lines to {}", path.display()));
            }
            Err(e) => self.flash_error(format!("could not save the logs: {e}")),
        }
    }
}
