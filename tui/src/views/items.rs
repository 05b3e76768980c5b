//! A run's data set: one column per schema field.

use super::format;
use super::table;
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::ItemsView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use serde_json::Value;

/// No column is wider than this; longer values are cut with `…`.
const MAX_WIDTH: usize = 40;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ItemsView, theme: &Theme) -> usize {
    let t = &view.table;
    let title = table::title_line(
        "Items",
        &view.run_id,
        t.visible_len(),
        t.total,
        &t.filter,
        theme,
    );
    let block = table::frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body_rows = inner.height.saturating_sub(1) as usize;
    if t.visible_len() == 0 || view.columns.is_empty() {
        let text = if t.loaded {
            "no items".to_string()
        } else {
            super::loading_text(app)
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()).centered(), inner);
        return body_rows;
    }
    let window = t.window(body_rows);
    let rows: Vec<&serde_json::Map<String, Value>> = window
        .clone()
        .filter_map(|n| t.visible_row(n).map(|i| &i.values))
        .collect();
    // "#" then each field as wide as its widest value on screen.
    let mut widths = vec![t.visible_len().to_string().len().max(1)];
    for c in &view.columns {
        let widest = rows
            .iter()
            .map(|r| cell_text(r.get(c)).chars().count())
            .max()
            .unwrap_or(0);
        widths.push(widest.max(c.chars().count()).min(MAX_WIDTH));
    }
    // Cut the last field to what is left, or drop it if too little is.
    let mut shown = widths.len();
    loop {
        let need = widths[..shown].iter().sum::<usize>() + shown - 1;
        let width = inner.width as usize;
        if need <= width || shown <= 2 {
            break;
        }
        let over = need - width;
        if widths[shown - 1] >= over + 8 {
            widths[shown - 1] -= over;
            break;
        }
        shown -= 1;
    }
    let header = Row::new(
        std::iter::once("#".to_string()).chain(
            view.columns
                .iter()
                .take(shown - 1)
                .map(|c| c.to_uppercase()),
        ),
    )
    .style(theme.column_header());
    let body: Vec<Row> = window
        .zip(rows)
        .map(|(n, values)| {
            let mut cells = vec![Cell::from((n + 1).to_string())];
            for (c, w) in view.columns.iter().zip(&widths[1..]).take(shown - 1) {
                cells.push(Cell::from(format::fit(&cell_text(values.get(c)), *w)));
            }
            let style = if n == t.selected {
                theme.selected()
            } else {
                Style::new()
            };
            Row::new(cells).style(style)
        })
        .collect();
    let constraints: Vec<Constraint> = widths[..shown]
        .iter()
        .map(|w| Constraint::Length(*w as u16))
        .collect();
    frame.render_widget(
        Table::new(body, constraints)
            .header(header)
            .column_spacing(1),
        inner,
    );
    body_rows
}

pub fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
