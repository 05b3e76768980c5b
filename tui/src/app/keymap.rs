//! The one key table. Dispatch, the header's hints and the `?` help are all
//! read from `KEYMAP`, so a key cannot work without being documented.

use super::action::{
    Act, ChangesAct, DeliveryAct, DescribeAct, DialogAct, ExportFormat, FlowAct, GeneralAct,
    InputAct, ItemsAct, KeysAct, LogAct, MoveAct, OpenAct, RunAct,
};
use super::key::{
    BACKSPACE, BACKTAB, DOWN, END, ENTER, ESC, HOME, Key, LEFT, PAGE_DOWN, PAGE_UP, RIGHT, TAB, UP,
};

/// Where a binding applies. A context falls back to its parent's keys
/// for those it does not bind itself: a view to the general ones, the
/// command line to the input line's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Flows,
    Runs,
    Logs,
    Items,
    Keys,
    Describe,
    /// A run's describe: its screenshots can be saved.
    RunDescribe,
    Changes,
    Deliveries,
    // What sits on top of a view and takes its keys (see `Overlay`).
    Help,
    Confirm,
    Export,
    Notice,
    /// The `/` filter, the log search and a new key's name.
    Input,
    /// The `:` prompt: the input line with completion.
    Command,
}

impl Context {
    /// Every dialog, in the order the help lists them.
    pub const DIALOGS: &[Context] = &[
        Context::Input,
        Context::Command,
        Context::Confirm,
        Context::Export,
        Context::Notice,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "General",
            Context::Flows => "Flows",
            Context::Runs => "Runs",
            Context::Logs => "Logs",
            Context::Items => "Items",
            Context::Keys => "Keys",
            Context::Describe => "Describe",
            Context::RunDescribe => "Describe run",
            Context::Changes => "Changes",
            Context::Deliveries => "Deliveries",
            Context::Help => "Help",
            Context::Confirm => "Confirm",
            Context::Export => "Export",
            Context::Notice => "Notice",
            Context::Input => "Input line",
            Context::Command => "Command line",
        }
    }

    /// A dialog takes every key: of the general ones, only those marked
    /// `in_dialogs` reach past it.
    pub fn is_dialog(self) -> bool {
        Context::DIALOGS.contains(&self)
    }

    fn parent(self) -> Option<Context> {
        match self {
            Context::Global => None,
            Context::Command => Some(Context::Input),
            _ => Some(Context::Global),
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
    /// Shown in the header and a dialog's line of keys (all bindings are
    /// in `?`).
    pub hint: bool,
    /// Also answers every character typed (the input line).
    pub any_char: bool,
    /// A general key that works in dialogs too.
    pub in_dialogs: bool,
}

/// A binding that only reads and is hinted; the flags below change that.
const fn bind(context: Context, keys: &'static [Key], act: Act, label: &'static str) -> Binding {
    Binding {
        context,
        keys,
        act,
        label,
        writes: false,
        hint: true,
        any_char: false,
        in_dialogs: false,
    }
}

impl Binding {
    const fn writes(self) -> Binding {
        Binding {
            writes: true,
            ..self
        }
    }

    /// Left out of the header and a dialog's line of keys, which have room
    /// for the main ones only.
    const fn help_only(self) -> Binding {
        Binding {
            hint: false,
            ..self
        }
    }

    const fn any_char(self) -> Binding {
        Binding {
            any_char: true,
            ..self
        }
    }

    const fn in_dialogs(self) -> Binding {
        Binding {
            in_dialogs: true,
            ..self
        }
    }

    pub fn answers(&self, key: Key) -> bool {
        self.keys.contains(&key) || (self.any_char && key.typed().is_some())
    }
}

use Context::{
    Changes, Command, Confirm, Deliveries, Export, Flows, Global, Help, Input, Items, Keys, Logs,
    Notice, RunDescribe, Runs,
};

// One binding a line, in columns: the table reads down.
#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    // Each view's own keys: they win over the general ones.
    bind(Flows,   &[ENTER],                 Act::Open(OpenAct::Runs),             "runs"),
    bind(Flows,   &[Key::ch('d')],          Act::Open(OpenAct::Describe),         "describe"),
    bind(Flows,   &[Key::ch('c')],          Act::Open(OpenAct::Changes),          "changes"),
    bind(Flows,   &[Key::ch('w')],          Act::Open(OpenAct::Deliveries),       "webhooks"),
    bind(Flows,   &[Key::ch('t')],          Act::Flow(FlowAct::Trigger),          "trigger").writes(),
    bind(Flows,   &[Key::ch('p')],          Act::Flow(FlowAct::TogglePause),      "pause/resume").writes(),
    bind(Flows,   &[Key::ch('n')],          Act::Flow(FlowAct::New),              "new").writes(),
    bind(Flows,   &[Key::ch('e')],          Act::Flow(FlowAct::Edit),             "edit").writes(),
    bind(Flows,   &[Key::ctrl('d')],        Act::Flow(FlowAct::Delete),           "delete").writes(),
    bind(Flows,   &[Key::ch('f')],          Act::Flow(FlowAct::CycleStatus),      "status filter"),
    bind(Flows,   &[Key::ch('m')],          Act::Flow(FlowAct::CycleMode),        "mode filter"),
    bind(Runs,    &[ENTER, Key::ch('l')],   Act::Open(OpenAct::Logs),             "logs"),
    bind(Runs,    &[Key::ch('d')],          Act::Open(OpenAct::Describe),         "describe"),
    bind(Runs,    &[Key::ch('i')],          Act::Open(OpenAct::Items),            "items"),
    bind(Runs,    &[Key::ch('c')],          Act::Open(OpenAct::Changes),          "changes"),
    bind(Runs,    &[Key::ch('t')],          Act::Run(RunAct::RunAgain),           "run again").writes(),
    bind(Runs,    &[Key::ctrl('k')],        Act::Run(RunAct::Cancel),             "cancel").writes(),
    bind(Runs,    &[Key::ctrl('z')],        Act::Run(RunAct::FailedOnly),         "failed only"),
    bind(Logs,    &[Key::ch('s')],          Act::Log(LogAct::Follow),             "follow"),
    bind(Logs,    &[Key::ch('w')],          Act::Log(LogAct::Wrap),               "wrap"),
    bind(Logs,    &[Key::ch('t')],          Act::Log(LogAct::Timestamps),         "timestamps"),
    bind(Logs,    &[Key::ch('/')],          Act::Log(LogAct::Search),             "search"),
    bind(Logs,    &[Key::ch('n')],          Act::Log(LogAct::NextMatch),          "next match"),
    bind(Logs,    &[Key::ch('N')],          Act::Log(LogAct::PrevMatch),          "prev match"),
    bind(Logs,    &[Key::ctrl('s')],        Act::Log(LogAct::Save),               "save"),
    bind(Items,   &[Key::ctrl('s')],        Act::Items(ItemsAct::Export),         "export"),
    bind(Keys,    &[Key::ch('n')],          Act::Keys(KeysAct::New),              "create").writes(),
    bind(Keys,    &[Key::ctrl('d')],        Act::Keys(KeysAct::Revoke),           "revoke").writes(),
    bind(Changes, &[Key::ch('f')],          Act::Changes(ChangesAct::CycleKind),  "kind filter"),
    bind(RunDescribe, &[Key::ctrl('s')],    Act::Describe(DescribeAct::SaveScreenshot), "save screenshot"),
    bind(RunDescribe, &[Key::ch('j'), DOWN], Act::Move(MoveAct::Down),            "down, next screenshot").help_only(),
    bind(RunDescribe, &[Key::ch('k'), UP],  Act::Move(MoveAct::Up),               "up, previous screenshot").help_only(),
    bind(Deliveries, &[ENTER],              Act::Delivery(DeliveryAct::Attempts), "attempts"),
    bind(Deliveries, &[Key::ch('r')],       Act::Delivery(DeliveryAct::Redeliver), "redeliver").writes(),
    bind(Deliveries, &[Key::ch('p')],       Act::Delivery(DeliveryAct::Resume),   "resume webhook").writes(),
    bind(Deliveries, &[Key::ch('s')],       Act::Delivery(DeliveryAct::RotateSecret), "rotate secret").writes(),
    bind(Global,  &[Key::ch('?')],          Act::General(GeneralAct::Help),       "help"),
    bind(Global,  &[Key::ch(':')],          Act::General(GeneralAct::Command),    "command"),
    bind(Global,  &[Key::ch('/')],          Act::General(GeneralAct::Filter),     "filter"),
    bind(Global,  &[ESC],                   Act::General(GeneralAct::Back),       "back"),
    bind(Global,  &[Key::ch('q')],          Act::General(GeneralAct::Quit),       "back/quit").help_only(),
    bind(Global,  &[Key::ctrl('c')],        Act::General(GeneralAct::ForceQuit),  "quit").help_only().in_dialogs(),
    bind(Global,  &[Key::ctrl('r')],        Act::General(GeneralAct::Refresh),    "refresh").help_only(),
    bind(Global,  &[Key::ch('k'), UP],      Act::Move(MoveAct::Up),               "up").help_only(),
    bind(Global,  &[Key::ch('j'), DOWN],    Act::Move(MoveAct::Down),             "down").help_only(),
    bind(Global,  &[Key::ch('g'), HOME],    Act::Move(MoveAct::Top),              "top").help_only(),
    bind(Global,  &[Key::ch('G'), END],     Act::Move(MoveAct::Bottom),           "bottom").help_only(),
    bind(Global,  &[PAGE_UP],               Act::Move(MoveAct::PageUp),           "page up").help_only(),
    bind(Global,  &[PAGE_DOWN],             Act::Move(MoveAct::PageDown),         "page down").help_only(),
    // Dialogs: while one is open, its keys are the only ones (and ctrl-c).
    bind(Help,    &[Key::ch('j'), DOWN],    Act::Dialog(DialogAct::ScrollDown),   "down"),
    bind(Help,    &[Key::ch('k'), UP],      Act::Dialog(DialogAct::ScrollUp),     "up"),
    bind(Help,    &[ESC, Key::ch('q'), Key::ch('?'), ENTER], Act::Dialog(DialogAct::Close), "close"),
    bind(Confirm, &[Key::ch('y')],          Act::Dialog(DialogAct::Yes),          "yes"),
    bind(Confirm, &[Key::ch('n'), ESC, Key::ch('q')], Act::Dialog(DialogAct::Close), "no"),
    bind(Confirm, &[TAB],                   Act::Dialog(DialogAct::Switch),       "switch"),
    bind(Confirm, &[BACKTAB, LEFT, RIGHT, Key::ch('h'), Key::ch('l')], Act::Dialog(DialogAct::Switch), "switch").help_only(),
    bind(Confirm, &[ENTER],                 Act::Dialog(DialogAct::Choose),       "choose"),
    bind(Export,  &[Key::ch('j'), Key::ch('J')], Act::Dialog(DialogAct::Export(ExportFormat::Json)), "JSON"),
    bind(Export,  &[Key::ch('c'), Key::ch('C')], Act::Dialog(DialogAct::Export(ExportFormat::Csv)), "CSV"),
    bind(Export,  &[ESC, Key::ch('q')],     Act::Dialog(DialogAct::Close),        "close"),
    bind(Notice,  &[ENTER, ESC, Key::ch('q')], Act::Dialog(DialogAct::Close), "close"),
    bind(Input,   &[ENTER],                 Act::Input(InputAct::Submit),         "submit"),
    bind(Input,   &[ESC],                   Act::Input(InputAct::Close),          "close"),
    bind(Input,   &[BACKSPACE],             Act::Input(InputAct::Erase),          "erase"),
    bind(Input,   &[Key::ctrl('u')],        Act::Input(InputAct::Clear),          "clear line"),
    bind(Input,   &[],                      Act::Input(InputAct::Type),           "type").any_char(),
    bind(Command, &[TAB],                   Act::Input(InputAct::Complete),       "complete"),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Act),
    /// Bound, but it writes and the app is read-only.
    ReadOnly(&'static str),
    Unbound,
}

