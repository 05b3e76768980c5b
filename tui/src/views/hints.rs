//! Keys on screen, read from the key table: the header's columns of hints
//! and the one line of keys under a dialog.

use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{self, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The hints of whatever has the keys: columns of `<key> label`, as many
/// as fit.
pub fn columns(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let hints = keymap::hints(app.focus(), app.settings.readonly);
    let rows = area.height.max(1) as usize;
    let cells: Vec<(String, &str)> = hints
        .iter()
        .map(|b| (format!("<{}>", keymap::keys_label(b)), b.label))
        .collect();
    // Columns of `rows` hints, each as wide as its widest hint, while they fit.
    let mut lines: Vec<Vec<Span>> = vec![Vec::new(); rows];
    let mut used = 0usize;
    for column in cells.chunks(rows) {
        let width = column
            .iter()
            .map(|(k, l)| k.chars().count() + 1 + l.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
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
