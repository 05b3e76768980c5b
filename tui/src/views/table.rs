//! Tables k9s-style: a titled box, a header row, only the rows on screen
//! built (a list of 10,000 costs what a screenful costs), and columns
//! dropped by priority when the terminal is narrow.

use super::theme::Theme;
use crate::app::table::{Row as TableRow, Table};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table as TableWidget};

pub struct Column {
    pub title: &'static str,
    pub width: u16,
    /// Takes the width left over (at least `width`).
    pub flex: bool,
    /// 0 is kept longest; higher numbers are dropped first.
    pub priority: u8,
}

pub const fn col(title: &'static str, width: u16, priority: u8) -> Column {
    Column {
        title,
        width,
        flex: false,
        priority,
    }
}

pub const fn flex(title: &'static str, width: u16, priority: u8) -> Column {
    Column {
        title,
        width,
        flex: true,
        priority,
    }
}

/// Indices of the columns that fit in `width`, in their order.
pub fn fit_columns(columns: &[Column], width: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..columns.len()).collect();
    let need = |keep: &[usize]| -> u16 {
        keep.iter().map(|&i| columns[i].width).sum::<u16>() + keep.len().saturating_sub(1) as u16
    };
    while need(&keep) > width && keep.len() > 1 {
        let drop = keep
            .iter()
            .enumerate()
            .max_by_key(|(pos, i)| (columns[**i].priority, *pos))
            .map(|(pos, _)| pos)
            .expect("not empty");
        keep.remove(drop);
    }
    keep
}

/// The box every view's body sits in.
pub fn frame_block<'a>(title: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::bordered().border_style(theme.border()).title(title)
}

pub fn title_line(
    name: &str,
    scope: &str,
    shown: usize,
    total: u64,
    filter: &str,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(name.to_string(), theme.title()),
        Span::styled(format!("({scope})"), theme.label()),
    ];
    let count = if (shown as u64) < total {
        format!("[{shown} of {total}]")
    } else {
        format!("[{shown}]")
    };
    spans.push(Span::styled(count, theme.title()));
    if !filter.is_empty() {
        spans.push(Span::styled(format!(" </{filter}>"), theme.key()));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// What a view says about its table: the title, the columns, and what to
/// show when it is empty.
pub struct Spec<'a> {
    pub title: Line<'a>,
    pub columns: &'a [Column],
    pub empty: &'a str,
    /// Shown until the first answer.
    pub loading: String,
}

/// Draws `table` in `area` (inside a block titled `title`): `cells` makes
/// the cells of one row for the kept columns.
pub fn render<T: TableRow>(
    frame: &mut Frame,
    area: Rect,
    spec: Spec<'_>,
    table: &Table<T>,
    theme: &Theme,
    cells: impl Fn(&T, &[usize]) -> Vec<Cell<'static>>,
) -> usize {
    let Spec {
        title,
        columns,
        empty,
        loading,
    } = spec;
    let block = frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = if table.loaded { empty } else { &loading };
    fill(frame, inner, columns, text, table, theme, cells)
}

/// The header row and the rows on screen of `table` in `inner`, with no
/// box (`render` draws one); `empty` is said when no row is shown.
pub fn fill<T: TableRow>(
    frame: &mut Frame,
    inner: Rect,
    columns: &[Column],
    empty: &str,
    table: &Table<T>,
    theme: &Theme,
    cells: impl Fn(&T, &[usize]) -> Vec<Cell<'static>>,
) -> usize {
    if inner.height == 0 {
        return 0;
    }
    let keep = fit_columns(columns, inner.width);
    let body_rows = inner.height.saturating_sub(1) as usize;
    if table.visible_len() == 0 {
        let header = Row::new(keep.iter().map(|&i| Cell::from(columns[i].title)))
            .style(theme.column_header());
        let widths = widths(columns, &keep);
        frame.render_widget(
            TableWidget::new(Vec::<Row>::new(), widths)
                .header(header)
                .column_spacing(1),
            inner,
        );
        if inner.height > 2 {
            let msg = Rect {
                y: inner.y + 2,
                height: 1,
                ..inner
            };
            frame.render_widget(
                Paragraph::new(Line::styled(empty.to_string(), theme.dim())).centered(),
                msg,
            );
        }
        return body_rows;
    }
    let window = table.window(body_rows);
    let rows: Vec<Row> = window
        .clone()
        .filter_map(|n| {
            let row = table.visible_row(n)?;
            let style = if n == table.selected {
                theme.selected()
            } else {
                Style::new()
            };
            Some(Row::new(cells(row, &keep)).style(style))
        })
        .collect();
    let header =
        Row::new(keep.iter().map(|&i| Cell::from(columns[i].title))).style(theme.column_header());
    frame.render_widget(
        TableWidget::new(rows, widths(columns, &keep))
            .header(header)
            .column_spacing(1),
        inner,
    );
    body_rows
}

fn widths(columns: &[Column], keep: &[usize]) -> Vec<Constraint> {
    keep.iter()
        .map(|&i| {
            if columns[i].flex {
                Constraint::Min(columns[i].width)
            } else {
                Constraint::Length(columns[i].width)
            }
        })
        .collect()
}

/// Picks the cells of kept columns from a full row.
pub fn pick(all: Vec<Cell<'static>>, keep: &[usize]) -> Vec<Cell<'static>> {
    let mut all: Vec<Option<Cell<'static>>> = all.into_iter().map(Some).collect();
    keep.iter()
        .filter_map(|&i| all.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_drop_the_least_important_columns_first() {
        let columns = [col("A", 10, 0), col("B", 10, 2), col("C", 10, 1)];
        assert_eq!(fit_columns(&columns, 32), vec![0, 1, 2]);
        assert_eq!(fit_columns(&columns, 25), vec![0, 2]);
        assert_eq!(fit_columns(&columns, 5), vec![0]);
    }
}