pub fn lookup(context: Context, key: Key, readonly: bool) -> Lookup {
    let found = applying(context).into_iter().find(|b| b.answers(key));
    match found {
        Some(b) if b.writes && readonly => Lookup::ReadOnly(b.label),
        Some(b) => Lookup::Found(b.act),
        None => Lookup::Unbound,
    }
}

/// General keys a view has nothing for: not hinted, not in its help, and
/// not answered with "this view has no filter" either.
const LACKING: &[(Context, Act)] = &[
    (Context::Describe, Act::General(GeneralAct::Filter)),
    (Context::RunDescribe, Act::General(GeneralAct::Filter)),
];

/// The bindings that apply in `context`: its own, then those of each
/// parent in turn whose keys no nearer context takes over.
fn applying(context: Context) -> Vec<&'static Binding> {
    let mut found: Vec<&'static Binding> = Vec::new();
    let mut layer = Some(context);
    while let Some(current) = layer {
        let nearer = found.len();
        for b in KEYMAP.iter().filter(|b| b.context == current) {
            let inherited = current != context;
            let taken = b
                .keys
                .iter()
                .any(|k| found[..nearer].iter().any(|n| n.answers(*k)));
            let shut_out = current == Context::Global && context.is_dialog() && !b.in_dialogs;
            if inherited && (taken || shut_out || LACKING.contains(&(context, b.act))) {
                continue;
            }
            found.push(b);
        }
        layer = current.parent();
    }
    found
}

