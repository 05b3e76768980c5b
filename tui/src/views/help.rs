//! `?`: every key of the current view, the general ones and each dialog's,
//! from the key table that dispatches them.

use super::dialog::centered;
use super::hints;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{self, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let groups = keymap::help(app.context(), app.settings.readonly);
    let mut lines = Vec::new();
    for (context, bindings) in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(context.title().to_uppercase(), theme.title()));
        for b in bindings {
            lines.push(Line::from(vec![
                // At least one space after the keys, however many there are.
                Span::styled(format!("  {:<13} ", keymap::keys_label(b)), theme.key()),
                Span::raw(b.label),
            ]));
        }
        // What `:` takes, under the key that opens it; the dialogs follow.
        if context == Context::Global {
            lines.push(Line::default());
            lines.push(Line::styled(
                "commands  :flows [status|mode]  :runs [flow]  :keys  :q",
                theme.dim(),
            ));
            lines.push(Line::styled(
                "          :changes [flow]  :deliveries [flow]",
                theme.dim(),
            ));
        }
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 62.min(area.width);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let max = lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize);
    let mut title = vec![Span::styled(" Help (", theme.title())];
    title.extend(hints::line(Context::Help, app.settings.readonly, theme));
    title.push(Span::styled(") ", theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max) as u16, 0))
            .block(
                Block::bordered()
                    .border_style(theme.border())
                    .title(Line::from(title)),
            ),
        rect,
    );
}
