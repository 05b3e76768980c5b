//! One key press as the key table sees it, and its name on screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

pub const ENTER: Key = Key::code(KeyCode::Enter);
pub const ESC: Key = Key::code(KeyCode::Esc);
pub const TAB: Key = Key::code(KeyCode::Tab);
pub const BACKTAB: Key = Key::code(KeyCode::BackTab);
pub const BACKSPACE: Key = Key::code(KeyCode::Backspace);
pub const UP: Key = Key::code(KeyCode::Up);
pub const DOWN: Key = Key::code(KeyCode::Down);
pub const LEFT: Key = Key::code(KeyCode::Left);
pub const RIGHT: Key = Key::code(KeyCode::Right);
pub const HOME: Key = Key::code(KeyCode::Home);
pub const END: Key = Key::code(KeyCode::End);
pub const PAGE_UP: Key = Key::code(KeyCode::PageUp);
pub const PAGE_DOWN: Key = Key::code(KeyCode::PageDown);

impl Key {
    pub const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    pub const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    /// Shift is part of the character (`G`), so it is not a modifier here.
    pub fn from_event(event: &KeyEvent) -> Key {
        let code = match event.code {
            KeyCode::Char(c) if event.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            code => code,
        };
        Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// The character this key puts into a text, if it is one.
    pub fn typed(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.ctrl => Some(c),
            _ => None,
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}
