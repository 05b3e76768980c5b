//! Frame time of the runs view with 10,000 runs on a 120x40 TestBackend:
//! one frame as it stands, and one frame after a key moves the selection
//! (what holding `j` costs), and typing a filter (`/fail`, then `esc`:
//! six refilters of the 10,000 rows, then a frame). Target: under 5 ms a frame.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use scraper_common::ListResponse;
use scraper_tui::app::action::{ApiResult, Command, Incoming, Reply, Request};
use std::hint::black_box;

const ROWS: usize = 10_000;

fn runs_view() -> scraper_tui::App {
    let (mut app, data) = common::loaded();
    let commands = common::chars(&mut app, &data, ":runs");
    assert!(commands.is_empty());
    let commands = app.handle_key(KeyEvent::from(KeyCode::Enter));
    let runs = common::runs(ROWS);
    for command in commands {
        if let Command::Api(tag, request @ Request::Runs(_)) = command {
            app.apply(Incoming::Api(Box::new(ApiResult {
                tag,
                request,
                result: Ok(Reply::Runs(ListResponse {
                    total: runs.len() as u64,
                    data: runs.clone(),
                })),
            })));
        }
    }
    let text = scraper_tui::headless::render_text(&app, 120, 40);
    assert!(text.contains(&format!("Runs(all)[{ROWS}]")), "{text}");
    app
}

fn bench(c: &mut Criterion) {
    let mut app = runs_view();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("runs view, 10,000 runs, 120x40: one frame", |b| {
        b.iter(|| {
            terminal
                .draw(|f| scraper_tui::draw(black_box(&app), f))
                .unwrap();
        })
    });
    c.bench_function("runs view, 10,000 runs, 120x40: j then a frame", |b| {
        b.iter(|| {
            // Down to the bottom, then from the top again.
            let key = if app.body_rows.get() > 0 && at_bottom(&app) {
                KeyCode::Char('g')
            } else {
                KeyCode::Char('j')
            };
            app.handle_key(KeyEvent::from(key));
            terminal
                .draw(|f| scraper_tui::draw(black_box(&app), f))
                .unwrap();
        })
    });
    c.bench_function(
        "runs view, 10,000 runs: /fail esc (6 refilters) then a frame",
        |b| {
            b.iter(|| {
                app.handle_key(KeyEvent::from(KeyCode::Char('/')));
                for ch in "fail".chars() {
                    app.handle_key(KeyEvent::from(KeyCode::Char(ch)));
                }
                app.handle_key(KeyEvent::from(KeyCode::Esc));
                terminal
                    .draw(|f| scraper_tui::draw(black_box(&app), f))
                    .unwrap();
            })
        },
    );
}

fn at_bottom(app: &scraper_tui::App) -> bool {
    match app.screen() {
        scraper_tui::app::nav::Screen::Runs(v) => v.table.selected + 1 >= v.table.visible_len(),
        _ => true,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
