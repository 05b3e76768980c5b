//! The app with its API task and no terminal: what the end-to-end tests
//! drive, key by key, against a real server.

use crate::app::{App, Settings};
use crate::editor::Editor;
use crate::runtime::Runtime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
pub use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scraper_common::Client;
use std::time::Duration;

pub struct Headless {
    pub rt: Runtime,
    /// Runs for `n`/`e` (a script in tests).
    pub editor: Editor,
}

impl Headless {
    /// Connects to `client`'s server and sends the first requests.
    pub fn start(settings: Settings, client: Client, editor: Editor) -> Headless {
        let mut rt = Runtime::new(App::new(settings), client);
        let first = rt.app.start();
        let mut me = Headless { rt, editor };
        me.run(first);
        me
    }

    pub fn app(&self) -> &App {
        &self.rt.app
    }

    fn run(&mut self, commands: Vec<crate::app::action::Command>) {
        let mut edits = self.rt.execute(commands);
        while let Some(edit) = edits.pop() {
            let result = self.editor.edit(&edit);
            let next = self.rt.app.edited(edit, result);
            edits.extend(self.rt.execute(next));
        }
    }

    pub fn press(&mut self, event: KeyEvent) {
        let commands = self.rt.app.handle_key(event);
        self.run(commands);
    }

    pub fn key(&mut self, code: KeyCode) {
        self.press(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn ctrl(&mut self, c: char) {
        self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    /// Each character as a key press.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn refresh(&mut self) {
        let commands = self.rt.app.refresh();
        self.run(commands);
    }

    /// What the real loop's refresh tick does.
    pub fn tick(&mut self) {
        let commands = self.rt.app.tick();
        self.run(commands);
    }

    /// Waits for the flows list to hold `flows` flows, triggers the selected
    /// one (`t`, then `y` to confirm) and waits for its logs view.
    pub async fn trigger_selected_flow(
        &mut self,
        within: Duration,
        flows: usize,
    ) -> Result<(), String> {
        self.until(within, |a| a.flows().table.rows.len() == flows)
            .await?;
        self.key(KeyCode::Char('t'));
        self.key(KeyCode::Char('y'));
        self.until(within, |a| a.context() == crate::app::keymap::Context::Logs)
            .await
    }

    /// Applies answers as they come until `done` holds, refreshing every
    /// half second as the real loop does; `Err` with the screen on timeout.
    pub async fn until(
        &mut self,
        within: Duration,
        mut done: impl FnMut(&App) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + within;
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.tick().await;
        loop {
            if done(&self.rt.app) {
                return Ok(());
            }
            tokio::select! {
                incoming = self.rt.recv() => {
                    if let Some(incoming) = incoming {
                        let commands = self.rt.app.apply(incoming);
                        self.run(commands);
                    }
                }
                _ = tick.tick() => {
                    self.rt.app.now = chrono::Utc::now();
                    self.tick();
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(self.screen(120, 40));
                }
            }
        }
    }

    /// The screen as text, as a terminal of this size would show it.
    pub fn screen(&self, width: u16, height: u16) -> String {
        render_text(&self.rt.app, width, height)
    }
}

/// Draws `app` on a `TestBackend` and returns its rows, trimmed.
pub fn render_text(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal.draw(|f| crate::views::draw(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
