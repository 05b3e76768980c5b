//! Who we talk to, whether it answers, what is going on there, and the
//! keys of what has them (the view, or a dialog over it).

use super::theme::Theme;
use crate::app::{App, Connection};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub const HEIGHT: u16 = 5;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Wide enough for the counts line; the rest goes to the key hints.
    let left_width = (area.width / 2).clamp(42, 56).min(area.width);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(0)]).areas(area);
    let label = |t: &str| Span::styled(format!("{t:<8}"), theme.label());

    // The left column is 42 wide at 80 columns: what matters goes first,
    // so a cut takes the least (the local port, not "local server").
    let server = if app.settings.local {
        let addr = app.settings.server.trim_start_matches("http://");
        vec![
            label("Server:"),
            Span::styled("local server", theme.busy()),
            Span::raw(format!(" {addr}")),
        ]
    } else {
        vec![label("Server:"), Span::raw(app.settings.server.clone())]
    };
    let key = app
        .key_name()
        .map(str::to_string)
        .unwrap_or_else(|| format!("…{}", app.settings.key_suffix));
    let mut key = vec![label("Key:"), Span::raw(key)];
    if app.settings.readonly {
        key.push(Span::styled(" [read-only]", theme.warn()));
    }
    let (state, style) = match &app.conn {
        Connection::Connecting => ("○ connecting".to_string(), theme.dim()),
        Connection::Connected => ("● connected".to_string(), theme.good()),
        Connection::KeyRejected(_) => ("✗ key rejected (401), retrying".to_string(), theme.bad()),
        Connection::Forbidden(_) => ("✗ key lacks a scope (403)".to_string(), theme.bad()),
        Connection::Unreachable(_) => ("✗ unreachable, retrying".to_string(), theme.bad()),
        Connection::Error(e) => (format!("✗ {e}"), theme.bad()),
    };
    let (flows, runs) = match &app.stats {
        Some(s) => (
            Line::from(vec![
                label("Flows:"),
                Span::styled(format!("{} active", s.active), theme.good()),
                Span::raw(" "),
                Span::styled(format!("{} paused", s.paused), theme.warn()),
                Span::raw(format!(" {} draft ", s.draft)),
                Span::styled(format!("{} error", s.error), theme.bad()),
            ]),
            Line::from(vec![
                label("Runs:"),
                Span::styled(format!("{} running", s.running), theme.busy()),
                Span::raw(format!(" {} queued", s.queued)),
            ]),
        ),
        None => (
            Line::from(vec![label("Flows:"), Span::styled("—", theme.dim())]),
            Line::from(vec![label("Runs:"), Span::styled("—", theme.dim())]),
        ),
    };
    let lines = vec![
        Line::from(server),
        Line::from(key),
        Line::from(vec![label("Status:"), Span::styled(state, style)]),
        flows,
        runs,
    ];
    frame.render_widget(Paragraph::new(lines), left);
    super::hints::columns(frame, right, app, theme);
}
