//! A run's log, tailing live: an indicator line, then the lines (a browser
//! step's name in colour, its time dimmed, a failed step in red). Only the
//! lines on screen are laid out, so a 10,000-line log scrolls freely.

use super::format;
use super::table::frame_block;
use super::theme::Theme;
use crate::app::nav::{LogScroll, LogsView, Transport};
use ratatui::Frame;
use ratatui::layout::{Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use scraper_common::LogEntry;

pub fn draw(frame: &mut Frame, area: Rect, view: &LogsView, theme: &Theme) -> usize {
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled("Logs", theme.title()),
        Span::styled(format!("({})", view.run_id), theme.label()),
        Span::styled(format!("[{}]", view.lines.len()), theme.title()),
        Span::raw(" "),
    ]);
    let block = frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [indicator, body] = Layout::vertical([
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(indicator_line(view, theme)), indicator);

    let rows = body.height as usize;
    if view.lines.is_empty() {
        let text = match &view.transport {
            Transport::Connecting => "connecting…",
            _ => "no log lines yet",
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()).centered(), body);
        return rows;
    }
    let width = body.width.max(1) as usize;
    let top = visible_top(view, rows, width);
    let mut lines = Vec::new();
    let mut used = 0;
    for (i, entry) in view.lines.iter().enumerate().skip(top) {
        if used >= rows {
            break;
        }
        let line = log_line(entry, view, i, theme);
        used += height(&line, width, view.wrap);
        lines.push(line);
    }
    let mut paragraph = Paragraph::new(lines);
    if view.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, body);
    rows
}

/// The first line to show. Following with wrap on, lines may take several
/// rows, so count back from the end until the screen is full.
fn visible_top(view: &LogsView, rows: usize, width: usize) -> usize {
    match view.scroll {
        LogScroll::Manual { top } => top.min(view.lines.len().saturating_sub(1)),
        LogScroll::Following if !view.wrap => view.bottom_top(rows),
        LogScroll::Following => {
            let mut used = 0;
            let mut top = view.lines.len();
            while top > 0 {
                let text_len = plain_len(&view.lines[top - 1], view.timestamps);
                let h = text_len.div_ceil(width).max(1);
                if used + h > rows {
                    break;
                }
                used += h;
                top -= 1;
            }
            top
        }
    }
}

fn plain_len(entry: &LogEntry, timestamps: bool) -> usize {
    let stamp = if timestamps { 9 } else { 0 };
    stamp + 6 + entry.message.chars().count()
}

fn height(line: &Line, width: usize, wrap: bool) -> usize {
    if wrap {
        line.width().div_ceil(width).max(1)
    } else {
        1
    }
}

fn log_line(entry: &LogEntry, view: &LogsView, index: usize, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    if view.timestamps {
        spans.push(Span::styled(
            format!("{} ", format::clock(entry.timestamp)),
            theme.dim(),
        ));
    }
    spans.push(Span::styled(
        format!("{:<5} ", entry.level.as_str().to_uppercase()),
        theme.level(entry.level),
    ));
    match &view.search {
        Some(search) if !search.term.is_empty() && search.matches.binary_search(&index).is_ok() => {
            spans.extend(highlight(&entry.message, &search.term, theme));
        }
        // A browser step's line: its name coloured, its time dimmed.
        _ => spans.extend(super::steps::message_spans(&entry.message, theme)),
    }
    Line::from(spans)
}

fn highlight(text: &str, term: &str, theme: &Theme) -> Vec<Span<'static>> {
    let lower = text.to_lowercase();
    let needle = term.to_lowercase();
    // Lowercasing can change byte lengths; then show the line unmarked.
    if lower.len() != text.len() {
        return vec![Span::styled(text.to_string(), theme.matched())];
    }
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(pos) = lower[at..].find(&needle) {
        let start = at + pos;
        let end = start + needle.len();
        if start > at {
            spans.push(Span::raw(text[at..start].to_string()));
        }
        spans.push(Span::styled(text[start..end].to_string(), theme.matched()));
        at = end;
    }
    if at < text.len() {
        spans.push(Span::raw(text[at..].to_string()));
    }
    spans
}

fn on_off(on: bool) -> &'static str {
    if on { "On" } else { "Off" }
}

fn indicator_line(view: &LogsView, theme: &Theme) -> Line<'static> {
    let follow = matches!(view.scroll, LogScroll::Following);
    let mut spans = vec![
        Span::styled("Follow:", theme.label()),
        Span::raw(format!("{} ", on_off(follow))),
        Span::styled("Wrap:", theme.label()),
        Span::raw(format!("{} ", on_off(view.wrap))),
        Span::styled("Timestamps:", theme.label()),
        Span::raw(format!("{}  ", on_off(view.timestamps))),
    ];
    let (text, style) = match (&view.transport, &view.end) {
        (_, Some((status, reason))) => {
            let text = match reason {
                Some(r) => format!("■ {status} ({r})"),
                None => format!("■ {status}"),
            };
            (text, theme.dim())
        }
        (Transport::Connecting, _) => ("○ connecting".into(), theme.dim()),
        (Transport::Live, _) => ("● live".into(), theme.good()),
        (Transport::Polling, _) => ("● polling".into(), theme.warn()),
        // The state first: a narrow screen cuts the detail, not the news.
        (Transport::Retrying(e), _) => (format!("✗ retrying: {e}"), theme.bad()),
        (Transport::Ended, _) => ("■ ended".into(), theme.dim()),
    };
    spans.push(Span::styled(text, style));
    if let Some(search) = &view.search {
        let at = if search.matches.is_empty() {
            0
        } else {
            search.current + 1
        };
        spans.push(Span::styled(
            format!("  /{} {}/{}", search.term, at, search.matches.len()),
            theme.key(),
        ));
    }
    Line::from(spans)
}
