//! What a monitor found: a line of counts, then each change. Added records
//! are `+` (green), removed `-` (red), changed fields `~` (yellow) and a
//! watched text `±` with its diff under it: the markers say it all without
//! colour. A flow's history puts a heading over each run's changes.

use super::format;
use super::items::cell_text;
use super::table::{frame_block, title_line};
use super::theme::Theme;
use crate::app::App;
use crate::app::action::Subject;
use crate::app::nav::{ChangesView, Target, change_height, diff_lines};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use scraper_common::{ChangeCounts, ChangeEntry, ChangeKind, FlowMode, Run, RunStatus};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Spaces between the key column and what follows it.
const GAP: usize = 2;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ChangesView, theme: &Theme) -> usize {
    let t = &view.table;
    let mut scope = match &view.target {
        Target::Flow(id) => view.title.clone().unwrap_or(id.clone()),
        Target::Run(id) => id.clone(),
    };
    if let Some(kind) = view.kind {
        scope.push_str(&format!(", {kind}"));
    }
    let title = title_line(
        "Changes",
        &scope,
        t.visible_len(),
        t.total,
        &t.filter,
        theme,
    );
    let block = frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [summary, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let rows = body.height as usize;
    if !t.loaded {
        let text = super::loading_text(app);
        frame.render_widget(Paragraph::new(text).style(theme.dim()).centered(), body);
        return rows;
    }
    frame.render_widget(Paragraph::new(summary_line(view, app.now, theme)), summary);
    if t.visible_len() == 0 {
        let text = if t.rows.is_empty() {
            empty_text(view)
        } else {
            format!("no change matches /{}", t.filter)
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.dim())).centered(),
            body,
        );
        return rows;
    }
    let width = body.width as usize;
    let columns = columns(view, width);
    // Only the entries on screen are laid out; the others are counted.
    let top = view.scroll.min(view.height().saturating_sub(rows));
    let mut at = 0;
    let mut lines: Vec<Line> = Vec::new();
    for (heading, entry) in view.rows() {
        if at >= top + rows {
            break;
        }
        let height = usize::from(heading) + change_height(entry);
        if at + height <= top {
            at += height;
            continue;
        }
        let mut entry_lines = Vec::with_capacity(height);
        if heading {
            entry_lines.push(run_heading(entry, app.now, theme));
        }
        entry_lines.extend(entry_lines_of(entry, columns, width, theme));
        let skip = top.saturating_sub(at);
        lines.extend(entry_lines.into_iter().skip(skip));
        at += height;
    }
    lines.truncate(rows);
    frame.render_widget(Paragraph::new(lines), body);
    rows
}

/// Why there is nothing: not a monitor, not compared, or nothing changed.
fn empty_text(view: &ChangesView) -> String {
    let kind = view
        .kind
        .map(|k| format!("no {k} changes"))
        .unwrap_or("no changes".into());
    match &view.subject {
        Some(Subject::Flow(flow)) if flow.mode != FlowMode::Monitor => {
            "this flow is not a monitor: only monitor runs record changes".into()
        }
        Some(Subject::Flow(_)) => {
            format!("{kind} yet: each completed run is compared with the one before")
        }
        Some(Subject::Run(run)) => match (&run.changes, run.status) {
            (Some(c), _) if c.counts.baseline => {
                "a baseline: the monitor's first completed run had nothing to compare with".into()
            }
            (Some(_), _) => format!("{kind}: the same as the run before"),
            (None, RunStatus::Completed) => {
                "this run compared nothing: only monitor runs record changes".into()
            }
            (None, status) if status.is_finished() => {
                format!("this run {status}: only completed runs are compared")
            }
            (None, status) => {
                format!("this run is {status}: changes are recorded when it completes")
            }
        },
        None => kind,
    }
}

