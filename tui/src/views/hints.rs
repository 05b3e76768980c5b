//! Keys on screen, read from the key table: the header's columns of hints
//! and the one line of keys under a dialog.

use super::theme::Theme;
use crate::app::App;
use crate::app::action::{Act, GeneralAct};
use crate::app::keymap::{self, Binding, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The hints of whatever has the keys: columns of `<key> label`, as many
/// as fit. When some do not, the last one shown gives way to `?` help,
/// which lists them all.
pub fn columns(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut hints = keymap::hints(app.focus(), app.settings.readonly);
    let rows = area.height.max(1) as usize;
    let cell = |b: &Binding| (format!("<{}>", keymap::keys_label(b)), b.label);
    let is_help = |b: &&Binding| b.act == Act::General(GeneralAct::Help);
    loop {
        let cells: Vec<(String, &str)> = hints.iter().map(|b| cell(b)).collect();
        let shown = fitting(&cells, rows, area.width as usize);
        let help = hints.iter().position(is_help);
        match help {
            Some(at) if at >= shown && shown > 0 => {
                let help = hints.remove(at);
                hints.truncate(shown - 1);
                hints.push(help);
            }
            _ => break,
        }
    }
    let cells: Vec<(String, &str)> = hints.iter().map(|b| cell(b)).collect();
    // Columns of `rows` hints, each as wide as its widest hint, while they fit.
    let mut lines: Vec<Vec<Span>> = vec![Vec::new(); rows];
    let mut used = 0usize;
    for column in cells.chunks(rows) {
        let width = column_width(column);
        if used + width > area.width as usize + 2 {
            break;
        }
        used += width;
        for (row, (key, label)) in column.iter().enumerate() {
            let pad = width - key.chars().count() - 1 - label.chars().count();
            lines[row].push(Span::styled(key.clone(), theme.key()));
            lines[row].push(Span::raw(format!(" {label}{}", " ".repeat(pad))));
        }
    }
    frame.render_widget(
        Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>()),
        area,
    );
}

/// A column's width: its widest `<key> label` and two spaces.
fn column_width(column: &[(String, &str)]) -> usize {
    column
        .iter()
        .map(|(k, l)| k.chars().count() + 1 + l.chars().count())
        .max()
        .unwrap_or(0)
        + 2
}

/// How many of `cells` the columns show in `width`.
fn fitting(cells: &[(String, &str)], rows: usize, width: usize) -> usize {
    let mut used = 0;
    let mut shown = 0;
    for column in cells.chunks(rows) {
        used += column_width(column);
        if used > width + 2 {
            break;
        }
        shown += column.len();
    }
    shown
}

/// A dialog's hinted keys in one line: `y yes · n/esc/q no · …`.
pub fn line(context: Context, readonly: bool, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for b in keymap::hints(context, readonly) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(keymap::keys_label(b), theme.key()));
        spans.push(Span::styled(format!(" {}", b.label), theme.dim()));
    }
    spans
}
