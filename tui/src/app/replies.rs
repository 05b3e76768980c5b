//! API answers into state. Every answer carries the tag of its request; an
//! answer to a request that a newer one of its slot replaced is dropped.

use super::action::{Command, EditRequest, Incoming, LogEvent, Reply, Request, Slot, Subject, Tag};
use super::error_text::{describe_request, error_text};
use super::nav::{Change, Described, Item, LogsView, Screen, Target, Transport};
use super::overlay::{self, Overlay};
use super::{App, Connection, edit};
use scraper_common::{
    ChangeEntry, ChangeKind, ClientError, CreatedKey, Flow, ListResponse, OutputSchema, Run,
};
use serde_json::{Map, Value};
use std::collections::HashMap;

impl App {
    pub fn apply(&mut self, incoming: Incoming) -> Vec<Command> {
        match incoming {
            Incoming::Api(result) => {
                if !self.is_current(result.tag) {
                    return Vec::new();
                }
                self.in_flight.remove(&result.tag.slot);
                match result.result {
                    Ok(reply) => {
                        if result.tag.slot != Slot::Write || self.conn != Connection::Connected {
                            self.conn = Connection::Connected;
                        }
                        if self
                            .view_error
                            .as_ref()
                            .is_some_and(|(slot, _)| *slot == result.tag.slot)
                        {
                            self.view_error = None;
                        }
                        self.apply_reply(result.tag, reply)
                    }
                    Err(error) => self.apply_error(result.tag, &result.request, error),
                }
            }
            Incoming::Log(update) => {
                if self.is_current(update.tag) {
                    self.apply_log(&update.run_id, update.event);
                }
                Vec::new()
            }
        }
    }

    fn apply_error(&mut self, tag: Tag, request: &Request, error: ClientError) -> Vec<Command> {
        let text = error_text(&error);
        match (&error, error.status()) {
            (ClientError::Unreachable { .. }, _) => {
                self.conn = Connection::Unreachable(text.clone());
            }
            (_, Some(401)) => self.conn = Connection::KeyRejected(text.clone()),
            // Only what every screen needs makes the whole key "lacking";
            // a 403 on one view is that view's business (below).
            (_, Some(403)) if matches!(tag.slot, Slot::Stats | Slot::Flows) => {
                self.conn = Connection::Forbidden(text.clone());
            }
            _ => {}
        }
        match tag.slot {
            // The header says it; a flash every tick would only be noise.
            Slot::Stats => Vec::new(),
            Slot::Flows => {
                self.view_error = Some((Slot::Flows, text));
                Vec::new()
            }
            Slot::Write => {
                if let Some((pending, edit)) = self.pending_edit.take()
                    && pending == tag
                    && matches!(error.status(), Some(400 | 422))
                {
                    self.flash_error(format!("not saved: {text}"));
                    return vec![Command::Edit(EditRequest {
                        error: Some(text),
                        ..edit
                    })];
                }
                self.flash_error(format!("{}: {text}", describe_request(request)));
                Vec::new()
            }
            slot => {
                // The body says it from now on; flash only news, not every
                // refresh's repeat of it.
                let known = self.view_error.as_ref() == Some(&(slot, text.clone()));
                if !known {
                    self.flash_error(text.clone());
                }
                if slot != Slot::Logs {
                    self.view_error = Some((slot, text));
                }
                Vec::new()
            }
        }
    }

