//! The input line for `:` commands, `/` filters, log search and a new key,
//! in a box between the header and the body as in k9s.

use super::theme::Theme;
use crate::app::overlay::Input;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub const HEIGHT: u16 = 3;

pub fn draw(frame: &mut Frame, area: Rect, input: &Input, theme: &Theme) {
    let mut block = Block::bordered().border_style(theme.key());
    if let Some(hint) = &input.hint {
        block = block.title_bottom(Line::styled(format!(" {hint} "), theme.dim()));
    }
    let line = Line::from(vec![
        Span::styled(input.kind.prompt(), theme.key()),
        Span::raw(input.text.clone()),
        Span::styled("▏", theme.key()),
    ]);
    frame.render_widget(Paragraph::new(line).block(block), area);
}
