//! Raw mode and the alternate screen, always undone: on quit, on error
//! (the guard's Drop) and on panic (a hook that restores before printing).

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{Stdout, stdout};
use std::sync::Once;

pub struct Tui {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    active: bool,
}

/// Puts the terminal back; safe to call when it already is.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

impl Tui {
    pub fn enter() -> std::io::Result<Tui> {
        install_panic_hook();
        let mut tui = Tui {
            terminal: Terminal::new(CrosstermBackend::new(stdout()))?,
            active: false,
        };
        tui.resume()?;
        Ok(tui)
    }

    /// Gives the terminal back (to `$EDITOR`).
    pub fn suspend(&mut self) {
        restore();
        self.active = false;
    }

    pub fn resume(&mut self) -> std::io::Result<()> {
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, Hide)?;
        self.active = true;
        self.terminal.clear()
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.active {
            restore();
        }
    }
}