    fn apply_reply(&mut self, tag: Tag, reply: Reply) -> Vec<Command> {
        if self.pending_edit.as_ref().is_some_and(|(t, _)| *t == tag) {
            self.pending_edit = None;
        }
        match reply {
            Reply::Stats(stats) => self.stats = Some(stats),
            Reply::Flows(list) => {
                let select = self.select_flow.take();
                let flows = self.flows_mut();
                flows.table.set_rows(list.data, list.total);
                if let Some(id) = select
                    && !flows.table.select_id(&id)
                {
                    self.select_flow = Some(id);
                }
            }
            Reply::Runs(list) => {
                if let Some(Screen::Runs(v)) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|s| matches!(s, Screen::Runs(_)))
                {
                    v.table.set_rows(list.data, list.total);
                }
            }
            Reply::Keys(list) => {
                if let Screen::Keys(v) = self.screen_mut() {
                    v.table.set_rows(list.data, list.total);
                }
            }
            Reply::FlowDetail { flow, runs } => {
                if let Screen::Describe(v) = self.screen_mut()
                    && v.target == Target::Flow(flow.id.clone())
                {
                    v.title = Some(flow.name.clone());
                    v.content = Some(Described::Flow {
                        flow: Box::new(flow),
                        runs,
                    });
                }
            }
            Reply::RunDetail {
                detail,
                screenshots,
            } => {
                if let Screen::Describe(v) = self.screen_mut()
                    && v.target == Target::Run(detail.run.id.clone())
                {
                    v.content = Some(Described::Run {
                        detail,
                        screenshots,
                    });
                    v.selected = v.selected.min(v.screenshots().len().saturating_sub(1));
                }
            }
            Reply::Items { run, schema, items } => self.fill_items(&run, schema, items),
            Reply::Changes {
                target,
                kind,
                subject,
                changes,
            } => self.fill_changes(&target, kind, subject, changes),
            Reply::Deliveries { flow, deliveries } => {
                if let Screen::Deliveries(v) = self.screen_mut()
                    && v.flow_id == flow.id
                {
                    v.name = flow.name.clone();
                    v.flow = Some(flow);
                    v.table.set_rows(deliveries.data, deliveries.total);
                }
            }
            Reply::Triggered(run) => return self.triggered(run),
            Reply::Cancelled(run) => {
                self.flash_info(format!("{} {}", run.id, run.status));
                return self.refresh();
            }
            Reply::FlowUpdated(flow) => {
                self.flash_info(format!("{} saved ({})", flow.name, flow.status));
                self.show_new_secret(&flow);
                return self.refresh();
            }
            Reply::FlowCreated(flow) => {
                self.flash_info(format!(
                    "{} created as {} ({})",
                    flow.name, flow.id, flow.status
                ));
                self.show_new_secret(&flow);
                self.select_flow = Some(flow.id);
                return self.refresh();
            }
            Reply::FlowDeleted { id, message } => return self.flow_deleted(&id, message),
            Reply::FlowForEdit(flow) => return vec![Command::Edit(edit::edit_flow(&flow))],
            Reply::KeyCreated(key) => {
                self.overlay = Overlay::Notice(key_created(&key));
                return self.refresh();
            }
            Reply::KeyRevoked { message, .. } => {
                self.flash_info(message);
                return self.refresh();
            }
            Reply::Redelivered(delivery) => {
                self.flash_info(format!(
                    "{} {} is due again now",
                    delivery.event, delivery.id
                ));
                return self.refresh();
            }
            Reply::WebhookResumed(flow) => {
                let url = flow.webhook_url.clone().unwrap_or_default();
                self.flash_info(format!("deliveries to {url} resumed"));
                return self.refresh();
            }
            Reply::SecretRotated(flow) => {
                self.flash_info(format!("{} has a new webhook secret", flow.name));
                self.show_new_secret(&flow);
                return self.refresh();
            }
            Reply::Exported { path, bytes } => {
                self.flash_info(format!("saved {bytes} bytes to {}", path.display()));
            }
            Reply::ScreenshotPng { run_id, n, png } => self.save_screenshot(&run_id, n, &png),
        }
        Vec::new()
    }

    fn fill_items(
        &mut self,
        run: &Run,
        schema: Option<OutputSchema>,
        items: ListResponse<Map<String, Value>>,
    ) {
        if let Screen::Items(v) = self.screen_mut()
            && v.run_id == run.id
        {
            v.columns = item_columns(schema.as_ref(), &items.data);
            v.schema = schema;
            let rows = items
                .data
                .into_iter()
                .enumerate()
                .map(|(i, values)| Item {
                    key: i.to_string(),
                    values,
                })
                .collect();
            v.table.set_rows(rows, items.total);
        }
    }

    /// Entries in rows, each with an id its place in its run gives.
    fn fill_changes(
        &mut self,
        target: &Target,
        kind: Option<ChangeKind>,
        subject: Subject,
        changes: ListResponse<ChangeEntry>,
    ) {
        let Screen::Changes(v) = self.screen_mut() else {
            return;
        };
        if &v.target != target || v.kind != kind {
            return;
        }
        if let Subject::Flow(flow) = &subject {
            v.title = Some(flow.name.clone());
        }
        v.subject = Some(subject);
        let mut seen: HashMap<String, usize> = HashMap::new();
        let rows = changes
            .data
            .into_iter()
            .map(|entry| {
                let n = seen.entry(entry.run_id.clone()).or_default();
                *n += 1;
                Change {
                    key: format!("{}#{n}", entry.run_id),
                    entry,
                }
            })
            .collect();
        v.table.set_rows(rows, changes.total);
    }

    /// A webhook secret in full is in the answer that made it, and only
    /// there: shown once, like a new key.
    fn show_new_secret(&mut self, flow: &Flow) {
        if let Some(notice) = secret_made(flow) {
            self.overlay = Overlay::Notice(notice);
        }
    }

    fn triggered(&mut self, run: Run) -> Vec<Command> {
        self.flash_info(format!("{} queued for {}", run.id, run.flow_name));
        // Triggered from anywhere but a runs view, the flow's runs go
        // under the logs: `esc` lands there, as in k9s, and the crumb
        // reads `flows > <flow> > runs > run-… > logs`.
        let mut commands = Vec::new();
        if !matches!(self.screen(), Screen::Runs(_)) {
            commands.extend(self.open_runs(Some((run.flow_id.clone(), run.flow_name))));
        }
        commands.extend(self.push(Screen::Logs(LogsView::new(run.id))));
        commands.extend(self.refresh_lists());
        commands
    }

    fn flow_deleted(&mut self, id: &str, message: String) -> Vec<Command> {
        self.flash_info(message);
        let mut commands = Vec::new();
        while self.stack.len() > 1 && self.screen_mentions_flow(id) {
            commands.extend(self.pop());
        }
        commands.extend(self.refresh());
        commands
    }

    fn is_current(&self, tag: Tag) -> bool {
        tag.slot == Slot::Write || self.latest.get(&tag.slot) == Some(&tag.id)
    }

    fn screen_mentions_flow(&self, id: &str) -> bool {
        match self.screen() {
            Screen::Runs(v) => v.flow.as_ref().is_some_and(|(f, _)| f == id),
            Screen::Describe(v) => v.target == Target::Flow(id.to_string()),
            Screen::Changes(v) => match (&v.target, &v.subject) {
                (Target::Flow(flow), _) => flow == id,
                (Target::Run(_), Some(Subject::Run(run))) => run.flow_id == id,
                _ => false,
            },
            Screen::Deliveries(v) => v.flow_id == id,
            _ => false,
        }
    }

    fn apply_log(&mut self, run_id: &str, event: LogEvent) {
        let Some(Screen::Logs(v)) = self.stack.last_mut() else {
            return;
        };
        if v.run_id != run_id {
            return;
        }
        match event {
            LogEvent::Live => v.transport = Transport::Live,
            LogEvent::Polling(_) => v.transport = Transport::Polling,
            LogEvent::Error(e) => v.transport = Transport::Retrying(e),
            LogEvent::Lines(lines) => {
                let last = v.last_seq();
                // A resumed stream may repeat what we hold.
                v.lines.extend(lines.into_iter().filter(|l| l.seq > last));
                v.research();
            }
            LogEvent::End {
                status,
                failure_reason,
            } => {
                v.transport = Transport::Ended;
                v.end = Some((status, failure_reason));
            }
        }
    }
}

