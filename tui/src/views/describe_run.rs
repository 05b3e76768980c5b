//! A run in full: its fields; a browser run's step timings, read from its
//! log lines, with the step that failed in red; its screenshots (`j`/`k`
//! select one, `ctrl-s` saves it); its first items.

use super::describe::{field, heading, styled_field};
use super::format;
use super::steps::{self, FAILED};
use super::theme::Theme;
use crate::app::App;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use scraper_common::{ChangeCounts, FailureReason, RunDetail, Screenshot};

/// A describe's text, and where in it a run's selected screenshot is.
pub struct Body {
    pub lines: Vec<Line<'static>>,
    /// The first line of the steps and screenshots: what is shown from
    /// the top when the selection is brought into view, if it fits.
    pub anchor: Option<usize>,
    /// The selected screenshot's line.
    pub selected: Option<usize>,
}

/// The run `width` columns wide (the step and screenshot rows are cut to
/// one row each, but for the step that failed; the rest wraps).
pub fn run_text(
    detail: &RunDetail,
    screenshots: &Result<Vec<Screenshot>, String>,
    selected: usize,
    app: &App,
    theme: &Theme,
    width: usize,
) -> Body {
    let mut lines = field_lines(detail, app, theme);
    let mut anchor = None;
    let mut selected_line = None;
    let rows = step_rows(detail);
    if !rows.is_empty() {
        lines.push(Line::default());
        anchor.get_or_insert(lines.len());
        lines.extend(step_lines(&rows, theme, width));
    }
    match screenshots {
        Ok(shots) if shots.is_empty() => {}
        Ok(shots) => {
            lines.push(Line::default());
            anchor.get_or_insert(lines.len());
            let first = lines.len() + 2;
            lines.extend(screenshot_lines(shots, selected, theme, width));
            selected_line = Some(first + selected.min(shots.len() - 1));
        }
        Err(e) => {
            lines.push(Line::default());
            lines.push(heading("Screenshots", theme));
            lines.push(Line::styled(
                format!("  could not be listed: {e}"),
                theme.warn(),
            ));
        }
    }
    lines.push(Line::default());
    lines.push(heading("Output preview", theme));
    if detail.output_preview.is_empty() {
        lines.push(Line::styled("  no items", theme.dim()));
    }
    for item in &detail.output_preview {
        lines.push(Line::raw(format!(
            "  {}",
            serde_json::Value::Object(item.clone())
        )));
    }
    Body {
        lines,
        anchor,
        selected: selected_line,
    }
}

fn field_lines(detail: &RunDetail, app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let r = &detail.run;
    let now = app.now;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => format!("{} ({})", format::date(t), format::ago(Some(t), now)),
        None => "—".into(),
    };
    let mut lines = vec![
        field("Id", r.id.clone(), theme),
        field("Flow", format!("{} ({})", r.flow_name, r.flow_id), theme),
        styled_field(
            "Status",
            r.status.to_string(),
            theme.run_status(r.status),
            theme,
        ),
        field("Trigger", r.trigger.to_string(), theme),
        field("Node", r.node.clone().unwrap_or_else(|| "—".into()), theme),
        field("Created", when(Some(r.created_at)), theme),
        field("Started", when(r.started_at), theme),
        field("Finished", when(r.finished_at), theme),
        field(
            "Duration",
            r.duration.map(format::duration_ms).unwrap_or("—".into()),
            theme,
        ),
        field(
            "Pages",
            format!("{} fetched, {} failed", r.pages_fetched, r.pages_failed),
            theme,
        ),
        field("Items", r.items_extracted.to_string(), theme),
        field("Downloaded", format::bytes(r.bytes_downloaded), theme),
        field("Cost", format::cost(r.cost), theme),
    ];
    if let Some(changes) = &r.changes {
        lines.push(field("Changes", counts_text(&changes.counts), theme));
    }
    if let Some(at) = r.pruned_at {
        lines.push(field(
            "Pruned",
            format!("{}: items and logs removed (keepRuns)", when(Some(at))),
            theme,
        ));
    }
    if let Some(reason) = &r.failure_reason {
        lines.push(styled_field(
            "Failure",
            reason.to_string(),
            theme.bad(),
            theme,
        ));
    }
    if let Some(error) = &r.error {
        lines.push(field("Error", error.clone(), theme));
    }
    lines.push(field("Log lines", detail.logs.len().to_string(), theme));
    lines
}

/// A run's changes in a line: `2 added, 1 removed, 3 changed, 40 unchanged`.
fn counts_text(c: &ChangeCounts) -> String {
    if c.baseline {
        return "baseline: the monitor's first completed run".into();
    }
    let mut parts = vec![
        format!("{} added", c.added),
        format!("{} removed", c.removed),
        format!("{} changed", c.changed),
    ];
    if c.text_changed > 0 {
        parts.push(format!(
            "{} text (+{} −{} lines)",
            c.text_changed, c.lines_added, c.lines_removed
        ));
    }
    parts.push(format!("{} unchanged", c.unchanged));
    if c.notified {
        parts.push("notified".into());
    }
    parts.join(", ")
}

