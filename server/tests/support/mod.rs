//! What the tests of the `scraper-server` binary share: starting it as a
//! user would, stopping it, and a PostgreSQL database of their own.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod postgres;

pub const BIN: &str = env!("CARGO_BIN_EXE_scraper-server");

pub struct Running {
    pub child: Child,
    pub base: String,
    pub stdout: Vec<String>,
}

/// A failed assertion must not leave a server behind.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `scraper-server` in `dir` on a free port and waits for its
/// "listening" line; returns what it printed until then.
pub fn start(dir: &Path, extra: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(dir)
        .env_remove("SCRAPER_DATABASE_URL")
        .env_remove("SCRAPER_LISTEN")
        .stdout(Stdio::piped())
        // Its log, for tests that read it (`server.log` in `dir`).
        .stderr(log_file(dir))
        .spawn()
        .expect("start scraper-server");
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not print where it listens; it printed {stdout:?}");
        };
        if let Some(rest) = line.split("listening on ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().to_string();
            stdout.push(line);
            return Running {
                child,
                base,
                stdout,
            };
        }
        stdout.push(line);
    }
}

pub fn log_file(dir: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("the server's log file")
}

pub fn admin_key(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("scr_live_") && !l.contains(' '))
        .map(str::to_string)
}

pub fn terminate(mut running: Running) -> std::process::ExitStatus {
    let pid = running.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A database of its own on the PostgreSQL server `SCRAPER_TEST_POSTGRES_URL`
/// names (`.ci/postgres start`), dropped afterwards.
pub struct PgDatabase {
    admin: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// `None`, with a line saying the test was skipped, when no server was
    /// given; under CI one must be.
    pub fn fresh(test: &str) -> Option<PgDatabase> {
        let Ok(admin) = std::env::var("SCRAPER_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but SCRAPER_TEST_POSTGRES_URL is not"
            );
            eprintln!("{test}: skipped, SCRAPER_TEST_POSTGRES_URL is not set");
            return None;
        };
        let name = format!("{test}_{}", std::process::id());
        let url = postgres::create(&admin, &name);
        Some(PgDatabase { admin, name, url })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        postgres::drop(&self.admin, &self.name);
    }
}
