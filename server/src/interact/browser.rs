//! The browser: one Debian Chromium process shared by runs, each run in a
//! browser context of its own (cookies and storage apart), at most
//! `--browser-slots` runs at once. It starts when the first run needs it,
//! is replaced after `restart_after` pages or when it dies, and is closed,
//! children and all, when the server stops. Its only way out is our proxy.

use super::proxy::Proxy;
use crate::net::UrlPolicy;
use chromiumoxide::browser::{Browser, BrowserConfig as LaunchConfig};
use chromiumoxide::cdp::browser_protocol::browser::{
    BrowserContextId, SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedSemaphorePermit, RwLock, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How the server runs its browser.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// Debian's Chromium: `$CHROME_BIN`, else `/usr/bin/chromium`.
    pub executable: PathBuf,
    /// Interact runs at once (`--browser-slots`); others wait for a slot.
    pub slots: usize,
    /// Pages a browser loads before it is replaced by a fresh one.
    pub restart_after: u64,
    /// How long a page may take to load, and a DevTools command to answer.
    pub timeout: Duration,
    /// A browser no run has used for this long is closed (the next run
    /// starts one again, in about a second).
    pub idle: Duration,
}

impl Default for BrowserConfig {
    fn default() -> Self {
        BrowserConfig {
            executable: std::env::var_os("CHROME_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium")),
            slots: 2,
            restart_after: 500,
            timeout: Duration::from_secs(30),
            idle: Duration::from_secs(60),
        }
    }
}

/// Why a run could not get or keep its browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No Chromium where the server looks for it.
    #[error(
        "interact runs need Chromium and there is none at {0}: install Debian's \
         (`apt-get install -y chromium`) or set CHROME_BIN to its path, then restart the server"
    )]
    Missing(PathBuf),
    #[error("Chromium did not start: {0}")]
    Launch(String),
    /// The browser died (crashed or was killed) under the run.
    #[error("the browser crashed while the run used it; the next run gets a fresh one")]
    Crashed,
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("the browser failed: {0}")]
    Cdp(String),
}

impl From<chromiumoxide::error::CdpError> for BrowserError {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        BrowserError::Cdp(e.to_string())
    }
}

/// The server's browser, shared by its interact runs (and `render: true`).
pub struct Browsers {
    config: BrowserConfig,
    policy: Arc<UrlPolicy>,
    slots: Arc<Semaphore>,
    pool: Mutex<Pool>,
    /// Every browser's profile lives under here, so that the processes of
    /// this server's browsers can be told from any other Chromium.
    root: tempfile::TempDir,
    launched: AtomicU64,
    /// Pages loaded by every browser so far.
    pages: Arc<AtomicU64>,
    shutdown: CancellationToken,
}

/// What `/metrics` shows of the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrowserFigures {
    pub launched: u64,
    pub pages: u64,
    /// Runs holding a page now.
    pub sessions: u64,
    /// Browser processes running now.
    pub running: u64,
}

impl std::fmt::Debug for Browsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browsers")
            .field("config", &self.config)
            .field("root", &self.root.path())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Pool {
    proxy: Option<Proxy>,
    /// The browser new sessions get.
    current: Option<Arc<Instance>>,
    /// Every browser not yet closed, the current one included.
    open: Vec<Arc<Instance>>,
}

/// One Chromium process.
struct Instance {
    browser: RwLock<Browser>,
    /// Reads the DevTools connection; it ends when the browser goes.
    events: JoinHandle<()>,
    /// Fires when the browser's connection ended: it died or was closed.
    gone: CancellationToken,
    pages: AtomicU64,
    sessions: AtomicUsize,
    closing: AtomicBool,
    /// Bumped each time the last session ends: an idle close that finds
    /// it moved on knows a run came and went meanwhile.
    idle_since: AtomicU64,
    _profile: tempfile::TempDir,
}

impl Browsers {
    pub fn new(config: BrowserConfig, policy: Arc<UrlPolicy>) -> std::io::Result<Browsers> {
        let root = tempfile::Builder::new()
            .prefix("scraper-browsers-")
            .tempdir()?;
        Ok(Browsers {
            slots: Arc::new(Semaphore::new(config.slots.max(1))),
            config,
            policy,
            pool: Mutex::new(Pool::default()),
            root,
            launched: AtomicU64::new(0),
            pages: Arc::default(),
            shutdown: CancellationToken::new(),
        })
    }

    pub fn config(&self) -> &BrowserConfig {
        &self.config
    }

