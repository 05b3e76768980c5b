//! The one key table. Dispatch, the header's hints and the `?` help are all
//! read from `KEYMAP`, so a key cannot work without being documented.

use super::action::{
    Act, FlowAct, GeneralAct, ItemsAct, KeysAct, LogAct, MoveAct, OpenAct, RunAct,
};
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

// One binding a line, in columns: the table reads down.
#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    // Views first: their keys win over the general ones.
    bind(Flows,  &[ENTER],               Act::Open(OpenAct::Runs),            "runs"),
    bind(Flows,  &[Key::ch('d')],        Act::Open(OpenAct::Describe),        "describe"),
    bind(Flows,  &[Key::ch('t')],        Act::Flow(FlowAct::Trigger),         "trigger").writes(),
    bind(Flows,  &[Key::ch('p')],        Act::Flow(FlowAct::TogglePause),     "pause/resume").writes(),
    bind(Flows,  &[Key::ch('n')],        Act::Flow(FlowAct::New),             "new").writes(),
    bind(Flows,  &[Key::ch('e')],        Act::Flow(FlowAct::Edit),            "edit").writes(),
    bind(Flows,  &[Key::ctrl('d')],      Act::Flow(FlowAct::Delete),          "delete").writes(),
    bind(Flows,  &[Key::ch('f')],        Act::Flow(FlowAct::CycleStatus),     "status filter"),
    bind(Flows,  &[Key::ch('m')],        Act::Flow(FlowAct::CycleMode),       "mode filter"),
    bind(Runs,   &[ENTER, Key::ch('l')], Act::Open(OpenAct::Logs),            "logs"),
    bind(Runs,   &[Key::ch('d')],        Act::Open(OpenAct::Describe),        "describe"),
    bind(Runs,   &[Key::ch('i')],        Act::Open(OpenAct::Items),           "items"),
    bind(Runs,   &[Key::ch('t')],        Act::Run(RunAct::RunAgain),          "run again").writes(),
    bind(Runs,   &[Key::ctrl('k')],      Act::Run(RunAct::Cancel),            "cancel").writes(),
    bind(Runs,   &[Key::ctrl('z')],      Act::Run(RunAct::FailedOnly),        "failed only"),
    bind(Logs,   &[Key::ch('s')],        Act::Log(LogAct::Follow),            "follow"),
    bind(Logs,   &[Key::ch('w')],        Act::Log(LogAct::Wrap),              "wrap"),
    bind(Logs,   &[Key::ch('t')],        Act::Log(LogAct::Timestamps),        "timestamps"),
    bind(Logs,   &[Key::ch('/')],        Act::Log(LogAct::Search),            "search"),
    bind(Logs,   &[Key::ch('n')],        Act::Log(LogAct::NextMatch),         "next match"),
    bind(Logs,   &[Key::ch('N')],        Act::Log(LogAct::PrevMatch),         "prev match"),
    bind(Logs,   &[Key::ctrl('s')],      Act::Log(LogAct::Save),              "save"),
    bind(Items,  &[Key::ctrl('s')],      Act::Items(ItemsAct::Export),        "export"),
    bind(Keys,   &[Key::ch('n')],        Act::Keys(KeysAct::New),             "create").writes(),
    bind(Keys,   &[Key::ctrl('d')],      Act::Keys(KeysAct::Revoke),          "revoke").writes(),
    bind(Global, &[Key::ch('?')],        Act::General(GeneralAct::Help),      "help"),
    bind(Global, &[Key::ch(':')],        Act::General(GeneralAct::Command),   "command"),
    bind(Global, &[Key::ch('/')],        Act::General(GeneralAct::Filter),    "filter"),
    bind(Global, &[ESC],                 Act::General(GeneralAct::Back),      "back"),
    bind(Global, &[Key::ch('q')],        Act::General(GeneralAct::Quit),      "back/quit").help_only(),
    bind(Global, &[Key::ctrl('c')],      Act::General(GeneralAct::ForceQuit), "quit").help_only(),
    bind(Global, &[Key::ctrl('r')],      Act::General(GeneralAct::Refresh),   "refresh").help_only(),
    bind(Global, &[Key::ch('k'), UP],    Act::Move(MoveAct::Up),              "up").help_only(),
    bind(Global, &[Key::ch('j'), DOWN],  Act::Move(MoveAct::Down),            "down").help_only(),
    bind(Global, &[Key::ch('g'), HOME],  Act::Move(MoveAct::Top),             "top").help_only(),
    bind(Global, &[Key::ch('G'), END],   Act::Move(MoveAct::Bottom),          "bottom").help_only(),
    bind(Global, &[PAGE_UP],             Act::Move(MoveAct::PageUp),          "page up").help_only(),
    bind(Global, &[PAGE_DOWN],           Act::Move(MoveAct::PageDown),        "page down").help_only(),
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
const LACKING: &[(Context, Act)] = &[(Context::Describe, Act::General(GeneralAct::Filter))];

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
