//! `$EDITOR` on a temporary file. The terminal is handed over by the
//! caller (see `terminal::Tui::suspend`); this only runs the program.

use crate::app::action::EditRequest;
use crate::app::edit::file_text;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone)]
pub struct Editor {
    /// A shell command line; the file's path is added as its last word.
    pub command: String,
}

impl Editor {
    /// `$VISUAL`, then `$EDITOR`, then `vi`.
    pub fn from_env() -> Editor {
        let command = ["VISUAL", "EDITOR"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "vi".into());
        Editor { command }
    }

    /// An editor that always fails (`false`): for runs where nothing is edited.
    pub fn none() -> Editor {
        Editor {
            command: "false".into(),
        }
    }

    /// Writes the request's text, runs the editor, reads the file back.
    pub fn edit(&self, request: &EditRequest) -> std::io::Result<String> {
        static N: AtomicU64 = AtomicU64::new(0);
        let path: PathBuf = std::env::temp_dir().join(format!(
            "scraper-tui-{}-{}.json",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, file_text(request))?;
        // Through the shell, so `EDITOR="code --wait"` works.
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{} \"$1\"", self.command))
            .arg("sh")
            .arg(&path)
            .status();
        let result = match status {
            Ok(s) if s.success() => std::fs::read_to_string(&path),
            Ok(s) => Err(std::io::Error::other(format!(
                "`{}` exited with {s}",
                self.command
            ))),
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_file(&path);
        result
    }
}
