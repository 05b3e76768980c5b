//! `?`: every key of the current view and the general ones, from the key
//! table that dispatches them.

use super::dialog::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap;
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
                Span::styled(format!("  {:<14}", keymap::keys_label(b)), theme.key()),
                Span::raw(b.label),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "commands  :flows [status|mode]  :runs [flow]  :keys  :q",
        theme.dim(),
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 62.min(area.width);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let max = lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize);
    let title = if max > 0 {
        " Help (j/k scroll, esc close) "
    } else {
        " Help (esc to close) "
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max) as u16, 0))
            .block(
                Block::bordered()
                    .border_style(theme.border())
                    .title(Line::styled(title, theme.title())),
            ),
        rect,
    );
}