    /// Whether Chromium is where the server looks for it.
    pub fn available(&self) -> bool {
        self.config.executable.is_file()
    }

    /// The folder every profile of these browsers is in: a process whose
    /// command line names it is one of theirs.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Browsers started so far.
    pub fn launched(&self) -> u64 {
        self.launched.load(Ordering::Relaxed)
    }

    pub async fn figures(&self) -> BrowserFigures {
        let pool = self.pool.lock().await;
        let live: Vec<&Arc<Instance>> = pool
            .open
            .iter()
            .filter(|i| !i.gone.is_cancelled())
            .collect();
        BrowserFigures {
            launched: self.launched(),
            pages: self.pages.load(Ordering::Relaxed),
            sessions: live
                .iter()
                .map(|i| i.sessions.load(Ordering::SeqCst) as u64)
                .sum(),
            running: live.len() as u64,
        }
    }

    /// A page of its own for a run, in a fresh browser context, once a slot
    /// is free; `waiting` is told when the run has to wait for one.
    pub async fn session(
        self: &Arc<Self>,
        waiting: impl FnOnce(usize),
    ) -> Result<Session, BrowserError> {
        if !self.available() {
            return Err(BrowserError::Missing(self.config.executable.clone()));
        }
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                waiting(self.config.slots);
                tokio::select! {
                    slot = self.slots.clone().acquire_owned() => slot.map_err(|_| BrowserError::ShuttingDown)?,
                    _ = self.shutdown.cancelled() => return Err(BrowserError::ShuttingDown),
                }
            }
        };
        // A browser that died between two runs is replaced here; one that
        // dies now fails this try, and the next gets a fresh one.
        let instance = self.instance().await?;
        let opened = open_context(&instance).await;
        match opened {
            Ok((context, page)) => Ok(Session {
                browsers: self.clone(),
                instance,
                context: Some(context),
                page,
                _slot: slot,
            }),
            Err(e) => {
                instance.sessions.fetch_sub(1, Ordering::SeqCst);
                Err(if instance.gone.is_cancelled() {
                    BrowserError::Crashed
                } else {
                    e
                })
            }
        }
    }

    /// The current browser, started (or replaced) if need be, with one more
    /// session counted on it (under the pool's lock, so that an idle close
    /// cannot take it away meanwhile).
    async fn instance(&self) -> Result<Arc<Instance>, BrowserError> {
        let mut pool = self.pool.lock().await;
        if self.shutdown.is_cancelled() {
            return Err(BrowserError::ShuttingDown);
        }
        // Browsers that died leave the list, their processes reaped; one
        // that is worn out is replaced and closes once its last run ends.
        let (dead, open): (Vec<_>, Vec<_>) = std::mem::take(&mut pool.open)
            .into_iter()
            .partition(|i| i.gone.is_cancelled());
        pool.open = open;
        for instance in dead {
            tokio::spawn(async move { close(&instance).await });
        }
        if let Some(current) = &pool.current {
            let worn = current.pages.load(Ordering::Relaxed) >= self.config.restart_after;
            if !current.gone.is_cancelled() && !worn {
                current.sessions.fetch_add(1, Ordering::SeqCst);
                return Ok(current.clone());
            }
            let old = pool.current.take().expect("just seen");
            retire(old);
        }
        if pool.proxy.is_none() {
            let proxy = Proxy::start(self.policy.clone())
                .await
                .map_err(|e| BrowserError::Launch(format!("its proxy could not listen: {e}")))?;
            pool.proxy = Some(proxy);
        }
        let proxy = pool.proxy.as_ref().expect("started above").addr();
        let n = self.launched.fetch_add(1, Ordering::Relaxed) + 1;
        let profile = tempfile::Builder::new()
            .prefix(&format!("profile-{n}-"))
            .tempdir_in(self.root.path())
            .map_err(|e| BrowserError::Launch(format!("no profile folder: {e}")))?;
        let instance = Arc::new(launch(&self.config, proxy, profile).await?);
        instance.sessions.fetch_add(1, Ordering::SeqCst);
        pool.current = Some(instance.clone());
        pool.open.push(instance.clone());
        Ok(instance)
    }

    /// Counts a page loaded by a session, towards the browser's restart.
    fn count_page(&self, instance: &Instance) {
        instance.pages.fetch_add(1, Ordering::Relaxed);
        self.pages.fetch_add(1, Ordering::Relaxed);
    }

    /// Closes every browser and waits for their processes: the server is
    /// stopping. Sessions still open fail from here on.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        let open = {
            let mut pool = self.pool.lock().await;
            pool.current = None;
            pool.proxy = None;
            std::mem::take(&mut pool.open)
        };
        for instance in open {
            close(&instance).await;
        }
    }
}

