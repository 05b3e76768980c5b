//! One flow or run in full. A flow's recent runs get a sparkline of their
//! durations, coloured (and marked underneath) by outcome.

use super::format;
use super::table::frame_block;
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::{DescribeView, Described, Target};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use scraper_common::{Flow, Run, RunDetail, RunStatus};

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
    let lines = match &view.content {
        None => vec![Line::styled(super::loading_text(app), theme.dim())],
        Some(Described::Flow { flow, runs }) => flow_lines(flow, runs, app, theme),
        Some(Described::Run(detail)) => run_lines(detail, app, theme),
    };
    let max = lines.len().saturating_sub(inner.height as usize);
    let scroll = view.scroll.min(max);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        inner,
    );
    inner.height as usize
}

fn field(name: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<14}"), theme.label()),
        Span::raw(value.into()),
    ])
}

fn styled_field(name: &str, value: String, style: Style, theme: &Theme) -> Line<'static> {
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

fn heading(text: &str, theme: &Theme) -> Line<'static> {
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
        field("Created", format::date(flow.created_at), theme),
        field("Updated", format::date(flow.updated_at), theme),
        Line::default(),
        heading("Steps", theme),
    ];
    if flow.steps.is_empty() {
        lines.push(Line::styled(
            "  none: the start URL is fetched and extracted",
            theme.dim(),
        ));
    }
    for (i, step) in flow.steps.iter().enumerate() {
        let settings = if step.settings.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(step.settings.clone()).to_string()
        };
        lines.push(Line::from(vec![
            Span::raw(format!("  {}. ", i + 1)),
            Span::styled(format!("{:<10}", step.kind.as_str()), theme.key()),
            Span::raw(format!(
                "{} {settings}",
                step.label.clone().unwrap_or_default()
            )),
        ]));
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

fn run_lines(detail: &RunDetail, app: &App, theme: &Theme) -> Vec<Line<'static>> {
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
    lines
}
