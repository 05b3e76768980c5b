//! One flow or run in full. A flow's recent runs get a sparkline of their
//! durations, coloured (and marked underneath) by outcome; its webhook and
//! its monitor settings are spelled out.

use super::describe_run::{Body, run_text};
use super::format;
use super::table::frame_block;
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::{DescribeView, Described, Shown, Target};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use scraper_common::{
    CompareOp, Condition, Flow, FlowMode, MonitorSettings, NotifyOn, Run, RunStatus, StepType,
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &DescribeView, theme: &Theme) -> usize {
    let what = match &view.target {
        Target::Flow(id) => view.title.clone().unwrap_or(id.clone()),
        Target::Run(id) => id.clone(),
    };
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled("Describe", theme.title()),
        Span::styled(format!("({what})"), theme.label()),
        Span::raw(" "),
    ]);
    let block = frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width.max(1) as usize;
    let text = match &view.content {
        None => Body {
            lines: vec![Line::styled(super::loading_text(app), theme.dim())],
            anchor: None,
            selected: None,
        },
        Some(Described::Flow { flow, runs }) => Body {
            lines: flow_lines(flow, runs, app, theme),
            anchor: None,
            selected: None,
        },
        Some(Described::Run {
            detail,
            screenshots,
        }) => run_text(detail, screenshots, view.selected, app, theme, width),
    };
    let top = scroll_top(view, &text, inner.height as usize, width);
    frame.render_widget(
        Paragraph::new(text.lines)
            .wrap(Wrap { trim: false })
            .scroll((top as u16, 0)),
        inner,
    );
    inner.height as usize
}

/// The first row to show: the one asked for, moved (after `j`/`k`) to
/// bring the selected screenshot into view, with the steps and screenshots
/// from their top if they fit. Told back to the view for its next move.
fn scroll_top(view: &DescribeView, text: &Body, height: usize, width: usize) -> usize {
    // Rows a line wraps to, about (words may wrap a little sooner).
    let rows_before = |line: usize| -> usize {
        let lines = &text.lines[..line.min(text.lines.len())];
        lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum()
    };
    let max_top = rows_before(text.lines.len()).saturating_sub(height);
    let mut top = view.scroll.min(max_top);
    let mut selected_visible = false;
    if let Some(line) = text.selected {
        let row = rows_before(line);
        let seen = |top: usize| (top..top + height).contains(&row);
        if view.reveal && !seen(top) {
            let anchor = text.anchor.map(rows_before).unwrap_or(row);
            let lowest = (row + 1).saturating_sub(height);
            top = anchor.clamp(lowest, row.max(lowest)).min(max_top);
        }
        selected_visible = seen(top);
    }
    view.shown.set(Some(Shown {
        top,
        max_top,
        selected_visible,
    }));
    top
}

pub(super) fn field(name: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<14}"), theme.label()),
        Span::raw(value.into()),
    ])
}

pub(super) fn styled_field(
    name: &str,
    value: String,
    style: Style,
    theme: &Theme,
) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<14}"), theme.label()),
        Span::styled(value, style),
    ])
}

/// `every 15m, next in 4m`; `0 9 * * 1-5 (Europe/Paris), paused`.
fn schedule_text(flow: &Flow, now: chrono::DateTime<chrono::Utc>) -> String {
    let Some(schedule) = &flow.schedule else {
        return "none (runs start when triggered)".into();
    };
    let zone = flow
        .timezone
        .as_ref()
        .map(|tz| format!(" ({tz})"))
        .unwrap_or_default();
    let next = match flow.next_run_at {
        Some(_) => format!("next {}", format::until(flow.next_run_at, now)),
        None => format!("not firing while {}", flow.status),
    };
    format!("{schedule}{zone}, {next}")
}

pub(super) fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.title())
}