/// One step as the run's log tells it; `time` is `None` for the one that
/// failed.
struct StepRow {
    name: String,
    time: Option<u64>,
    what: String,
}

/// The steps that logged a time, in order, then the one that failed: its
/// name and what went wrong come from the run's error (or else from the
/// `Step failed:` line).
fn step_rows(detail: &RunDetail) -> Vec<StepRow> {
    let mut rows: Vec<StepRow> = detail
        .logs
        .iter()
        .filter_map(|l| steps::timing(&l.message))
        .map(|t| StepRow {
            name: steps::display_name(t.name).to_string(),
            time: Some(t.ms),
            what: t.what.to_string(),
        })
        .collect();
    let run = &detail.run;
    if run.failure_reason == Some(FailureReason::StepFailed) {
        let logged = detail
            .logs
            .iter()
            .find_map(|l| l.message.strip_prefix(FAILED));
        let error = run.error.as_deref().or(logged).unwrap_or("");
        let (name, what) = steps::split_name(error).unwrap_or(("a step", error));
        rows.push(StepRow {
            name: steps::display_name(name).to_string(),
            time: None,
            what: what.to_string(),
        });
    }
    rows
}

fn step_lines(rows: &[StepRow], theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 34);
    let total: u64 = rows.iter().filter_map(|r| r.time).sum();
    let mut lines = vec![
        heading("Steps", theme),
        Line::styled(
            format!("  {:<name_width$}  {:>7}  RESULT", "STEP", "TIME"),
            theme.column_header(),
        ),
    ];
    // Where RESULT starts: after the name and the time.
    let column = name_width + 13;
    for row in rows {
        let name = format!("  {:<name_width$}", format::fit(&row.name, name_width));
        let time = format!("  {:>7}", step_time(row.time));
        if row.time.is_some() {
            let what = format!("  {}", row.what);
            let cells = [
                (name, theme.step()),
                (time, Style::new()),
                (what, Style::new()),
            ];
            lines.push(cut(cells, width));
            continue;
        }
        // What went wrong is worth more rows, under its column; what went
        // right is not.
        let bad = theme.bad();
        let mut parts = wrap_words(&row.what, width.saturating_sub(column).max(20)).into_iter();
        let first = parts.next().unwrap_or_default();
        lines.push(Line::styled(format!("{name}{time}  {first}"), bad));
        lines.extend(parts.map(|part| Line::styled(format!("{:column$}{part}", ""), bad)));
    }
    lines.push(Line::styled(
        format!(
            "  {:<name_width$}  {:>7}",
            "total",
            format::duration_ms(total)
        ),
        theme.dim(),
    ));
    lines
}

fn step_time(ms: Option<u64>) -> String {
    match ms {
        Some(ms) => format::duration_ms(ms),
        None => "failed".into(),
    }
}

fn screenshot_lines(
    shots: &[Screenshot],
    selected: usize,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    // n, step, size and time take 39 columns; the label the rest.
    let label_width = shots
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, width.saturating_sub(39).max(5));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Screenshots", theme.title()),
            Span::styled("  j/k select, ctrl-s saves", theme.dim()),
        ]),
        Line::styled(
            format!(
                "  {:>3}  {:<9}  {:<label_width$}  {:>9}  TAKEN",
                "N", "STEP", "LABEL", "SIZE"
            ),
            theme.column_header(),
        ),
    ];
    for (i, shot) in shots.iter().enumerate() {
        let step = shot
            .step
            .map(|s| format!("steps[{s}]"))
            .unwrap_or("—".into());
        let text = format!(
            "  {:>3}  {:<9}  {:<label_width$}  {:>9}  {}",
            shot.n,
            step,
            format::fit(&shot.label, label_width),
            format::bytes(shot.bytes),
            format::clock(shot.taken_at),
        );
        let style = if i == selected {
            theme.selected()
        } else {
            Style::new()
        };
        lines.push(Line::styled(format::fit(&text, width), style));
    }
    lines
}

/// `text` in pieces of at most `width` columns, broken between words
/// (a word longer than that is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            parts.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    parts.push(current);
    parts.into_iter().map(|p| format::fit(&p, width)).collect()
}

/// Styled cells in one line cut to `width` columns.
fn cut<const N: usize>(cells: [(String, Style); N], width: usize) -> Line<'static> {
    let mut left = width;
    let mut spans = Vec::new();
    for (text, style) in cells {
        if left == 0 {
            break;
        }
        let text = format::fit(&text, left);
        left = left.saturating_sub(text.chars().count());
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}
