//! A flow's webhook messages, newest first: a line on the webhook itself
//! (where, and whether deliveries stopped), the table, and with `enter`
//! the attempts of the selected message under it.

use super::format;
use super::table::{self, Column, col, flex, pick};
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::DeliveriesView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph};
use scraper_common::{Delivery, DeliveryAttempt, DeliveryStatus, Flow};

const COLUMNS: &[Column] = &[
    col("EVENT", 16, 0),
    col("STATUS", 9, 0),
    col("ATTEMPTS", 8, 2),
    col("CODE", 4, 1),
    col("LATENCY", 7, 3),
    col("WHEN", 10, 2),
    col("RUN", 17, 4),
    flex("ERROR", 12, 1),
];

/// The table keeps at least this many rows (header included) under an
/// attempts pane.
const MIN_TABLE: u16 = 5;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    view: &DeliveriesView,
    theme: &Theme,
) -> usize {
    let t = &view.table;
    let title = table::title_line(
        "Deliveries",
        &view.name,
        t.visible_len(),
        t.total,
        &t.filter,
        theme,
    );
    let block = table::frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [webhook, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    if let Some(flow) = &view.flow {
        let line = webhook_line(flow, app.settings.readonly, theme);
        frame.render_widget(Paragraph::new(line), webhook);
    }
    let selected = t.selected_row().filter(|_| view.attempts);
    let (list, pane) = match selected {
        Some(d) => {
            let lines = attempt_lines(d, app, rest.width.saturating_sub(2) as usize, theme);
            let room = rest.height.saturating_sub(MIN_TABLE);
            let height = (lines.len() as u16 + 2).min(room);
            let [list, pane] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(height)]).areas(rest);
            (list, Some((pane, d, lines)))
        }
        None => (rest, None),
    };
    let empty = match &view.flow {
        Some(flow) if flow.webhook_url.is_none() => "no webhook: set webhookUrl (e on the flow)",
        _ => "no deliveries yet",
    };
    let loading = super::loading_text(app);
    let text = if t.loaded { empty } else { &loading };
    let now = app.now;
    let rows = table::fill(frame, list, COLUMNS, text, t, theme, |d, keep| {
        pick(cells(d, now, theme), keep)
    });
    if let Some((area, d, lines)) = pane {
        let title = Line::from(vec![
            Span::raw(" "),
            Span::styled("Attempts", theme.title()),
            Span::styled(format!("({})", d.id), theme.label()),
            Span::raw(" "),
        ]);
        let block = Block::bordered().border_style(theme.border()).title(title);
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
    rows
}

fn cells(d: &Delivery, now: chrono::DateTime<chrono::Utc>, theme: &Theme) -> Vec<Cell<'static>> {
    let last = d.attempts.last();
    let when = match (d.status, d.next_attempt_at) {
        (DeliveryStatus::Pending, Some(at)) => format!("next {}", format::until(Some(at), now)),
        _ => format::ago(Some(d.created_at), now),
    };
    vec![
        Cell::from(d.event.to_string()),
        Cell::from(Span::styled(
            d.status.to_string(),
            status_style(d.status, theme),
        )),
        Cell::from(d.attempts.len().to_string()),
        Cell::from(code_span(last, theme)),
        Cell::from(
            last.map(|a| format::duration_ms(a.latency_ms))
                .unwrap_or("—".into()),
        ),
        Cell::from(when),
        Cell::from(d.run_id.clone().unwrap_or("—".into())),
        Cell::from(last.and_then(|a| a.error.clone()).unwrap_or_default()),
    ]
}

fn status_style(status: DeliveryStatus, theme: &Theme) -> Style {
    match status {
        DeliveryStatus::Delivered => theme.good(),
        DeliveryStatus::Pending => theme.warn(),
        DeliveryStatus::Failed => theme.bad(),
    }
}

/// The receiver's status code; `—` when it gave none (refused, timed out).
fn code_span(attempt: Option<&DeliveryAttempt>, theme: &Theme) -> Span<'static> {
    match attempt.and_then(|a| a.status_code) {
        Some(code) if (200..300).contains(&code) => Span::styled(code.to_string(), theme.good()),
        Some(code) => Span::styled(code.to_string(), theme.bad()),
        None => Span::styled("—", theme.dim()),
    }
}

/// Whether messages still go (the news first: a narrow screen cuts the
/// secret), where, and with what secret.
fn webhook_line(flow: &Flow, readonly: bool, theme: &Theme) -> Line<'static> {
    let Some(url) = &flow.webhook_url else {
        return Line::styled("Webhook: none", theme.dim());
    };
    let sep = || Span::styled(" · ", theme.dim());
    let mut spans = vec![Span::styled("Webhook: ", theme.label())];
    match &flow.webhook_disabled {
        Some(why) => {
            let how = if readonly { "" } else { " (p resumes)" };
            spans.push(Span::styled(format!("✗ stopped: {why}{how}"), theme.bad()));
        }
        None => spans.push(Span::styled("● on", theme.good())),
    }
    spans.extend([sep(), Span::raw(url.clone())]);
    if let Some(secret) = &flow.webhook_secret {
        spans.extend([sep(), Span::styled(secret.clone(), theme.dim())]);
    }
    Line::from(spans)
}

/// Each attempt: when, the code, how long, what went wrong, and the first
/// bytes of the answer; then what comes next.
fn attempt_lines(d: &Delivery, app: &App, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            "{} · run {} · created {}",
            d.event,
            d.run_id.as_deref().unwrap_or("—"),
            format::date(d.created_at)
        ),
        theme.dim(),
    )];
    if d.attempts.is_empty() {
        lines.push(Line::styled("no attempt yet", theme.dim()));
    }
    for a in &d.attempts {
        let outcome = match &a.error {
            Some(error) => Span::styled(error.clone(), theme.bad()),
            None => Span::styled("ok", theme.good()),
        };
        let mut code = code_span(Some(a), theme);
        code.content = format!("{:<3}", code.content).into();
        lines.push(Line::from(vec![
            Span::styled(format!("#{:<2} ", a.attempt), theme.label()),
            Span::raw(format!("{}  ", format::clock(a.at))),
            code,
            Span::raw(format!(" {:>6}  ", format::duration_ms(a.latency_ms))),
            outcome,
        ]));
        if let Some(response) = a.response.as_deref().filter(|r| !r.trim().is_empty()) {
            let one_line = response.split_whitespace().collect::<Vec<_>>().join(" ");
            lines.push(Line::styled(
                format!("    ↳ {}", format::fit(&one_line, width.saturating_sub(6))),
                theme.dim(),
            ));
        }
    }
    let next = match (d.status, d.next_attempt_at) {
        (DeliveryStatus::Pending, Some(at)) => {
            format!("next attempt {}", format::until(Some(at), app.now))
        }
        (DeliveryStatus::Pending, None) => "waiting for its next attempt".into(),
        (DeliveryStatus::Delivered, _) => "delivered".into(),
        (DeliveryStatus::Failed, _) if app.settings.readonly => "given up".into(),
        (DeliveryStatus::Failed, _) => "given up (r sends it again)".into(),
    };
    lines.push(Line::styled(next, status_style(d.status, theme)));
    lines
}
