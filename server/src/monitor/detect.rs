//! After a monitor's run completes: its items against the previous completed
//! run's, read from the store a page at a time, and what that is worth.

use super::conditions;
use super::diff::{Baseline, Change, Compare, default_key};
use crate::engine::plan::watches_text;
use crate::store::{self, RecordedChanges, Store};
use regex::Regex;
use scraper_common::time::from_millis;
use scraper_common::{ChangeEntry, Flow};
use serde_json::{Map, Value};

/// The field a text monitor's items carry their page's text in.
pub const TEXT_FIELD: &str = "text";

/// What run `run_id` of `flow` changed since the flow's previous completed
/// run; a baseline when there is none.
pub async fn detect(store: &Store, flow: &Flow, run_id: &str) -> store::Result<RecordedChanges> {
    let settings = flow.monitor.clone().unwrap_or_default();
    let Some(previous) = store.previous_completed_run(&flow.id, run_id).await? else {
        let mut changes = RecordedChanges::default();
        changes.counts.baseline = true;
        return Ok(changes);
    };
    let text = watches_text(flow.mode, &flow.steps, flow.output_schema.as_ref());
    let key = match (&settings.key, text) {
        (Some(key), _) => key.0.clone(),
        (None, true) => vec!["url".to_string()],
        (None, false) => {
            let first = first_item(store, run_id).await?;
            default_key(flow.output_schema.as_ref(), first.as_ref())
        }
    };
    let compare = Compare {
        key,
        // Checked when the flow was saved.
        ignore: settings
            .ignore
            .iter()
            .filter_map(|p| Regex::new(p).ok())
            .collect(),
        text_field: text.then(|| TEXT_FIELD.to_string()),
    };

    let mut baseline = Baseline::new(compare);
    let mut pages = store.item_pages(&previous, 0, None);
    while let Some(page) = pages.next().await? {
        for raw in page {
            baseline.push(raw);
        }
    }
    let mut differ = baseline.differ();
    let mut pages = store.item_pages(run_id, 0, None);
    while let Some(page) = pages.next().await? {
        for raw in &page {
            differ.push(raw);
        }
    }
    let diff = differ.finish();
    let mut counts = diff.counts.clone();
    counts.notified = counts.any() && conditions::matches(settings.notify_on.as_ref(), &diff);
    Ok(RecordedChanges {
        counts,
        entries: diff.changes.into_iter().map(entry).collect(),
    })
}

async fn first_item(store: &Store, run_id: &str) -> store::Result<Option<Map<String, Value>>> {
    let page = store.item_pages(run_id, 0, Some(1)).next().await?;
    Ok(page
        .and_then(|texts| texts.into_iter().next())
        .and_then(|text| serde_json::from_str(&text).ok()))
}

/// A change as stored and listed; the store stamps its run and time.
fn entry(change: Change) -> ChangeEntry {
    let mut entry = ChangeEntry {
        run_id: String::new(),
        detected_at: from_millis(0),
        kind: change.kind(),
        key: change.key().to_string(),
        item: None,
        field: None,
        old: None,
        new: None,
        delta: None,
        delta_percent: None,
        lines_added: None,
        lines_removed: None,
        diff: None,
    };
    match change {
        Change::Added { item, .. } | Change::Removed { item, .. } => entry.item = Some(item),
        Change::Changed(c) => {
            entry.field = Some(c.field);
            entry.old = Some(c.old);
            entry.new = Some(c.new);
            entry.delta = c.delta;
            entry.delta_percent = c.delta_percent;
        }
        Change::Text(t) => {
            entry.lines_added = Some(t.lines_added);
            entry.lines_removed = Some(t.lines_removed);
            entry.diff = Some(t.diff);
        }
    }
    entry
}

/// The line a run's log gets about what it found.
pub fn summary(changes: &RecordedChanges) -> String {
    let c = &changes.counts;
    if c.baseline {
        return "Changes: this is the monitor's first completed run, the baseline later runs \
                are compared with"
            .to_string();
    }
    if !c.any() {
        return format!(
            "Changes: none since the previous completed run ({} records unchanged)",
            c.unchanged
        );
    }
    let mut parts = Vec::new();
    if c.added > 0 {
        parts.push(format!("{} added", c.added));
    }
    if c.removed > 0 {
        parts.push(format!("{} removed", c.removed));
    }
    if c.changed > 0 {
        parts.push(format!("{} field(s) changed", c.changed));
    }
    if c.text_changed > 0 {
        parts.push(format!(
            "text changed on {} page(s) (+{} -{} lines)",
            c.text_changed, c.lines_added, c.lines_removed
        ));
    }
    let notify = if c.notified {
        "notifyOn matched"
    } else {
        "notifyOn did not match: no changes.detected"
    };
    format!(
        "Changes since the previous completed run: {}; {notify}",
        parts.join(", ")
    )
}
