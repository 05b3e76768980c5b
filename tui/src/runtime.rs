//! Carries out the app's commands: API calls and log followers go to the
//! API task; editor sessions are handed back to the caller, which owns the
//! terminal (or, headless, runs the editor directly).

use crate::api_task::ApiTask;
use crate::app::App;
use crate::app::action::{Command, EditRequest, Incoming};
use scraper_common::Client;
use tokio::sync::mpsc::{self, UnboundedReceiver};

pub struct Runtime {
    pub app: App,
    api: ApiTask,
    rx: UnboundedReceiver<Incoming>,
}

impl Runtime {
    pub fn new(app: App, client: Client) -> Runtime {
        let (tx, rx) = mpsc::unbounded_channel();
        Runtime {
            app,
            api: ApiTask::new(client, tx),
            rx,
        }
    }

    /// Starts what the commands ask for; returns the editor sessions.
    pub fn execute(&mut self, commands: Vec<Command>) -> Vec<EditRequest> {
        let mut edits = Vec::new();
        for command in commands {
            match command {
                Command::Api(tag, request) => self.api.spawn(tag, request),
                Command::FollowLogs { tag, run_id, after } => self.api.follow(tag, run_id, after),
                Command::StopLogs => self.api.stop(),
                Command::Edit(request) => edits.push(request),
                Command::Quit => self.app.quit = true,
            }
        }
        edits
    }

    /// The next answer from the API task.
    pub async fn recv(&mut self) -> Option<Incoming> {
        self.rx.recv().await
    }

    /// An answer that has already arrived, if any (to draw once per batch).
    pub fn try_recv(&mut self) -> Option<Incoming> {
        self.rx.try_recv().ok()
    }

    pub fn stop(&mut self) {
        self.api.stop();
    }
}