/// The bindings of a context as the header shows them: its own, then the
/// inherited ones worth a hint.
pub fn hints(context: Context, readonly: bool) -> Vec<&'static Binding> {
    applying(context)
        .into_iter()
        .filter(|b| b.hint && !(b.writes && readonly))
        .collect()
}

/// Every binding, grouped for the help screen: the view's own and the
/// general ones that apply there, then each dialog's.
pub fn help(view: Context, readonly: bool) -> Vec<(Context, Vec<&'static Binding>)> {
    let shown = |b: &&'static Binding| !(b.writes && readonly);
    let all: Vec<&Binding> = applying(view).into_iter().filter(shown).collect();
    let views = [view, Context::Global]
        .into_iter()
        .filter(|c| *c != Context::Global || view != Context::Global)
        .map(|c| (c, all.iter().copied().filter(|b| b.context == c).collect()));
    let dialogs = Context::DIALOGS.iter().map(|&d| {
        let own = KEYMAP.iter().filter(|b| b.context == d).filter(shown);
        (d, own.collect())
    });
    views.chain(dialogs).collect()
}

pub fn keys_label(binding: &Binding) -> String {
    let mut labels: Vec<String> = binding.keys.iter().map(Key::label).collect();
    if binding.any_char {
        labels.push("char".into());
    }
    labels.join("/")
}