fn flow_lines(flow: &Flow, runs: &[Run], app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let now = app.now;
    let mut lines = vec![
        field("Name", flow.name.clone(), theme),
        field("Id", flow.id.clone(), theme),
        styled_field(
            "Status",
            flow.status.to_string(),
            theme.flow_status(flow.status),
            theme,
        ),
        field("Mode", flow.mode.to_string(), theme),
        field("URL", flow.url.clone(), theme),
        field(
            "Description",
            flow.description.clone().unwrap_or("—".into()),
            theme,
        ),
        field(
            "Runs",
            format!(
                "{} total, success {}, last {}",
                flow.total_runs,
                format::success_rate(flow),
                format::ago(flow.last_run_at, now)
            ),
            theme,
        ),
        field("Schedule", schedule_text(flow, now), theme),
    ];
    lines.extend(webhook_lines(flow, theme));
    lines.extend([
        field("Created", format::date(flow.created_at), theme),
        field("Updated", format::date(flow.updated_at), theme),
    ]);
    if flow.mode == FlowMode::Monitor || flow.monitor.is_some() {
        lines.push(Line::default());
        lines.push(heading("Monitor", theme));
        let defaults = MonitorSettings::default();
        lines.extend(monitor_lines(
            flow.monitor.as_ref().unwrap_or(&defaults),
            theme,
        ));
    }
    lines.extend([Line::default(), heading("Steps", theme)]);
    if flow.steps.is_empty() {
        lines.push(Line::styled(
            "  none: the start URL is fetched and extracted",
            theme.dim(),
        ));
    } else if flow.mode == FlowMode::Interact {
        lines.extend(interact_steps(flow, theme));
    } else {
        lines.extend(flow.steps.iter().enumerate().map(|(i, step)| {
            let settings = if step.settings.is_empty() {
                String::new()
            } else {
                serde_json::Value::Object(step.settings.clone()).to_string()
            };
            Line::from(vec![
                Span::raw(format!("  {}. ", i + 1)),
                Span::styled(format!("{:<10}", step.kind.as_str()), theme.key()),
                Span::raw(format!(
                    "{} {settings}",
                    step.label.clone().unwrap_or_default()
                )),
            ])
        }));
    }
    lines.push(Line::default());
    lines.push(heading("Output schema", theme));
    match &flow.output_schema {
        Some(schema) if !schema.is_empty() => {
            for (name, kind) in schema {
                lines.push(Line::from(vec![
                    Span::raw(format!("  {name:<16}")),
                    Span::styled(kind.to_string(), theme.dim()),
                ]));
            }
        }
        _ => lines.push(Line::styled(
            "  none: fields are inferred (title, url)",
            theme.dim(),
        )),
    }
    lines.push(Line::default());
    lines.push(heading("Recent runs (oldest → newest)", theme));
    if runs.is_empty() {
        lines.push(Line::styled("  no runs yet", theme.dim()));
        return lines;
    }
    let oldest_first: Vec<&Run> = runs.iter().rev().collect();
    lines.push(Line::from(
        std::iter::once(Span::styled("  duration ", theme.label()))
            .chain(sparkline(&oldest_first, now, theme))
            .collect::<Vec<_>>(),
    ));
    lines.push(Line::from(
        std::iter::once(Span::styled("  outcome  ", theme.label()))
            .chain(oldest_first.iter().map(|r| {
                Span::styled(
                    outcome_mark(r.status).to_string(),
                    theme.run_status(r.status),
                )
            }))
            .collect::<Vec<_>>(),
    ));
    let finished: Vec<&&Run> = oldest_first
        .iter()
        .filter(|r| matches!(r.status, RunStatus::Completed | RunStatus::Failed))
        .collect();
    let ok = finished
        .iter()
        .filter(|r| r.status == RunStatus::Completed)
        .count();
    lines.push(field(
        "  ",
        format!("{ok} of {} finished runs completed", finished.len()),
        theme,
    ));
    for run in runs.iter().take(10) {
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<18}", run.id)),
            Span::styled(
                format!("{:<10}", run.status.as_str()),
                theme.run_status(run.status),
            ),
            Span::raw(format!(
                "{:>8} {:>6} items  {}",
                run.duration.map(format::duration_ms).unwrap_or("—".into()),
                run.items_extracted,
                format::ago(run.started_at, now)
            )),
        ]));
    }
    lines
}

/// An interact flow's steps in words, numbered as its run's logs name
/// them (`steps[0]`), with what each acts on and how.
fn interact_steps(flow: &Flow, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if flow
        .steps
        .first()
        .is_none_or(|s| s.kind != StepType::Navigate)
    {
        lines.push(Line::styled(
            format!("      {:<11}the flow's URL, loaded first", "navigate"),
            theme.dim(),
        ));
    }
    for (i, step) in flow.steps.iter().enumerate() {
        let mut spans = vec![
            Span::raw(format!("  [{i}] ")),
            Span::styled(format!("{:<11}", step.kind.as_str()), theme.key()),
        ];
        if let Some(label) = &step.label {
            spans.push(Span::styled(format!("{label}: "), theme.label()));
        }
        spans.push(Span::raw(super::steps::summary(step)));
        lines.push(Line::from(spans));
    }
    lines
}

