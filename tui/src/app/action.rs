//! What flows through the app: key intents (`Act`), the commands the app
//! asks its runtime to carry out (`Command`), and the answers that come back
//! from the API task (`Incoming`). Every API call carries a `Tag`; the app
//! keeps the newest id per `Slot` and drops answers to older calls.

use super::nav::Target;
use scraper_common::{
    ApiKey, ChangeEntry, ChangeKind, ClientError, CreatedKey, Delivery, FailureReason, Flow,
    FlowFilter, FlowStatus, ListResponse, LogEntry, NewKey, OutputSchema, Run, RunDetail,
    RunFilter, RunStatus, Screenshot,
};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// A key's meaning, independent of which key it is (see `keymap`), by what
/// it works on; `App::act` hands each group to its own handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    General(GeneralAct),
    Move(MoveAct),
    Open(OpenAct),
    Flow(FlowAct),
    Run(RunAct),
    Log(LogAct),
    Items(ItemsAct),
    Keys(KeysAct),
    Changes(ChangesAct),
    Delivery(DeliveryAct),
    Describe(DescribeAct),
    Dialog(DialogAct),
    Input(InputAct),
}

/// What every view offers: help, the prompts, back, quit, refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneralAct {
    Help,
    Command,
    Filter,
    Back,
    Quit,
    ForceQuit,
    Refresh,
}

/// The selection of a table, or the scroll of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveAct {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
}

/// A view of the selected row, pushed on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenAct {
    Runs,
    Describe,
    Logs,
    Items,
    /// What a monitor found: a flow's history, or one run's.
    Changes,
    /// A flow's webhook messages.
    Deliveries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowAct {
    Trigger,
    TogglePause,
    New,
    Edit,
    Delete,
    CycleStatus,
    CycleMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAct {
    RunAgain,
    Cancel,
    FailedOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogAct {
    Follow,
    Wrap,
    Timestamps,
    Search,
    NextMatch,
    PrevMatch,
    Save,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemsAct {
    Export,
}

/// API keys, the `:keys` view's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeysAct {
    New,
    Revoke,
}

/// The changes view's key: which kind of change it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangesAct {
    CycleKind,
}

/// The deliveries view's keys: a message's attempts, sending it again, and
/// the webhook itself (resume after a 410, a new secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryAct {
    Attempts,
    Redeliver,
    Resume,
    RotateSecret,
}

/// A run's describe: its screenshots (`j`/`k` select one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DescribeAct {
    SaveScreenshot,
}

/// The boxes over a view: help, the confirm dialog, the export choice and
/// a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogAct {
    Close,
    ScrollDown,
    ScrollUp,
    Yes,
    /// Presses the focused button.
    Choose,
    /// Moves the focus to the other button.
    Switch,
    Export(ExportFormat),
}

/// The input line of the filter, the `:` prompt, the log search and a new
/// key's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputAct {
    Submit,
    Close,
    Erase,
    Clear,
    Complete,
    /// The key pressed is the character typed.
    Type,
}

