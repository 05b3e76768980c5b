//! What the benches that run processes share.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::time::Duration;

/// Stops the process when the benchmark ends, however it ends: SIGTERM
/// first (a killed nginx master leaves its workers serving the port), then
/// SIGKILL if it lingers.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a freshly started `scraper-server` printed: its API base URL and the
/// admin key of a new database.
pub struct Started {
    pub api: String,
    pub key: String,
}

/// Reads the start-up lines of `server` (spawned with piped stdout).
pub fn started(mut server: Child) -> (Guard, Started) {
    let mut key = String::new();
    let mut api = String::new();
    for line in BufReader::new(server.stdout.take().expect("piped stdout"))
        .lines()
        .map_while(Result::ok)
    {
        let line = line.trim().to_string();
        if line.starts_with("scr_live_") {
            key = line;
        } else if let Some(rest) = line.split("(API at ").nth(1) {
            api = rest.trim_end_matches(')').to_string();
            break;
        }
    }
    (Guard(server), Started { api, key })
}
