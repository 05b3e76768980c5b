//! The app's only door to the server. Each call runs in its own tokio task
//! and reports back on one channel with the tag it was given, so the event
//! loop never waits on the network and the app can drop stale answers.

use crate::app::action::{
    ApiResult, ExportFormat, Incoming, LogEvent, LogUpdate, Reply, Request, Stats, Subject, Tag,
};
use crate::app::nav::Target;
use scraper_common::{
    Client, ClientError, FailureReason, FlowFilter, FlowStatus, LogEvent as StreamEvent, RunFilter,
    RunStatus, StreamEnd,
};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// How long a log follower waits before trying again after a failure.
const RETRY: Duration = Duration::from_secs(1);
/// Failed attempts at the live stream before polling instead.
const SSE_TRIES: u32 = 3;
/// How often the polling fallback asks for new lines.
const POLL: Duration = Duration::from_millis(500);

pub struct ApiTask {
    client: Client,
    tx: UnboundedSender<Incoming>,
    follower: Option<JoinHandle<()>>,
}

impl ApiTask {
    pub fn new(client: Client, tx: UnboundedSender<Incoming>) -> ApiTask {
        ApiTask {
            client,
            tx,
            follower: None,
        }
    }

    pub fn spawn(&self, tag: Tag, request: Request) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = call(&client, &request).await;
            // The loop may be gone (quitting); nothing to do then.
            let _ = tx.send(Incoming::Api(Box::new(ApiResult {
                tag,
                request,
                result,
            })));
        });
    }

    /// Follows one run's logs, replacing any follower before it.
    pub fn follow(&mut self, tag: Tag, run_id: String, after: u64) {
        self.stop();
        let client = self.client.clone();
        let tx = self.tx.clone();
        self.follower = Some(tokio::spawn(follow(client, tx, tag, run_id, after)));
    }

    pub fn stop(&mut self) {
        if let Some(task) = self.follower.take() {
            task.abort();
        }
    }
}