/// Where the flow's events go, the secret they are signed with (masked),
/// and why deliveries stopped, if they did.
fn webhook_lines(flow: &Flow, theme: &Theme) -> Vec<Line<'static>> {
    let Some(url) = &flow.webhook_url else {
        return vec![styled_field("Webhook", "none".into(), theme.dim(), theme)];
    };
    let mut lines = vec![field("Webhook", url.clone(), theme)];
    if let Some(secret) = &flow.webhook_secret {
        lines.push(field("  secret", secret.clone(), theme));
    }
    lines.push(match &flow.webhook_disabled {
        Some(why) => styled_field(
            "  deliveries",
            format!("disabled: {why}"),
            theme.bad(),
            theme,
        ),
        None => styled_field("  deliveries", "on".into(), theme.good(), theme),
    });
    lines
}

/// A monitor's settings, with the server's defaults for those left out.
fn monitor_lines(m: &MonitorSettings, theme: &Theme) -> Vec<Line<'static>> {
    let sub = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("  {name:<12}"), theme.label()),
            Span::raw(value),
        ])
    };
    let key = match &m.key {
        Some(key) => key.0.join(" + "),
        None => "url, or the first string field (default)".into(),
    };
    let mut lines = vec![sub("key", key)];
    if let Some(selector) = &m.selector {
        lines.push(sub("selector", selector.clone()));
    }
    if !m.ignore.is_empty() {
        lines.push(sub("ignore", m.ignore.join("  ·  ")));
    }
    lines.push(sub("notify on", notify_text(m.notify_on.as_ref())));
    let keep = match m.keep_runs {
        Some(n) => format!("{n} runs keep their items and logs"),
        None => "the server's --keep-runs (default)".into(),
    };
    lines.push(sub("keep runs", keep));
    lines
}

/// `notifyOn` in words: `price drops by 10% or more, or a record added`.
fn notify_text(on: Option<&NotifyOn>) -> String {
    let Some(on) = on else {
        return "any change (default)".into();
    };
    on.0.iter()
        .map(condition_text)
        .collect::<Vec<_>>()
        .join(", or ")
}

fn condition_text(condition: &Condition) -> String {
    match condition {
        Condition::Any => "any change".into(),
        Condition::Added => "a record added".into(),
        Condition::Removed => "a record removed".into(),
        Condition::Fields(fields) => format!("a change in {}", fields.join(", ")),
        Condition::Compare { field, op, value } => {
            let op = match op {
                CompareOp::Lt => "<",
                CompareOp::Lte => "≤",
                CompareOp::Gt => ">",
                CompareOp::Gte => "≥",
                CompareOp::Eq => "=",
                CompareOp::Ne => "≠",
            };
            format!("{field} {op} {}", super::items::cell_text(Some(value)))
        }
        Condition::DropPercent { field, percent } => {
            format!("{field} drops by {percent}% or more")
        }
        Condition::TextContains(text) => format!("new text containing \"{text}\""),
    }
}

fn outcome_mark(status: RunStatus) -> char {
    match status {
        RunStatus::Completed => '✓',
        RunStatus::Failed => '✗',
        RunStatus::Cancelled => '-',
        RunStatus::Running => '●',
        RunStatus::Queued => '·',
    }
}

/// One bar per run, as tall as its duration against the longest.
fn sparkline(
    runs: &[&Run],
    now: chrono::DateTime<chrono::Utc>,
    theme: &Theme,
) -> Vec<Span<'static>> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let durations: Vec<u64> = runs
        .iter()
        .map(|r| {
            r.duration.unwrap_or_else(|| {
                r.started_at
                    .map(|s| (now - s).num_milliseconds().max(0) as u64)
                    .unwrap_or(0)
            })
        })
        .collect();
    let max = durations.iter().copied().max().unwrap_or(0).max(1);
    runs.iter()
        .zip(durations)
        .map(|(r, d)| {
            let level = ((d as f64 / max as f64) * 7.0).round() as usize;
            Span::styled(BARS[level.min(7)].to_string(), theme.run_status(r.status))
        })
        .collect()
}