/// A new key in full, for the one time it can be seen.
fn key_created(key: &CreatedKey) -> overlay::Notice {
    overlay::Notice {
        title: format!("Key {} created", key.name),
        lines: vec![
            key.key.clone(),
            String::new(),
            "It is shown this once: copy it now.".into(),
            format!(
                "Scopes: {}",
                key.scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ],
    }
}

/// The notice for a webhook secret the server just made. Every other answer
/// masks it (`whsec_****abcd`); a whole one (base64, never `*`) is new.
fn secret_made(flow: &Flow) -> Option<overlay::Notice> {
    let secret = flow.webhook_secret.as_ref().filter(|s| !s.contains('*'))?;
    let url = flow.webhook_url.as_deref().unwrap_or("the webhook");
    Some(overlay::Notice {
        title: format!("Webhook secret of {}", flow.name),
        lines: vec![
            secret.clone(),
            String::new(),
            "It is shown this once: copy it now.".into(),
            format!("Messages to {url} are signed with it (Standard Webhooks)."),
        ],
    })
}

/// Columns of the items table: the schema's fields in its order, then any
/// other field the items carry.
fn item_columns(schema: Option<&OutputSchema>, items: &[Map<String, Value>]) -> Vec<String> {
    let mut columns: Vec<String> = schema
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    for item in items {
        for key in item.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns
}
