//! Types of the Scraper REST API and the typed client that speaks it.
//!
//! The server, the TUI and the end-to-end tests all use these types, so the
//! wire format is defined once: camelCase JSON, envelopes `{"data": ..}`,
//! `{"data": [..], "total": N}`, `{"message": ..}` and `{"error": {..}}`.

pub mod client;
pub mod envelope;
pub mod error_code;
pub mod extract;
pub mod flow;
pub mod key;
pub mod monitor;
mod names;
pub mod run;
pub mod scope;
pub mod time;

pub use client::{Client, ClientError, LogEvent, LogStream};
pub use envelope::{DataResponse, ErrorBody, ErrorDetail, ListResponse, MessageResponse};
pub use error_code::ErrorCode;
pub use extract::{ExtractRequest, ExtractResult, FieldSelector};
pub use flow::{
    FieldType, Flow, FlowFilter, FlowInput, FlowMode, FlowStatus, OutputSchema, Step, StepType,
};
pub use key::{ApiKey, CreatedKey, NewKey};
pub use monitor::{
    ChangeCounts, ChangeEntry, ChangeKind, CompareOp, Condition, Delivery, DeliveryAttempt,
    DeliveryStatus, FieldChange, MonitorKey, MonitorSettings, NotifyOn, RunChanges, TextChange,
    WebhookData, WebhookEvent, WebhookMessage,
};
pub use run::{
    FailureReason, LogEnd, LogEntry, LogLevel, NewRun, Node, Run, RunDetail, RunFilter, RunStatus,
    Screenshot, StreamEnd, Trigger,
};
pub use scope::Scope;
