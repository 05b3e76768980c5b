//! Local mode: with no server named, the dashboard runs the server itself,
//! in this process, on a free loopback port, with the database in the
//! user's data dir. Its own admin key lives beside the database (0600), as
//! the database keeps only the key's hash.

use anyhow::{Context, Result};
use scraper_server::{AdminKey, Config, LaunchOptions, Running};
use std::path::{Path, PathBuf};

/// The name of the key local mode makes for itself.
pub const KEY_NAME: &str = "scraper-tui (local)";
const KEY_FILE: &str = "tui-local.key";
pub const LOG_FILE: &str = "server.log";

pub struct LocalOptions {
    /// Serve the demo shop and add the demo flows.
    pub demo: bool,
}

/// A server running inside this process; `stop` ends it gracefully.
pub struct LocalServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub api_key: String,
    pub key_name: String,
    pub database: PathBuf,
    running: Running,
}

impl LocalServer {
    /// Starts in the user's data dir (see `data_dir`).
    /// Its log goes to `server.log` there: the terminal belongs to the
    /// dashboard.
    pub async fn start(options: LocalOptions) -> Result<LocalServer> {
        let dir = data_dir()?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the data dir {}", dir.display()))?;
        let log = dir.join(LOG_FILE);
        scraper_server::telemetry::to_file(&log)
            .with_context(|| format!("opening the log file {}", log.display()))?;
        LocalServer::start_in(&dir, options).await
    }

    pub async fn start_in(dir: &Path, options: LocalOptions) -> Result<LocalServer> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data dir {}", dir.display()))?;
        let database = dir.join("scraper.db");
        let running = scraper_server::launch(LaunchOptions {
            database_url: format!("sqlite://{}", database.display()),
            listen: (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            config: Config {
                demo: options.demo,
                ..Config::default()
            },
            admin_key: AdminKey::SavedIn {
                file: dir.join(KEY_FILE),
                name: KEY_NAME.to_string(),
            },
        })
        .await?;
        let url = running.url();
        tracing::info!(%url, database = %database.display(), demo = options.demo, "local server");
        Ok(LocalServer {
            url,
            api_key: running
                .admin_key
                .clone()
                .context("the local server has no key")?,
            key_name: KEY_NAME.to_string(),
            database,
            running,
        })
    }

    /// Stops the server: runs in progress are failed as `worker_lost` (they
    /// keep what they stored), open log streams end.
    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// `$SCRAPER_DATA_DIR`, else `$XDG_DATA_HOME/scraper`, else
/// `~/.local/share/scraper`.
pub fn data_dir() -> Result<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("SCRAPER_DATA_DIR") {
        return Ok(dir);
    }
    if let Some(dir) = env("XDG_DATA_HOME") {
        return Ok(dir.join("scraper"));
    }
    let home = env("HOME").context(
        "no data dir for the local server: set SCRAPER_DATA_DIR (or HOME), or give --server",
    )?;
    Ok(home.join(".local/share/scraper"))
}