/// Which answer an API call fills. Calls for the same slot replace each
/// other: only the newest one's answer is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Flows,
    Runs,
    Keys,
    Stats,
    Describe,
    Items,
    Changes,
    Deliveries,
    Logs,
    /// Changes the user asked for; each is its own slot so none is dropped.
    Write,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    pub slot: Slot,
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Flows(FlowFilter),
    Runs(RunFilter),
    Keys,
    /// Counts for the header, and the name of the key in use.
    Stats {
        want_key_name: bool,
    },
    DescribeFlow(String),
    /// The run and the list of its screenshots.
    DescribeRun(String),
    Items(String),
    /// The changes of a flow (its history) or of a run, of one kind or all.
    Changes {
        target: Target,
        kind: Option<ChangeKind>,
    },
    /// A flow's webhook messages, newest first.
    Deliveries(String),
    TriggerRun(String),
    CancelRun(String),
    SetFlowStatus {
        id: String,
        status: FlowStatus,
    },
    DeleteFlow(String),
    CreateFlow(Value),
    UpdateFlow {
        id: String,
        patch: Value,
    },
    LoadFlowForEdit(String),
    CreateKey(NewKey),
    RevokeKey(String),
    Redeliver(String),
    /// `webhookUrl` set again (to what it is): deliveries stopped by a 410 go again.
    ResumeWebhook {
        flow_id: String,
        url: String,
    },
    RotateSecret(String),
    ExportItems {
        run_id: String,
        format: ExportFormat,
        path: PathBuf,
    },
    /// A screenshot's PNG, for `ctrl-s` in a run's describe (the app
    /// writes the file).
    ScreenshotPng {
        run_id: String,
        n: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub active: u64,
    pub paused: u64,
    pub draft: u64,
    pub error: u64,
    pub running: u64,
    pub queued: u64,
    /// Found by matching the key's last characters in `GET /api/keys`;
    /// `None` when the key may not read keys.
    pub key_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Flows(ListResponse<Flow>),
    Runs(ListResponse<Run>),
    Keys(ListResponse<ApiKey>),
    Stats(Stats),
    FlowDetail {
        flow: Flow,
        runs: Vec<Run>,
    },
    RunDetail {
        detail: Box<RunDetail>,
        /// The run's screenshots, or why they could not be listed (the
        /// run itself still is).
        screenshots: Result<Vec<Screenshot>, String>,
    },
    Items {
        run: Run,
        schema: Option<OutputSchema>,
        items: ListResponse<Map<String, Value>>,
    },
    Changes {
        target: Target,
        kind: Option<ChangeKind>,
        subject: Subject,
        changes: ListResponse<ChangeEntry>,
    },
    Deliveries {
        flow: Box<Flow>,
        deliveries: ListResponse<Delivery>,
    },
    Triggered(Run),
    Cancelled(Run),
    FlowUpdated(Flow),
    FlowCreated(Flow),
    FlowDeleted {
        id: String,
        message: String,
    },
    FlowForEdit(Flow),
    KeyCreated(CreatedKey),
    KeyRevoked {
        id: String,
        message: String,
    },
    Redelivered(Delivery),
    WebhookResumed(Flow),
    /// The flow with its new secret whole, this once.
    SecretRotated(Flow),
    Exported {
        path: PathBuf,
        bytes: usize,
    },
    ScreenshotPng {
        run_id: String,
        n: u32,
        png: Vec<u8>,
    },
}

/// What a list of changes is about, read with it: tells "not a monitor"
/// from "nothing changed yet", and gives a run's counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Flow(Box<Flow>),
    Run(Box<Run>),
}

#[derive(Debug)]
pub struct ApiResult {
    pub tag: Tag,
    pub request: Request,
    pub result: Result<Reply, ClientError>,
}

/// What a log follower reports.
#[derive(Debug)]
pub enum LogEvent {
    /// The live stream is open (or reopened).
    Live,
    /// Server-Sent Events could not be had; lines come from polling `after=`.
    Polling(String),
    Lines(Vec<LogEntry>),
    End {
        status: RunStatus,
        failure_reason: Option<FailureReason>,
    },
    /// A failed attempt; the follower retries by itself.
    Error(String),
}

#[derive(Debug)]
pub struct LogUpdate {
    pub tag: Tag,
    pub run_id: String,
    pub event: LogEvent,
}

#[derive(Debug)]
pub enum Incoming {
    Api(Box<ApiResult>),
    Log(LogUpdate),
}

#[derive(Debug, Clone, PartialEq)]
pub enum EditPurpose {
    NewFlow,
    /// `original` is the document as it was opened, to turn removed fields
    /// into `null` in the merge patch.
    EditFlow {
        id: String,
        original: Value,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct EditRequest {
    pub purpose: EditPurpose,
    pub text: String,
    /// Shown at the top of the file when the editor is reopened.
    pub error: Option<String>,
}

/// What the app asks its runtime to do; the app itself never does I/O
/// except writing a saved log file or screenshot.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Api(Tag, Request),
    FollowLogs {
        tag: Tag,
        run_id: String,
        after: u64,
    },
    StopLogs,
    Edit(EditRequest),
    Quit,
}
