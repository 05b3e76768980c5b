//! The root view: every flow with its health.

use super::format;
use super::table::{self, Column, Spec, col, flex, pick};
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::FlowsView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

const COLUMNS: &[Column] = &[
    flex("NAME", 14, 0),
    col("MODE", 8, 3),
    col("STATUS", 7, 0),
    col("SUCCESS %", 9, 1),
    col("RUNS", 5, 2),
    col("LAST RUN", 8, 1),
    col("NEXT RUN", 8, 2),
    flex("URL", 24, 4),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &FlowsView, theme: &Theme) -> usize {
    let scope = match (view.status, view.mode) {
        (None, None) => "all".to_string(),
        (Some(s), None) => s.to_string(),
        (None, Some(m)) => m.to_string(),
        (Some(s), Some(m)) => format!("{s} {m}"),
    };
    let t = &view.table;
    let title = table::title_line("Flows", &scope, t.visible_len(), t.total, &t.filter, theme);
    let now = app.now;
    table::render(
        frame,
        area,
        Spec {
            title,
            columns: COLUMNS,
            empty: "no flows yet: press n to create one",
            loading: super::loading_text(app),
        },
        t,
        theme,
        |f, keep| {
            pick(
                vec![
                    Cell::from(f.name.clone()),
                    Cell::from(f.mode.to_string()),
                    Cell::from(Span::styled(
                        f.status.to_string(),
                        theme.flow_status(f.status),
                    )),
                    Cell::from(format::success_rate(f)),
                    Cell::from(f.total_runs.to_string()),
                    Cell::from(format::ago(f.last_run_at, now).replace(" ago", "")),
                    Cell::from(format::until(f.next_run_at, now)),
                    Cell::from(f.url.clone()),
                ],
                keep,
            )
        },
    )
}