/// Starts Chromium: headless, through our proxy (loopback included), with
/// no traffic of its own, a profile of its own, and no sandbox only as root
/// (Chromium refuses it to root).
async fn launch(
    config: &BrowserConfig,
    proxy: std::net::SocketAddr,
    profile: tempfile::TempDir,
) -> Result<Instance, BrowserError> {
    let mut builder = LaunchConfig::builder()
        .chrome_executable(&config.executable)
        .user_data_dir(profile.path())
        .new_headless_mode()
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(config.timeout)
        .arg(format!("proxy-server=http://{proxy}"))
        // Chromium skips the proxy for loopback unless told not to.
        .arg("proxy-bypass-list=<-loopback>")
        // It never resolves a name itself: the proxy does, under the policy.
        .arg("host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
        .arg("disable-background-networking")
        .arg("disable-component-update")
        .arg("disable-domain-reliability")
        .arg("disable-quic")
        .arg("no-pings")
        .arg("disable-breakpad")
        .arg("disable-crash-reporter")
        .arg("force-webrtc-ip-handling-policy=disable_non_proxied_udp")
        // Tabs are reused page after page: a back-forward cache would keep
        // every page they left in memory. (This list replaces the launcher's
        // own, which held TranslateUI.)
        .arg(
            "disable-features=BackForwardCache,Translate,TranslateUI,MediaRouter,OptimizationHints",
        )
        .arg("disable-gpu");
    if is_root() {
        builder = builder.no_sandbox();
    }
    let launch = builder.build().map_err(BrowserError::Launch)?;
    let (browser, mut handler) = Browser::launch(launch)
        .await
        .map_err(|e| BrowserError::Launch(e.to_string()))?;
    let gone = CancellationToken::new();
    let ended = gone.clone();
    // The handler reports a dropped connection once, then waits forever: an
    // error (but a message it could not read) means the browser is gone.
    let events = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if let Err(e) = event
                && !matches!(e, chromiumoxide::error::CdpError::InvalidMessage(..))
            {
                tracing::warn!(error = %e, "the browser's connection ended");
                break;
            }
        }
        ended.cancel();
    });
    // A killed browser may leave its connection open a while; its process
    // tells at once.
    let mut browser = browser;
    if let Some(pid) = browser.get_mut_child().and_then(|c| c.as_mut_inner().id()) {
        let watched = gone.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = watched.cancelled() => return,
                }
                if !alive(pid) {
                    tracing::warn!(pid, "the browser process ended");
                    watched.cancel();
                    return;
                }
            }
        });
    }
    Ok(Instance {
        browser: RwLock::new(browser),
        events,
        gone,
        pages: AtomicU64::new(0),
        sessions: AtomicUsize::new(0),
        closing: AtomicBool::new(false),
        idle_since: AtomicU64::new(0),
        _profile: profile,
    })
}

/// A fresh context (cookies, storage, cache of its own) with downloads
/// refused, and a blank page in it for the run to attach to before it goes
/// anywhere.
async fn open_context(instance: &Instance) -> Result<(BrowserContextId, Page), BrowserError> {
    let browser = instance.browser.read().await;
    let context = browser
        .create_browser_context(CreateBrowserContextParams::default())
        .await?;
    browser
        .execute(
            SetDownloadBehaviorParams::builder()
                .behavior(SetDownloadBehaviorBehavior::Deny)
                .browser_context_id(context.clone())
                .build()
                .map_err(BrowserError::Cdp)?,
        )
        .await?;
    let target = CreateTargetParams::builder()
        .url("about:blank")
        .browser_context_id(context.clone())
        .build()
        .map_err(BrowserError::Cdp)?;
    match browser.new_page(target).await {
        Ok(page) => Ok((context, page)),
        Err(e) => {
            let _ = browser.dispose_browser_context(context).await;
            Err(e.into())
        }
    }
}

/// A worn-out browser closes when its last run ends (or now, if none uses it).
fn retire(instance: Arc<Instance>) {
    instance.closing.store(true, Ordering::SeqCst);
    if instance.sessions.load(Ordering::SeqCst) == 0 {
        tokio::spawn(async move { close(&instance).await });
    }
}

