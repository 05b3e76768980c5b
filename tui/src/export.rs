//! Files the user asks for with `ctrl-s`: a run's logs as text, its items
//! as JSON or CSV (written by the API task with the server's own export),
//! a browser run's screenshot as the PNG the server keeps.

use scraper_common::LogEntry;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn log_text(lines: &[LogEntry], timestamps: bool) -> String {
    let mut out = String::new();
    for line in lines {
        if timestamps {
            out.push_str(&scraper_common::time::format(&line.timestamp));
            out.push(' ');
        }
        out.push_str(&format!(
            "{:<5} {}\n",
            line.level.as_str().to_uppercase(),
            line.message
        ));
    }
    out
}

pub fn save_logs(
    dir: &Path,
    run_id: &str,
    lines: &[LogEntry],
    timestamps: bool,
) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{run_id}.log"));
    write_file(&path, log_text(lines, timestamps))?;
    Ok(path)
}

/// `<run-id>-screenshot-<n>.png` in `dir`.
pub fn save_screenshot(dir: &Path, run_id: &str, n: u32, png: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{run_id}-screenshot-{n}.png"));
    write_file(&path, png)?;
    Ok(path)
}

/// Writes through a temporary file in the same directory, so a failed
/// write never leaves half a file under the final name.
pub fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("part");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents.as_ref())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
