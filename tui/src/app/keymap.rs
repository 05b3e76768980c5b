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

const fn bind(
    context: Context,
    keys: &'static [Key],
    act: Act,
    label: &'static str,
    writes: bool,
    hint: bool,
) -> Binding {
    Binding {
        context,
        keys,
        act,
        label,
        writes,
        hint,
    }
}

use Context::{Flows, Global, Items, Keys, Logs, Runs};

pub const KEYMAP: &[Binding] = &[
    // Views first: their keys win over the general ones.
    bind(
        Flows,
        &[Key::code(KeyCode::Enter)],
        Act::Open,
        "runs",
        false,
        true,
    ),
    bind(
        Flows,
        &[Key::ch('d')],
        Act::Describe,
        "describe",
        false,
        true,
    ),
    bind(Flows, &[Key::ch('t')], Act::Trigger, "trigger", true, true),
    bind(
        Flows,
        &[Key::ch('p')],
        Act::TogglePause,
        "pause/resume",
        true,
        true,
    ),
    bind(Flows, &[Key::ch('n')], Act::NewFlow, "new", true, true),
    bind(Flows, &[Key::ch('e')], Act::EditFlow, "edit", true, true),
    bind(
        Flows,
        &[Key::ctrl('d')],
        Act::DeleteFlow,
        "delete",
        true,
        true,
    ),
    bind(
        Flows,
        &[Key::ch('f')],
        Act::CycleStatus,
        "status filter",
        false,
        true,
    ),
    bind(
        Flows,
        &[Key::ch('m')],
        Act::CycleMode,
        "mode filter",
        false,
        true,
    ),
    bind(
        Runs,
        &[Key::code(KeyCode::Enter), Key::ch('l')],
        Act::Logs,
        "logs",
        false,
        true,
    ),
    bind(
        Runs,
        &[Key::ch('d')],
        Act::Describe,
        "describe",
        false,
        true,
    ),
    bind(Runs, &[Key::ch('i')], Act::Items, "items", false, true),
    bind(
        Runs,
        &[Key::ch('t')],
        Act::RunAgain,
        "run again",
        true,
        true,
    ),
    bind(
        Runs,
        &[Key::ctrl('k')],
        Act::CancelRun,
        "cancel",
        true,
        true,
    ),
    bind(
        Runs,
        &[Key::ctrl('z')],
        Act::FailedOnly,
        "failed only",
        false,
        true,
    ),
    bind(Logs, &[Key::ch('s')], Act::Follow, "follow", false, true),
    bind(Logs, &[Key::ch('w')], Act::Wrap, "wrap", false, true),
    bind(
        Logs,
        &[Key::ch('t')],
        Act::Timestamps,
        "timestamps",
        false,
        true,
    ),
    bind(Logs, &[Key::ch('/')], Act::Search, "search", false, true),
    bind(
        Logs,
        &[Key::ch('n')],
        Act::NextMatch,
        "next match",
        false,
        true,
    ),
    bind(
        Logs,
        &[Key::ch('N')],
        Act::PrevMatch,
        "prev match",
        false,
        true,
    ),
    bind(Logs, &[Key::ctrl('s')], Act::SaveLogs, "save", false, true),
    bind(Items, &[Key::ctrl('s')], Act::Export, "export", false, true),
    bind(Keys, &[Key::ch('n')], Act::NewKey, "create", true, true),
    bind(
        Keys,
        &[Key::ctrl('d')],
        Act::RevokeKey,
        "revoke",
        true,
        true,
    ),
    bind(Global, &[Key::ch('?')], Act::Help, "help", false, true),
    bind(
        Global,
        &[Key::ch(':')],
        Act::Command,
        "command",
        false,
        true,
    ),
    bind(Global, &[Key::ch('/')], Act::Filter, "filter", false, true),
    bind(
        Global,
        &[Key::code(KeyCode::Esc)],
        Act::Back,
        "back",
        false,
        true,
    ),
    bind(
        Global,
        &[Key::ch('q')],
        Act::Quit,
        "back/quit",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ctrl('c')],
        Act::ForceQuit,
        "quit",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ctrl('r')],
        Act::Refresh,
        "refresh",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ch('k'), Key::code(KeyCode::Up)],
        Act::Up,
        "up",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ch('j'), Key::code(KeyCode::Down)],
        Act::Down,
        "down",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ch('g'), Key::code(KeyCode::Home)],
        Act::Top,
        "top",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::ch('G'), Key::code(KeyCode::End)],
        Act::Bottom,
        "bottom",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::code(KeyCode::PageUp)],
        Act::PageUp,
        "page up",
        false,
        false,
    ),
    bind(
        Global,
        &[Key::code(KeyCode::PageDown)],
        Act::PageDown,
        "page down",
        false,
        false,
    ),
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
