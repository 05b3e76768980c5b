//! Runs, newest first, with a progress gauge while they run.

use super::format;
use super::table::{self, Column, Spec, col, flex, pick};
use super::theme::Theme;
use crate::app::App;
use crate::app::nav::RunsView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;
use scraper_common::{Flow, Run, RunStatus, StepType};

/// Runs of every flow: at 80 columns the progress of running ones is kept
/// over the changes of monitors' (their flow's runs show those).
const COLUMNS: &[Column] = &[
    col("ID", 17, 0),
    flex("FLOW", 10, 1),
    col("STATUS", 9, 0),
    col("STARTED", 8, 2),
    col("DURATION", 8, 3),
    col("PAGES", 5, 5),
    col("ITEMS", 6, 3),
    col("CHANGES", 10, 5),
    col("COST", 8, 6),
    col("PROGRESS", 14, 4),
];

/// The runs of one flow: its name is in the title, so the FLOW column
/// would only repeat it; CHANGES takes the room at 80 columns.
const OF_FLOW: &[Column] = &[
    col("ID", 17, 0),
    col("STATUS", 9, 0),
    col("STARTED", 8, 2),
    col("DURATION", 8, 3),
    col("PAGES", 5, 5),
    col("ITEMS", 6, 3),
    col("CHANGES", 10, 3),
    col("COST", 8, 6),
    col("PROGRESS", 14, 4),
];
/// Where FLOW is in `COLUMNS`.
const FLOW_COLUMN: usize = 1;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &RunsView, theme: &Theme) -> usize {
    let scope = match (&view.flow, view.failed_only) {
        (Some((_, name)), false) => name.clone(),
        (Some((_, name)), true) => format!("{name}, failed"),
        (None, false) => "all".into(),
        (None, true) => "failed".into(),
    };
    let t = &view.table;
    let title = table::title_line("Runs", &scope, t.visible_len(), t.total, &t.filter, theme);
    let now = app.now;
    let flows = &app.flows().table.rows;
    let scoped = view.flow.is_some();
    let spec = Spec {
        title,
        columns: if scoped { OF_FLOW } else { COLUMNS },
        empty: "no runs",
        loading: super::loading_text(app),
    };
    table::render(frame, area, spec, t, theme, |r, keep| {
        let duration = match (r.duration, r.started_at) {
            (Some(ms), _) => format::duration_ms(ms),
            (None, Some(start)) if r.status == RunStatus::Running => {
                format::duration_ms((now - start).num_milliseconds().max(0) as u64)
            }
            _ => "—".into(),
        };
        let mut cells = vec![
            Cell::from(r.id.clone()),
            Cell::from(r.flow_name.clone()),
            Cell::from(Span::styled(
                r.status.to_string(),
                theme.run_status(r.status),
            )),
            Cell::from(format::ago(r.started_at, now).replace(" ago", "")),
            Cell::from(duration),
            Cell::from(r.pages_fetched.to_string()),
            Cell::from(r.items_extracted.to_string()),
            Cell::from(changes(r, theme)),
            Cell::from(format::cost(r.cost)),
            Cell::from(progress(r, flows, theme)),
        ];
        if scoped {
            cells.remove(FLOW_COLUMN);
        }
        pick(cells, keep)
    })
}

/// A monitor's run against the one before: `+2 -1 ~3` (records added,
/// removed, fields changed), `±1` (watched texts changed), `none`, or
/// `baseline` for the first; blank for other runs.
fn changes(run: &Run, theme: &Theme) -> Line<'static> {
    let Some(changes) = &run.changes else {
        return Line::default();
    };
    let c = &changes.counts;
    if c.baseline {
        return Line::styled("baseline", theme.dim());
    }
    if !c.any() {
        return Line::styled("none", theme.dim());
    }
    let parts = [
        ('+', c.added, theme.added()),
        ('-', c.removed, theme.removed()),
        ('~', c.changed, theme.changed()),
        ('±', c.text_changed, theme.hunk()),
    ];
    let mut spans = Vec::new();
    for (mark, n, style) in parts.into_iter().filter(|(_, n, _)| *n > 0) {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(format!("{mark}{n}"), style));
    }
    Line::from(spans)
}

/// Pages fetched against the flow's page budget, for running runs.
fn progress(run: &Run, flows: &[Flow], theme: &Theme) -> Line<'static> {
    if run.status != RunStatus::Running {
        return Line::default();
    }
    let budget = flows
        .iter()
        .find(|f| f.id == run.flow_id)
        .map(page_budget)
        .unwrap_or(0);
    if budget == 0 {
        return Line::styled(format!("{} pages", run.pages_fetched), theme.busy());
    }
    let ratio = run.pages_fetched as f64 / budget as f64;
    Line::from(vec![
        Span::styled(format::bar(ratio, 6), theme.busy()),
        Span::raw(format!(" {}/{}", run.pages_fetched, budget)),
    ])
}

/// The most pages a flow's steps may fetch, with the server's defaults.
pub fn page_budget(flow: &Flow) -> u64 {
    if flow.steps.is_empty() {
        return 1;
    }
    flow.steps
        .iter()
        .map(|s| {
            let max = s.settings.get("maxPages").and_then(|v| v.as_u64());
            match s.kind {
                StepType::Navigate => 1,
                StepType::Paginate => max.unwrap_or(10),
                StepType::Crawl => max.unwrap_or(100),
                _ => 0,
            }
        })
        .sum()
}
