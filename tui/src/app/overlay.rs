//! What sits on top of a view and takes the keys first: help, the one
//! confirm dialog for every change, the input line (filter, command,
//! search, new key), a notice (a new key or webhook secret, shown once)
//! and a choice.

use super::action::ExportFormat;
use super::keymap::Context;

#[derive(Debug, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: usize,
    },
    Confirm(Confirm),
    Input(Input),
    Notice(Notice),
    ExportChoice {
        run_id: String,
    },
}

impl Overlay {
    /// The keys it takes, from the key table; `None` leaves them to the view.
    pub fn context(&self) -> Option<Context> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Help { .. } => Context::Help,
            Overlay::Confirm(_) => Context::Confirm,
            Overlay::Input(i) if i.kind == InputKind::Command => Context::Command,
            Overlay::Input(_) => Context::Input,
            Overlay::Notice(_) => Context::Notice,
            Overlay::ExportChoice { .. } => Context::Export,
        })
    }
}

/// What a confirmed dialog does.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    TriggerRun {
        flow_id: String,
        name: String,
    },
    DeleteFlow {
        id: String,
        name: String,
    },
    CancelRun {
        id: String,
    },
    RevokeKey {
        id: String,
        name: String,
    },
    Redeliver {
        id: String,
        event: String,
    },
    ResumeWebhook {
        flow_id: String,
        url: String,
    },
    RotateSecret {
        flow_id: String,
    },
    Export {
        run_id: String,
        format: ExportFormat,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub message: String,
    pub yes: String,
    pub pending: Pending,
    /// Which button Enter presses; destructive dialogs start on Cancel.
    pub yes_focused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
    Search,
    NewKey,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::Filter => "/",
            InputKind::Command => ":",
            InputKind::Search => "search /",
            InputKind::NewKey => "new key (name [scope,...]) > ",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub kind: InputKind,
    pub text: String,
    /// The value before editing, restored by `esc` (live filters).
    pub before: String,
    /// Completions offered by the last Tab.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub title: String,
    pub lines: Vec<String>,
}
