//! The one key table. Dispatch, the header's hints and the `?` help are all
//! read from `KEYMAP`, so a key cannot work without being documented.

use super::action::Act;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

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

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Tab => "tab".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}

/// Where a binding applies. `Global` bindings apply everywhere unless the
/// view binds the same key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Flows,
    Runs,
    Logs,
    Items,
    Keys,
    Describe,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "General",
            Context::Flows => "Flows",
            Context::Runs => "Runs",
            Context::Logs => "Logs",
            Context::Items => "Items",
            Context::Keys => "Keys",
            Context::Describe => "Describe",
        }
    }
}

#[derive(Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub act: Act,
    pub label: &'static str,
    /// Changes something on the server: hidden and refused with `--readonly`.
    pub writes: bool,
    /// Shown in the header (all bindings are in `?`).
    pub hint: bool,
}

/// A binding that reads and is hinted in the header; the flags below say
/// where it is otherwise.
const fn bind(context: Context, keys: &'static [Key], act: Act, label: &'static str) -> Binding {
    Binding {
        context,
        keys,
        act,
        label,
        writes: false,
        hint: true,
    }
}

impl Binding {
    const fn writes(self) -> Binding {
        Binding {
            writes: true,
            ..self
        }
    }

    /// Left out of the header, which has room for a view's own keys only.
    const fn help_only(self) -> Binding {
        Binding {
            hint: false,
            ..self
        }
    }
}

use Context::{Flows, Global, Items, Keys, Logs, Runs};

const ENTER: Key = Key::code(KeyCode::Enter);
const ESC: Key = Key::code(KeyCode::Esc);
const UP: Key = Key::code(KeyCode::Up);
const DOWN: Key = Key::code(KeyCode::Down);
const HOME: Key = Key::code(KeyCode::Home);
const END: Key = Key::code(KeyCode::End);
const PAGE_UP: Key = Key::code(KeyCode::PageUp);
const PAGE_DOWN: Key = Key::code(KeyCode::PageDown);

pub const KEYMAP: &[Binding] = &[
    // Views first: their keys win over the general ones.
    bind(Flows, &[ENTER], Act::Open, "runs"),
    bind(Flows, &[Key::ch('d')], Act::Describe, "describe"),
    bind(Flows, &[Key::ch('t')], Act::Trigger, "trigger").writes(),
    bind(Flows, &[Key::ch('p')], Act::TogglePause, "pause/resume").writes(),
    bind(Flows, &[Key::ch('n')], Act::NewFlow, "new").writes(),
    bind(Flows, &[Key::ch('e')], Act::EditFlow, "edit").writes(),
    bind(Flows, &[Key::ctrl('d')], Act::DeleteFlow, "delete").writes(),
    bind(Flows, &[Key::ch('f')], Act::CycleStatus, "status filter"),
    bind(Flows, &[Key::ch('m')], Act::CycleMode, "mode filter"),
    bind(Runs, &[ENTER, Key::ch('l')], Act::Logs, "logs"),
    bind(Runs, &[Key::ch('d')], Act::Describe, "describe"),
    bind(Runs, &[Key::ch('i')], Act::Items, "items"),
    bind(Runs, &[Key::ch('t')], Act::RunAgain, "run again").writes(),
    bind(Runs, &[Key::ctrl('k')], Act::CancelRun, "cancel").writes(),
    bind(Runs, &[Key::ctrl('z')], Act::FailedOnly, "failed only"),
    bind(Logs, &[Key::ch('s')], Act::Follow, "follow"),
    bind(Logs, &[Key::ch('w')], Act::Wrap, "wrap"),
    bind(Logs, &[Key::ch('t')], Act::Timestamps, "timestamps"),
    bind(Logs, &[Key::ch('/')], Act::Search, "search"),
    bind(Logs, &[Key::ch('n')], Act::NextMatch, "next match"),
    bind(Logs, &[Key::ch('N')], Act::PrevMatch, "prev match"),
    bind(Logs, &[Key::ctrl('s')], Act::SaveLogs, "save"),
    bind(Items, &[Key::ctrl('s')], Act::Export, "export"),
    bind(Keys, &[Key::ch('n')], Act::NewKey, "create").writes(),
    bind(Keys, &[Key::ctrl('d')], Act::RevokeKey, "revoke").writes(),
    bind(Global, &[Key::ch('?')], Act::Help, "help"),
    bind(Global, &[Key::ch(':')], Act::Command, "command"),
    bind(Global, &[Key::ch('/')], Act::Filter, "filter"),
    bind(Global, &[ESC], Act::Back, "back"),
    bind(Global, &[Key::ch('q')], Act::Quit, "back/quit").help_only(),
    bind(Global, &[Key::ctrl('c')], Act::ForceQuit, "quit").help_only(),
    bind(Global, &[Key::ctrl('r')], Act::Refresh, "refresh").help_only(),
    bind(Global, &[Key::ch('k'), UP], Act::Up, "up").help_only(),
    bind(Global, &[Key::ch('j'), DOWN], Act::Down, "down").help_only(),
    bind(Global, &[Key::ch('g'), HOME], Act::Top, "top").help_only(),
    bind(Global, &[Key::ch('G'), END], Act::Bottom, "bottom").help_only(),
    bind(Global, &[PAGE_UP], Act::PageUp, "page up").help_only(),
    bind(Global, &[PAGE_DOWN], Act::PageDown, "page down").help_only(),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Act),
    /// Bound, but it writes and the app is read-only.
    ReadOnly(&'static str),
    Unbound,
}

pub fn lookup(context: Context, key: Key, readonly: bool) -> Lookup {
    let found = applying(context).find(|b| b.keys.contains(&key));
    match found {
        Some(b) if b.writes && readonly => Lookup::ReadOnly(b.label),
        Some(b) => Lookup::Found(b.act),
        None => Lookup::Unbound,
    }
}

/// General keys a view has nothing for: not hinted, not in its help, and
/// not answered with "this view has no filter" either.
const LACKING: &[(Context, Act)] = &[(Context::Describe, Act::Filter)];

/// The bindings that apply in `context`: its own, then the general ones
/// whose keys it does not take over.
fn applying(context: Context) -> impl Iterator<Item = &'static Binding> {
    let own = move || KEYMAP.iter().filter(move |b| b.context == context);
    own().chain(KEYMAP.iter().filter(move |b| {
        b.context == Context::Global
            && !LACKING.contains(&(context, b.act))
            && (context == Context::Global
                || !b.keys.iter().any(|k| own().any(|o| o.keys.contains(k))))
    }))
}

/// The bindings of a view as the header shows them: its own, then the
/// general ones worth a hint.
pub fn hints(context: Context, readonly: bool) -> Vec<&'static Binding> {
    applying(context)
        .filter(|b| b.hint && !(b.writes && readonly))
        .collect()
}

/// Every binding that applies in `context`, grouped for the help screen.
pub fn help(context: Context, readonly: bool) -> Vec<(Context, Vec<&'static Binding>)> {
    let all: Vec<&Binding> = applying(context)
        .filter(|b| !(b.writes && readonly))
        .collect();
    [context, Context::Global]
        .into_iter()
        .filter(|c| *c != Context::Global || context != Context::Global)
        .map(|c| (c, all.iter().copied().filter(|b| b.context == c).collect()))
        .collect()
}

pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}