/// The counts: a run's own (with what stayed the same), or the entries
/// of a flow's history as loaded, over how many runs.
fn summary_line(view: &ChangesView, now: DateTime<Utc>, theme: &Theme) -> Line<'static> {
    match &view.subject {
        Some(Subject::Run(run)) => run_summary(run, now, theme),
        Some(Subject::Flow(_)) | None if view.table.rows.is_empty() => Line::default(),
        Some(Subject::Flow(_)) | None => {
            let mut counts = ChangeCounts::default();
            let mut runs = HashSet::new();
            for change in &view.table.rows {
                let e = &change.entry;
                runs.insert(e.run_id.as_str());
                match e.kind {
                    ChangeKind::Added => counts.added += 1,
                    ChangeKind::Removed => counts.removed += 1,
                    ChangeKind::Changed => counts.changed += 1,
                    ChangeKind::Text => {
                        counts.text_changed += 1;
                        counts.lines_added += e.lines_added.as_ref().map_or(0, Vec::len) as u64;
                        counts.lines_removed += e.lines_removed.as_ref().map_or(0, Vec::len) as u64;
                    }
                }
            }
            let mut spans = count_spans(&counts, theme);
            let runs = match runs.len() {
                1 => "1 run".to_string(),
                n => format!("{n} runs"),
            };
            spans.push(Span::styled(format!(" in {runs}"), theme.dim()));
            Line::from(spans)
        }
    }
}

fn run_summary(run: &Run, now: DateTime<Utc>, theme: &Theme) -> Line<'static> {
    let Some(changes) = &run.changes else {
        return Line::styled(format!("{}: no comparison", run.status), theme.dim());
    };
    let c = &changes.counts;
    let mut spans = if c.baseline {
        vec![Span::styled("baseline", theme.label())]
    } else {
        count_spans(c, theme)
    };
    let sep = || Span::styled(" · ", theme.dim());
    if !c.baseline {
        spans.push(sep());
        spans.push(Span::raw(format!("{} unchanged", c.unchanged)));
    }
    if c.notified {
        spans.push(sep());
        spans.push(Span::styled("notified", theme.key()));
    }
    if let Some(at) = run.finished_at {
        spans.push(sep());
        spans.push(Span::styled(format::ago(Some(at), now), theme.dim()));
    }
    Line::from(spans)
}

/// `2 added · 1 removed · 3 changed`, and the texts when any changed (a
/// text monitor's only: no records to count).
fn count_spans(c: &ChangeCounts, theme: &Theme) -> Vec<Span<'static>> {
    let sep = || Span::styled(" · ", theme.dim());
    let records = c.added + c.removed + c.changed > 0 || c.text_changed == 0;
    let mut spans = Vec::new();
    if records {
        spans.extend([
            Span::styled(format!("{} added", c.added), theme.added()),
            sep(),
            Span::styled(format!("{} removed", c.removed), theme.removed()),
            sep(),
            Span::styled(format!("{} changed", c.changed), theme.changed()),
        ]);
    }
    if c.text_changed > 0 {
        if records {
            spans.push(sep());
        }
        spans.push(Span::styled(
            format!(
                "{} text (+{} −{} lines)",
                c.text_changed, c.lines_added, c.lines_removed
            ),
            theme.hunk(),
        ));
    }
    spans
}

fn run_heading(entry: &ChangeEntry, now: DateTime<Utc>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(entry.run_id.clone(), theme.title()),
        Span::styled(
            format!(
                " · {} · {}",
                format::ago(Some(entry.detected_at), now),
                format::date(entry.detected_at)
            ),
            theme.dim(),
        ),
    ])
}

/// Keys without their scheme: a URL's end is what tells records apart.
fn shown_key(key: &str) -> &str {
    key.strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key)
}

/// The widths of the key and of a changed field's name, so that rows line up.
#[derive(Debug, Clone, Copy)]
struct Columns {
    key: usize,
    field: usize,
}

/// Keys as wide as the widest shown, but never more than 2/5 of the row;
/// field names likewise, up to 20.
fn columns(view: &ChangesView, width: usize) -> Columns {
    let (mut key, mut field) = (0, 0);
    for (_, e) in view.rows() {
        key = key.max(shown_key(&e.key).chars().count());
        if let Some(name) = &e.field {
            field = field.max(name.chars().count());
        }
    }
    Columns {
        key: key.min(width * 2 / 5).max(4),
        field: field.min(20),
    }
}

