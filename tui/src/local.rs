//! Local mode: with no server named, the dashboard runs the server itself,
//! in this process, on a free loopback port, with the database in the
//! user's data dir. Its own admin key lives beside the database (0600), as
//! the database keeps only the key's hash.

use anyhow::{Context, Result};
use scraper_common::Scope;
use scraper_server::engine::EngineConfig;
use scraper_server::store::Store;
use scraper_server::{AppState, Config, demo};
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
    store: Store,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl LocalServer {
    /// Starts in the user's data dir (see `data_dir`).
    /// Its log goes to `server.log` there: the terminal belongs to the
    /// dashboard.
    pub async fn start(options: LocalOptions) -> Result<LocalServer> {
        let dir = data_dir()?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the data dir {}", dir.display()))?;
        log_to_file(&dir.join(LOG_FILE))?;
        LocalServer::start_in(&dir, options).await
    }

    pub async fn start_in(dir: &Path, options: LocalOptions) -> Result<LocalServer> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data dir {}", dir.display()))?;
        let database = dir.join("scraper.db");
        let url = format!("sqlite://{}", database.display());
        let store = Store::open(&url)
            .await
            .with_context(|| format!("opening the database {}", database.display()))?;
        let api_key = own_key(&store, &dir.join(KEY_FILE)).await?;

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding a loopback port for the local server")?;
        let addr = listener.local_addr()?;
        let mut config = Config {
            engine: EngineConfig::default(),
            demo: options.demo,
            ..Config::default()
        };
        if options.demo {
            config.private_networks = demo::allow_shop(config.private_networks, addr);
        }
        let state = AppState::new(store.clone(), &config).context("building the HTTP client")?;
        let base = demo::base_url(addr);
        if options.demo {
            demo::seed(&state, &base)
                .await
                .context("adding the demo flows")?;
        }
        tracing::info!(url = %base, database = %database.display(), demo = options.demo, "local server");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(scraper_server::serve(state, listener, async move {
            let _ = stopped.await;
        }));
        Ok(LocalServer {
            url: base,
            api_key,
            key_name: KEY_NAME.to_string(),
            database,
            store,
            stop,
            task,
        })
    }

    /// Stops the server: runs in progress are failed as `worker_lost` (they
    /// keep what they stored), open log streams end.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.store.close().await;
    }
}

fn log_to_file(path: &Path) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the log file {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCRAPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,spider=warn"));
    // Only the first subscriber of the process counts; a second start in
    // one process keeps logging to the first file.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
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

/// The key saved by an earlier start, if it still works; else a new admin
/// key, saved for the next start.
async fn own_key(store: &Store, file: &Path) -> Result<String> {
    if let Ok(saved) = std::fs::read_to_string(file) {
        let saved = saved.trim();
        if scraper_server::keys::verify(store, saved).await?.is_some() {
            return Ok(saved.to_string());
        }
    }
    let (key, _) = scraper_server::keys::issue(store, KEY_NAME, Scope::ALL).await?;
    write_private(file, &key)
        .with_context(|| format!("saving the local key in {}", file.display()))?;
    Ok(key)
}

fn write_private(file: &Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(file)?;
    writeln!(out, "{key}")
}
