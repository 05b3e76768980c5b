//! The one way a server starts: the binary, the dashboard's local mode and
//! the tests all call `launch`, so what they run is the same server (open the
//! store, make sure there is a key, bind, build the state, seed the demo,
//! serve).

use crate::store::{Store, StoreError};
use crate::{AppState, Config, demo, serve};
use scraper_common::Scope;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where a server keeps its data, where it listens and how it behaves.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// `sqlite://path/to/scraper.db`, `sqlite::memory:`...
    pub database_url: String,
    /// Port 0 picks a free port; `Running::addr` tells which.
    pub listen: SocketAddr,
    pub config: Config,
    pub admin_key: AdminKey,
}

/// How the server's first admin key comes to be.
#[derive(Debug, Clone)]
pub enum AdminKey {
    /// Made only when the database has no key at all (its first start), and
    /// then shown once: the database keeps only its hash.
    FirstStart,
    /// Kept in `file` (mode 0600) across starts and used again while it
    /// verifies; otherwise a new key `name` with every scope is made and saved.
    SavedIn { file: PathBuf, name: String },
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("opening the database {url}: {source}")]
    Store { url: String, source: StoreError },
    #[error("making the admin key: {0}")]
    Key(StoreError),
    #[error("saving the admin key in {}: {source}", file.display())]
    KeyFile {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    State(#[from] crate::StateError),
    #[error("adding the demo flows: {0}")]
    Demo(StoreError),
}

/// A server serving in this process until `stop`.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    /// Where `/metrics` is served when it has an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// The admin key: with `AdminKey::FirstStart` only on the first start.
    pub admin_key: Option<String>,
    /// The server's own state (store, engine, policy).
    pub state: AppState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

pub async fn launch(options: LaunchOptions) -> Result<Running, LaunchError> {
    let url = options.database_url;
    let store = Store::open(&url)
        .await
        .map_err(|source| LaunchError::Store {
            url: crate::store::shown_url(&url),
            source,
        })?;
    let admin_key = match &options.admin_key {
        AdminKey::FirstStart => first_key(&store).await.map_err(LaunchError::Key)?,
        AdminKey::SavedIn { file, name } => Some(saved_key(&store, file, name).await?),
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| LaunchError::Bind {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| LaunchError::Bind {
        addr: options.listen,
        source,
    })?;
    let metrics_listener = match options.config.metrics_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| LaunchError::Bind { addr, source })?,
        ),
        None => None,
    };
    let metrics_addr = metrics_listener.as_ref().and_then(|l| l.local_addr().ok());
    let mut config = options.config;
    if config.engine.node_name.is_none() {
        config.engine.node_name = Some(format!("{}:{}", hostname(), addr.port()));
    }
    if config.demo {
        // The shop is served by this very server, so its address is allowed.
        config.private_networks = demo::allow_shop(config.private_networks, addr);
    }
    let state = AppState::new(store, &config)?;
    if !state.browsers.available() {
        tracing::warn!(
            chromium = %state.browsers.config().executable.display(),
            "no Chromium here: interact runs and render: true pages will fail until it is \
             installed (apt-get install -y chromium) or CHROME_BIN names it; extract flows work"
        );
    }
    if config.demo {
        demo::seed(&state, &demo::base_url(addr))
            .await
            .map_err(LaunchError::Demo)?;
    }
    state.engine.announce().await;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(
        state.clone(),
        listener,
        metrics_listener,
        async move {
            let _ = stopped.await;
        },
    ));
    Ok(Running {
        addr,
        metrics_addr,
        admin_key,
        state,
        stop,
        task,
    })
}

impl Running {
    /// `http://ADDR`, with an unspecified address (`0.0.0.0`) as loopback.
    pub fn url(&self) -> String {
        demo::base_url(self.addr)
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Stops gracefully: workers stop (runs they held fail as `worker_lost`
    /// and keep what they stored), log streams end, open requests finish,
    /// then the database is closed.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.state.store.close().await;
    }
}

/// On the very first start (no key was ever made) an admin key with every
/// scope, to be shown once.
async fn first_key(store: &Store) -> crate::store::Result<Option<String>> {
    if store.has_keys().await? {
        return Ok(None);
    }
    let (key, _) = crate::keys::issue(store, "admin", Scope::ALL).await?;
    Ok(Some(key))
}

/// The key saved by an earlier start, if it still works; else a new admin
/// key, saved for the next start.
async fn saved_key(store: &Store, file: &Path, name: &str) -> Result<String, LaunchError> {
    if let Ok(saved) = std::fs::read_to_string(file) {
        let saved = saved.trim();
        if crate::keys::verify(store, saved)
            .await
            .map_err(LaunchError::Key)?
            .is_some()
        {
            return Ok(saved.to_string());
        }
    }
    let (key, _) = crate::keys::issue(store, name, Scope::ALL)
        .await
        .map_err(LaunchError::Key)?;
    write_private(file, &key).map_err(|source| LaunchError::KeyFile {
        file: file.to_path_buf(),
        source,
    })?;
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

/// This machine's name, for the default node name.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}