fn entry_lines_of(
    entry: &ChangeEntry,
    columns: Columns,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let key_width = columns.key;
    let (marker, style) = match entry.kind {
        ChangeKind::Added => ("+ ", theme.added()),
        ChangeKind::Removed => ("- ", theme.removed()),
        ChangeKind::Changed => ("~ ", theme.changed()),
        ChangeKind::Text => ("± ", theme.hunk()),
    };
    let key = format!(
        "{:<key_width$}",
        format::fit(shown_key(&entry.key), key_width)
    );
    let room = width.saturating_sub(2 + key_width + GAP);
    let mut first = vec![
        Span::styled(marker, style),
        Span::styled(key, style),
        Span::raw(" ".repeat(GAP)),
    ];
    match entry.kind {
        ChangeKind::Added | ChangeKind::Removed => {
            let text = record_text(entry.item.as_ref(), &entry.key);
            first.push(Span::styled(format::fit(&text, room), style));
        }
        ChangeKind::Changed => first.extend(field_change(entry, columns.field, room, theme)),
        ChangeKind::Text => {
            let added = entry.lines_added.as_ref().map_or(0, Vec::len);
            let removed = entry.lines_removed.as_ref().map_or(0, Vec::len);
            first.push(Span::styled(
                format::fit(&format!("+{added} −{removed} lines"), room),
                theme.dim(),
            ));
        }
    }
    let mut lines = vec![Line::from(first)];
    if entry.kind == ChangeKind::Text
        && let Some(diff) = &entry.diff
    {
        lines.extend(diff_lines(diff).map(|l| diff_line(l, width, theme)));
    }
    lines
}

/// `price  79.99 → 69.99 (−12.5%)`, cut to `room`.
fn field_change(
    entry: &ChangeEntry,
    field_width: usize,
    room: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let field = entry.field.as_deref().unwrap_or_default();
    let field = format!("{:<field_width$}", format::fit(field, field_width));
    let old = cell_text(entry.old.as_ref());
    let new = cell_text(entry.new.as_ref());
    let delta = match (entry.delta_percent, entry.delta) {
        (Some(p), _) => format!(" ({}%)", signed(p, 1)),
        (None, Some(d)) => format!(" ({})", signed(d, 2)),
        (None, None) => String::new(),
    };
    let text = format!("{field}  {old} → {new}");
    let fitted = format::fit(&text, room);
    let mut spans = vec![Span::raw(fitted.clone())];
    if fitted == text && text.chars().count() + delta.chars().count() <= room {
        spans.push(Span::styled(delta, theme.dim()));
    }
    spans
}

/// `+3.5`, `−12.5` (a real minus), trailing zeros dropped: `+10`.
fn signed(n: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", n.abs());
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    let sign = if n < 0.0 { '−' } else { '+' };
    format!("{sign}{text}")
}

/// A record in one line: its fields but the key, `name: X · price: 9.5`.
fn record_text(item: Option<&Map<String, Value>>, key: &str) -> String {
    let Some(item) = item else {
        return String::new();
    };
    let parts: Vec<&str> = key.split(" | ").collect();
    item.iter()
        .map(|(name, value)| (name, cell_text(Some(value))))
        .filter(|(_, text)| !parts.contains(&text.as_str()))
        .map(|(name, text)| format!("{name}: {text}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One line of a unified diff, coloured by its first character.
fn diff_line(line: &str, width: usize, theme: &Theme) -> Line<'static> {
    let style = match line.chars().next() {
        Some('+') => theme.added(),
        Some('-') => theme.removed(),
        Some('@') => theme.hunk(),
        Some('\\') => theme.dim(),
        _ => Style::new(),
    };
    let text = format::fit(line, width.saturating_sub(4));
    Line::from(vec![Span::raw("    "), Span::styled(text, style)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_are_real_and_zeros_dropped() {
        assert_eq!(signed(-12.5, 1), "−12.5");
        assert_eq!(signed(3.46, 1), "+3.5");
        assert_eq!(signed(10.0, 2), "+10");
    }

    #[test]
    fn a_record_leaves_out_its_key() {
        let item = serde_json::json!({"name": "Lamp", "price": 9.5, "url": "https://x/1"});
        assert_eq!(
            record_text(item.as_object(), "https://x/1"),
            "name: Lamp · price: 9.5"
        );
    }
}
