//! The terminal's loop: wait on a key, an API answer, the refresh tick or
//! the flash timer; apply it; draw once per batch.

use crate::editor::Editor;
use crate::runtime::Runtime;
use crate::terminal::Tui;
use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};
use std::time::{Duration, Instant};

/// How many queued answers are applied before the next draw.
const BATCH: usize = 256;

pub async fn run(mut rt: Runtime, editor: Editor, refresh: Duration) -> std::io::Result<()> {
    let mut tui = Tui::enter()?;
    let mut events = EventStream::new();
    let mut refresh_tick = tokio::time::interval(refresh);
    refresh_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    refresh_tick.tick().await;
    let mut flash_tick = tokio::time::interval(Duration::from_millis(500));
    let first = rt.app.start();
    let mut edits = rt.execute(first);
    let mut dirty = true;
    loop {
        while let Some(edit) = edits.pop() {
            tui.suspend();
            // The editor may stay open for minutes: hand this worker's other
            // tasks (a local server's among them) to the rest of the runtime.
            let result = tokio::task::block_in_place(|| editor.edit(&edit));
            tui.resume()?;
            let commands = rt.app.edited(edit, result);
            edits.extend(rt.execute(commands));
            dirty = true;
        }
        if rt.app.quit {
            break;
        }
        if dirty {
            tui.terminal.draw(|f| crate::views::draw(&rt.app, f))?;
            dirty = false;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    let commands = rt.app.handle_key(key);
                    edits = rt.execute(commands);
                    dirty = true;
                }
                Some(Ok(Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => break,
            },
            incoming = rt.recv() => {
                let Some(incoming) = incoming else { break };
                let mut commands = rt.app.apply(incoming);
                for _ in 0..BATCH {
                    match rt.try_recv() {
                        Some(more) => commands.extend(rt.app.apply(more)),
                        None => break,
                    }
                }
                edits = rt.execute(commands);
                dirty = true;
            }
            _ = refresh_tick.tick() => {
                rt.app.now = chrono::Utc::now();
                let commands = rt.app.tick();
                edits = rt.execute(commands);
                dirty = true;
            }
            _ = flash_tick.tick() => {
                if rt.app.expire_flash(Instant::now()) {
                    dirty = true;
                }
            }
        }
    }
    rt.stop();
    drop(tui);
    Ok(())
}