/// Asks the browser to close, then makes sure: its process is killed if it
/// lingers and always waited for, so no zombie is left.
async fn close(instance: &Instance) {
    instance.closing.store(true, Ordering::SeqCst);
    let mut browser = instance.browser.write().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), browser.close()).await;
    if !matches!(
        tokio::time::timeout(Duration::from_secs(5), browser.wait()).await,
        Ok(Ok(_))
    ) {
        let _ = browser.kill().await;
        let _ = browser.wait().await;
    }
    instance.gone.cancel();
    instance.events.abort();
}

/// Whether process `pid` still runs (a zombie has ended).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

/// Chromium refuses its sandbox to root; anyone else keeps it.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// A run's page, in its own browser context, holding one of the slots.
/// `close` ends it; dropped without it (a cancelled or failed run), its
/// context is disposed in the background.
pub struct Session {
    browsers: Arc<Browsers>,
    instance: Arc<Instance>,
    context: Option<BrowserContextId>,
    pub page: Page,
    _slot: OwnedSemaphorePermit,
}

impl Session {
    /// Whether the browser under this session died.
    pub fn crashed(&self) -> bool {
        self.instance.gone.is_cancelled() && !self.instance.closing.load(Ordering::SeqCst)
    }

    /// Fires when the browser goes (a crash, or the server stopping).
    pub fn gone(&self) -> CancellationToken {
        self.instance.gone.clone()
    }

    /// Another page in the session's context (closed with it).
    pub async fn new_page(&self) -> Result<Page, BrowserError> {
        let context = self
            .context
            .clone()
            .ok_or_else(|| BrowserError::Cdp("the session has ended".into()))?;
        let browser = self.instance.browser.read().await;
        let target = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context)
            .build()
            .map_err(BrowserError::Cdp)?;
        Ok(browser.new_page(target).await?)
    }

    /// A page was loaded: it counts towards the browser's restart.
    pub fn loaded(&self) {
        self.browsers.count_page(&self.instance);
    }

    /// Closes the page and disposes of the context, with everything the
    /// run's pages stored in it.
    pub async fn close(mut self) {
        if let Some(context) = self.context.take() {
            end(
                self.browsers.clone(),
                self.instance.clone(),
                context,
                self.page.clone(),
            )
            .await;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(context) = self.context.take() {
            let (browsers, instance, page) = (
                self.browsers.clone(),
                self.instance.clone(),
                self.page.clone(),
            );
            tokio::spawn(async move { end(browsers, instance, context, page).await });
        }
    }
}

async fn end(
    browsers: Arc<Browsers>,
    instance: Arc<Instance>,
    context: BrowserContextId,
    page: Page,
) {
    if !instance.gone.is_cancelled() {
        let _ = tokio::time::timeout(Duration::from_secs(5), page.close()).await;
        let browser = instance.browser.read().await;
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            browser.dispose_browser_context(context),
        )
        .await;
    }
    let left = instance.sessions.fetch_sub(1, Ordering::SeqCst) - 1;
    if left > 0 || instance.gone.is_cancelled() {
        return;
    }
    if instance.closing.load(Ordering::SeqCst) {
        close(&instance).await;
        return;
    }
    // Idle: closed unless a run takes it meanwhile (in the background, so
    // that the run ending here does not wait for it).
    let idle = instance.idle_since.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(browsers.config.idle) => {}
            // Shutting down closes it anyway.
            _ = browsers.shutdown.cancelled() => return,
        }
        if instance.sessions.load(Ordering::SeqCst) > 0
            || instance.idle_since.load(Ordering::SeqCst) != idle
        {
            return;
        }
        let mut pool = browsers.pool.lock().await;
        let current = pool
            .current
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(c, &instance));
        if current && instance.sessions.load(Ordering::SeqCst) == 0 {
            pool.current = None;
            drop(pool);
            close(&instance).await;
        }
    });
}

/// Live processes whose command line names `root`: the browsers of one
/// server (a zombie has no command line left; see `zombie_children`).
pub fn processes_under(root: &Path) -> Vec<u32> {
    let needle = root.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            text.contains(&needle).then_some(pid)
        })
        .collect()
}

/// Children of this process that exited and were never waited for.
pub fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // After the name in parentheses: the state, then the parent's pid.
            let mut rest = stat
                .rsplit_once(')')
                .map_or("", |(_, r)| r)
                .split_whitespace();
            let state = rest.next();
            let parent = rest.next().and_then(|p| p.parse::<u32>().ok());
            state == Some("Z") && parent == Some(me)
        })
        .collect()
}
