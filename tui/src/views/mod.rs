//! Drawing: a pure function of the app's state, so tests render it on a
//! `TestBackend`. Header, optional prompt, body, crumbs, flash.

pub mod changes;
pub mod deliveries;
pub mod describe;
pub mod describe_run;
pub mod dialog;
pub mod flows;
pub mod format;
pub mod header;
pub mod help;
pub mod hints;
pub mod items;
pub mod keys;
pub mod logs;
pub mod prompt;
pub mod runs;
pub mod steps;
pub mod table;
pub mod theme;

use crate::app::App;
use crate::app::nav::Screen;
use crate::app::overlay::Overlay;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use theme::Theme;

pub fn draw(app: &App, frame: &mut Frame) {
    let theme = Theme {
        color: app.settings.color,
    };
    let area = frame.area();
    // Very small terminals lose the header first: the body is the point.
    let header_height = if area.height >= 16 { header::HEIGHT } else { 0 };
    let prompt_height = if matches!(app.overlay, Overlay::Input(_)) {
        prompt::HEIGHT
    } else {
        0
    };
    let [header_area, prompt_area, body, crumbs, flash] = Layout::vertical([
        Constraint::Length(header_height),
        Constraint::Length(prompt_height),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    if header_height > 0 {
        header::draw(frame, header_area, app, &theme);
    }
    if let Overlay::Input(input) = &app.overlay {
        prompt::draw(frame, prompt_area, input, &theme);
    }
    let rows = match app.screen() {
        Screen::Flows(v) => flows::draw(frame, body, app, v, &theme),
        Screen::Runs(v) => runs::draw(frame, body, app, v, &theme),
        Screen::Logs(v) => logs::draw(frame, body, v, &theme),
        Screen::Items(v) => items::draw(frame, body, app, v, &theme),
        Screen::Keys(v) => keys::draw(frame, body, app, v, &theme),
        Screen::Describe(v) => describe::draw(frame, body, app, v, &theme),
        Screen::Changes(v) => changes::draw(frame, body, app, v, &theme),
        Screen::Deliveries(v) => deliveries::draw(frame, body, app, v, &theme),
    };
    app.body_rows.set(rows);

    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" ", theme.dim()),
            Span::styled(app.crumbs(), theme.title()),
        ])),
        crumbs,
    );
    if let Some(f) = &app.flash {
        let style = if f.error { theme.bad() } else { theme.good() };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {}", f.text), style)),
            flash,
        );
    }

    match &app.overlay {
        Overlay::Help { scroll } => help::draw(frame, body, app, *scroll, &theme),
        Overlay::Confirm(c) => dialog::confirm(frame, body, app, c, &theme),
        Overlay::Notice(n) => dialog::notice(frame, body, app, n, &theme),
        Overlay::ExportChoice { run_id } => dialog::export_choice(frame, body, app, run_id, &theme),
        Overlay::Input(_) | Overlay::None => {}
    }
}

/// What an empty, not yet loaded view says: why, when the server is not
/// answering.
pub fn loading_text(app: &App) -> String {
    use crate::app::Connection;
    if let Some(e) = app.view_error() {
        return format!("{e} (retrying)");
    }
    match &app.conn {
        Connection::Connecting | Connection::Connected => "loading…".into(),
        Connection::KeyRejected(e)
        | Connection::Forbidden(e)
        | Connection::Unreachable(e)
        | Connection::Error(e) => format!("{e} (retrying)"),
    }
}
