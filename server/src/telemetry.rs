//! Where the server's log goes. One set-up for the binary (stderr) and the
//! dashboard's local mode (a file: the terminal belongs to the dashboard).

use std::io::IsTerminal;
use std::path::Path;
use tracing_subscriber::EnvFilter;

/// `SCRAPER_LOG` (an `EnvFilter`), else info without spider's chatter.
fn filter() -> EnvFilter {
    EnvFilter::try_from_env("SCRAPER_LOG").unwrap_or_else(|_| EnvFilter::new("info,spider=warn"))
}

/// Logs to stderr, in colour only for a person at a terminal and never with
/// `NO_COLOR`.
pub fn to_stderr() {
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // Only the first subscriber of a process counts; later calls change nothing.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Appends the log to `path`. A second call in one process keeps logging to
/// the first file.
pub fn to_file(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
}
