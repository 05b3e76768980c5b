//! Boxes over the body: the confirm dialog every change goes through, a
//! notice (a new key, shown once), and the export format choice.

use super::hints;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::Context;
use crate::app::overlay::{Confirm, Notice};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn boxed<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.warn())
        .title(Line::styled(format!(" {title} "), theme.title()))
}

pub fn confirm(frame: &mut Frame, area: Rect, app: &App, c: &Confirm, theme: &Theme) {
    let rect = centered(area, 56, 8);
    frame.render_widget(Clear, rect);
    let button = |text: &str, focused: bool| {
        let style = if focused {
            theme.selected()
        } else {
            Style::new()
        };
        Span::styled(format!("[ {text} ]"), style)
    };
    let lines = vec![
        Line::raw(c.message.clone()),
        Line::default(),
        Line::from(vec![
            button(&c.yes, c.yes_focused),
            Span::raw("   "),
            button("Cancel", !c.yes_focused),
        ])
        .centered(),
        Line::from(hints::line(Context::Confirm, app.settings.readonly, theme)).centered(),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(boxed(&c.title, theme)),
        rect,
    );
}

pub fn notice(frame: &mut Frame, area: Rect, app: &App, n: &Notice, theme: &Theme) {
    let width = n
        .lines
        .iter()
        .map(|l| l.chars().count() as u16 + 4)
        .max()
        .unwrap_or(20)
        .clamp(40, area.width);
    let rect = centered(area, width, n.lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let mut lines: Vec<Line> = n
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                Line::styled(l.clone(), theme.key())
            } else {
                Line::raw(l.clone())
            }
        })
        .collect();
    lines.push(Line::from(hints::line(
        Context::Notice,
        app.settings.readonly,
        theme,
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(&n.title, theme)),
        rect,
    );
}

pub fn export_choice(frame: &mut Frame, area: Rect, app: &App, run_id: &str, theme: &Theme) {
    let rect = centered(area, 50, 5);
    frame.render_widget(Clear, rect);
    let lines = vec![
        Line::raw(format!("Save the items of {run_id} as")),
        Line::from(hints::line(Context::Export, app.settings.readonly, theme)),
    ];
    frame.render_widget(Paragraph::new(lines).block(boxed("Export", theme)), rect);
}
