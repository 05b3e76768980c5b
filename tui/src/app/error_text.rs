//! Errors in words a person can act on: for the flash line, the header and
//! a view's body.

use super::action::Request;
use scraper_common::ClientError;

/// A client error in words a person can act on, without the URL noise.
pub fn error_text(error: &ClientError) -> String {
    match error {
        ClientError::Api { message, code, .. } => format!("{message} ({code})"),
        ClientError::Unreachable { url, source } => {
            let mut text = format!("cannot reach {}", host_of(url));
            let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(source);
            let mut last = None;
            while let Some(c) = cause {
                last = Some(c.to_string());
                cause = c.source();
            }
            if let Some(last) = last {
                text.push_str(&format!(": {last}"));
            }
            text
        }
        other => other.to_string(),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                format!(
                    "{h}{}",
                    u.port().map(|p| format!(":{p}")).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| url.to_string())
}

pub(super) fn describe_request(request: &Request) -> String {
    match request {
        Request::TriggerRun(id) => format!("trigger {id}"),
        Request::CancelRun(id) => format!("cancel {id}"),
        Request::SetFlowStatus { id, status } => format!("set {id} {status}"),
        Request::DeleteFlow(id) => format!("delete {id}"),
        Request::CreateFlow(_) => "create flow".into(),
        Request::UpdateFlow { id, .. } => format!("update {id}"),
        Request::LoadFlowForEdit(id) => format!("load {id}"),
        Request::CreateKey(key) => format!("create key {}", key.name),
        Request::RevokeKey(id) => format!("revoke {id}"),
        Request::Redeliver(id) => format!("redeliver {id}"),
        Request::ResumeWebhook { flow_id, .. } => format!("resume the webhook of {flow_id}"),
        Request::RotateSecret(flow_id) => format!("rotate the secret of {flow_id}"),
        Request::ExportItems { run_id, .. } => format!("export {run_id}"),
        Request::ScreenshotPng { run_id, n } => format!("save screenshot {n} of {run_id}"),
        other => format!("{other:?}"),
    }
}