impl Drop for ApiTask {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn call(client: &Client, request: &Request) -> Result<Reply, ClientError> {
    Ok(match request {
        Request::Flows(filter) => Reply::Flows(client.list_flows(filter).await?),
        Request::Runs(filter) => Reply::Runs(client.list_runs(filter).await?),
        Request::Keys => Reply::Keys(client.list_keys().await?),
        Request::Stats { want_key_name } => Reply::Stats(stats(client, *want_key_name).await?),
        Request::DescribeFlow(id) => {
            let flow = client.get_flow(id).await?;
            let runs = client
                .list_runs(&RunFilter {
                    flow_id: Some(id.clone()),
                    limit: Some(30),
                    ..RunFilter::default()
                })
                .await?
                .data;
            Reply::FlowDetail { flow, runs }
        }
        Request::DescribeRun(id) => {
            let (detail, screenshots) = tokio::join!(client.get_run(id), client.screenshots(id));
            Reply::RunDetail {
                detail: Box::new(detail?),
                // A server without screenshots still describes the run.
                screenshots: screenshots
                    .map(|list| list.data)
                    .map_err(|e| crate::app::error_text(&e)),
            }
        }
        Request::Items(id) => {
            let run = client.get_run(id).await?.run;
            // The schema orders the columns; a deleted flow only loses that.
            let schema = client
                .get_flow(&run.flow_id)
                .await
                .ok()
                .and_then(|f| f.output_schema);
            let items = client
                .run_items(id, Some(crate::app::PAGE_LIMIT), None)
                .await?;
            Reply::Items { run, schema, items }
        }
        Request::Changes { target, kind } => {
            let limit = Some(crate::app::PAGE_LIMIT);
            // With the changes, what they are of: a flow that is no monitor
            // and a run that compared nothing both have none.
            let (subject, changes) = match target {
                Target::Flow(id) => {
                    let (flow, changes) = tokio::join!(
                        client.get_flow(id),
                        client.flow_changes(id, *kind, limit, None)
                    );
                    (Subject::Flow(Box::new(flow?)), changes?)
                }
                Target::Run(id) => {
                    let (run, changes) = tokio::join!(
                        client.get_run(id),
                        client.run_changes(id, *kind, limit, None)
                    );
                    (Subject::Run(Box::new(run?.run)), changes?)
                }
            };
            Reply::Changes {
                target: target.clone(),
                kind: *kind,
                subject,
                changes,
            }
        }
        Request::Deliveries(id) => {
            let limit = Some(crate::app::PAGE_LIMIT);
            let (flow, deliveries) =
                tokio::join!(client.get_flow(id), client.deliveries(id, limit, None));
            Reply::Deliveries {
                flow: Box::new(flow?),
                deliveries: deliveries?,
            }
        }
        Request::TriggerRun(flow_id) => Reply::Triggered(client.create_run(flow_id).await?),
        Request::CancelRun(id) => Reply::Cancelled(client.cancel_run(id).await?),
        Request::SetFlowStatus { id, status } => Reply::FlowUpdated(
            client
                .update_flow(id, &serde_json::json!({"status": status}))
                .await?,
        ),
        Request::DeleteFlow(id) => Reply::FlowDeleted {
            id: id.clone(),
            message: client.delete_flow(id).await?.message,
        },
        Request::CreateFlow(body) => Reply::FlowCreated(client.create_flow_json(body).await?),
        Request::UpdateFlow { id, patch } => {
            Reply::FlowUpdated(client.update_flow(id, patch).await?)
        }
        Request::LoadFlowForEdit(id) => Reply::FlowForEdit(client.get_flow(id).await?),
        Request::CreateKey(key) => Reply::KeyCreated(client.create_key(key).await?),
        Request::RevokeKey(id) => Reply::KeyRevoked {
            id: id.clone(),
            message: client.revoke_key(id).await?.message,
        },
        Request::Redeliver(id) => Reply::Redelivered(client.redeliver(id).await?),
        Request::ResumeWebhook { flow_id, url } => Reply::WebhookResumed(
            client
                .update_flow(flow_id, &serde_json::json!({"webhookUrl": url}))
                .await?,
        ),
        Request::RotateSecret(id) => Reply::SecretRotated(client.rotate_webhook_secret(id).await?),
        Request::ScreenshotPng { run_id, n } => Reply::ScreenshotPng {
            run_id: run_id.clone(),
            n: *n,
            png: client.screenshot_png(run_id, *n).await?,
        },
        Request::ExportItems {
            run_id,
            format,
            path,
        } => {
            let text = client.run_items_text(run_id, format.as_str()).await?;
            let text = match format {
                // The server's JSON is one line; a file people open is nicer indented.
                ExportFormat::Json => serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or(text),
                ExportFormat::Csv => text,
            };
            let bytes = text.len();
            crate::export::write_file(path, &text).map_err(|e| ClientError::Unexpected {
                url: path.display().to_string(),
                status: 0,
                detail: format!("could not write the file: {e}"),
            })?;
            Reply::Exported {
                path: path.clone(),
                bytes,
            }
        }
    })
}

/// Counts from `total`s of one-row pages, fetched at once.
async fn stats(client: &Client, want_key_name: bool) -> Result<Stats, ClientError> {
    let flows = |status: FlowStatus| async move {
        let filter = FlowFilter {
            status: Some(status),
            limit: Some(1),
            ..FlowFilter::default()
        };
        client.list_flows(&filter).await
    };
    let runs = |status: RunStatus| async move {
        let filter = RunFilter {
            status: Some(status),
            limit: Some(1),
            ..RunFilter::default()
        };
        client.list_runs(&filter).await
    };
    let (active, paused, draft, error, running, queued) = tokio::join!(
        flows(FlowStatus::Active),
        flows(FlowStatus::Paused),
        flows(FlowStatus::Draft),
        flows(FlowStatus::Error),
        runs(RunStatus::Running),
        runs(RunStatus::Queued),
    );
    let key_name = if want_key_name {
        // Needs keys:read; a key without it just has no name in the header.
        let suffix = crate::app::key_suffix(client.api_key());
        client.list_keys().await.ok().and_then(|keys| {
            keys.data
                .into_iter()
                .find(|k| k.key.ends_with(&suffix))
                .map(|k| k.name)
        })
    } else {
        None
    };
    Ok(Stats {
        active: active?.total,
        paused: paused?.total,
        draft: draft?.total,
        error: error?.total,
        running: running?.total,
        queued: queued?.total,
        key_name,
    })
}

/// Tails a run: Server-Sent Events while they work (reconnecting with
/// `Last-Event-ID`), polling `after=` when they do not, until the run ends.
async fn follow(
    client: Client,
    tx: UnboundedSender<Incoming>,
    tag: Tag,
    run_id: String,
    mut after: u64,
) {
    let send = |event: LogEvent| {
        tx.send(Incoming::Log(LogUpdate {
            tag,
            run_id: run_id.clone(),
            event,
        }))
        .is_ok()
    };
    let mut sse_failures = 0;
    loop {
        if sse_failures < SSE_TRIES {
            match client.stream_logs(&run_id, Some(after)).await {
                Ok(mut stream) => {
                    sse_failures = 0;
                    if !send(LogEvent::Live) {
                        return;
                    }
                    while let Some(event) = stream.next().await {
                        match event {
                            Ok(StreamEvent::Line(line)) => {
                                after = after.max(line.seq);
                                if !send(LogEvent::Lines(vec![line])) {
                                    return;
                                }
                            }
                            Ok(StreamEvent::End(end)) => {
                                // A server going down also ends the stream,
                                // with a status that is not final: go on.
                                if end.reason == StreamEnd::Finished {
                                    send(LogEvent::End {
                                        status: end.status,
                                        failure_reason: end.failure_reason,
                                    });
                                    return;
                                }
                                break;
                            }
                            Err(e) => {
                                send(LogEvent::Error(crate::app::error_text(&e)));
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    // A refused key will not get better.
                    if matches!(e.status(), Some(401 | 403)) {
                        send(LogEvent::Error(crate::app::error_text(&e)));
                        return;
                    }
                    // No such route (a proxy that does not pass it on, or a
                    // server without it): poll at once. A run that is really
                    // missing is found out by the first poll.
                    if matches!(e.status(), Some(404 | 405 | 406 | 501)) {
                        sse_failures = SSE_TRIES;
                        continue;
                    }
                    sse_failures += 1;
                    if !send(LogEvent::Error(crate::app::error_text(&e))) {
                        return;
                    }
                }
            }
            tokio::time::sleep(RETRY).await;
            continue;
        }
        // Polling fallback, until the run ends. It does not go back to the
        // stream: whatever broke it (a proxy) is still there.
        if !send(LogEvent::Polling("the live stream is not available".into())) {
            return;
        }
        let mut failing = false;
        loop {
            match poll_once(&client, &run_id, after).await {
                Ok((lines, finished)) => {
                    // Say "polling" again after a failed poll said "retrying".
                    if std::mem::take(&mut failing)
                        && !send(LogEvent::Polling("polling again".into()))
                    {
                        return;
                    }
                    if let Some(last) = lines.last() {
                        after = last.seq;
                    }
                    if !lines.is_empty() && !send(LogEvent::Lines(lines)) {
                        return;
                    }
                    if let Some((status, failure_reason)) = finished {
                        send(LogEvent::End {
                            status,
                            failure_reason,
                        });
                        return;
                    }
                }
                Err(e) => {
                    let hopeless = matches!(e.status(), Some(401 | 403 | 404));
                    failing = true;
                    if !send(LogEvent::Error(crate::app::error_text(&e))) || hopeless {
                        return;
                    }
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// New lines, and the final status if the run has finished (read first, so
/// that no line written before the end is missed).
async fn poll_once(client: &Client, run_id: &str, after: u64) -> Result<Finished, ClientError> {
    let run = client.get_run(run_id).await?.run;
    let lines = client.run_logs(run_id, after).await?.data;
    let end = run
        .status
        .is_finished()
        .then_some((run.status, run.failure_reason));
    Ok((lines, end))
}

/// A poll's new lines, and the run's final status and failure reason once it has ended.
type Finished = (
    Vec<scraper_common::LogEntry>,
    Option<(RunStatus, Option<FailureReason>)>,
);
