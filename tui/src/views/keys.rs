//! API keys, masked as the server lists them.

use super::format;
use super::table::{self, Column, Spec, col, flex, pick};
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::KeysView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Cell;

const COLUMNS: &[Column] = &[
    flex("NAME", 12, 0),
    col("KEY", 17, 0),
    flex("SCOPES", 20, 1),
    col("CREATED", 8, 2),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &KeysView, theme: &Theme) -> usize {
    let t = &view.table;
    let title = table::title_line("Keys", "all", t.visible_len(), t.total, &t.filter, theme);
    let now = app.now;
    let spec = Spec {
        title,
        columns: COLUMNS,
        empty: "no keys",
        loading: super::loading_text(app),
    };
    table::render(frame, area, spec, t, theme, |k, keep| {
        let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
        pick(
            vec![
                Cell::from(k.name.clone()),
                Cell::from(k.key.clone()),
                Cell::from(scopes.join(" ")),
                Cell::from(format::ago(Some(k.created_at), now).replace(" ago", "")),
            ],
            keep,
        )
    })
}
