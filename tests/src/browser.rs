//! Debian's Chromium, driven over the DevTools protocol, for tests of what
//! the server serves to browsers. Never downloaded: `$CHROME_BIN`, else
//! `/usr/bin/chromium`; a test that needs it fails saying how to install it.

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::network::EventRequestWillBeSent;
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Where Chromium is, or a panic that says how to get it.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROME_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "this test drives a real Chromium and none is at {}: install Debian's \
         (`apt-get install -y chromium`) or set CHROME_BIN",
        path.display()
    );
    path
}

/// One headless browser with a profile of its own; killed when dropped, so
/// a failing test leaves no Chromium behind.
pub struct Session {
    browser: Browser,
    events: JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Session {
    pub async fn start() -> Session {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut config = BrowserConfig::builder()
            .chrome_executable(chromium())
            .user_data_dir(profile.path())
            .new_headless_mode()
            // No traffic of Chromium's own (updates, safe browsing, QUIC
            // probes): only what the page asks for.
            .arg("disable-background-networking")
            .arg("disable-component-update")
            .arg("disable-domain-reliability")
            .arg("disable-quic")
            .arg("no-pings")
            .arg("force-webrtc-ip-handling-policy=disable_non_proxied_udp")
            .launch_timeout(Duration::from_secs(30));
        if scraper_server::interact::browser::is_root() {
            config = config.no_sandbox();
        }
        let (browser, mut handler) = Browser::launch(config.build().expect("browser config"))
            .await
            .expect("Chromium starts");
        let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Session {
            browser,
            events,
            _profile: profile,
        }
    }

    /// A new tab on `url`, recording every request it makes from the start
    /// (it opens on about:blank so that the listener is there first).
    pub async fn open(&self, url: &str) -> Tab {
        let page = self.browser.new_page("about:blank").await.expect("new tab");
        let mut requests = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .expect("request listener");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let recorder = tokio::spawn(async move {
            while let Some(event) = requests.next().await {
                record.lock().unwrap().push(event.request.url.clone());
            }
        });
        page.goto(url).await.expect("navigation");
        Tab {
            page,
            seen,
            _recorder: recorder,
        }
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.events.abort();
    }
}

pub struct Tab {
    page: Page,
    seen: Arc<Mutex<Vec<String>>>,
    _recorder: JoinHandle<()>,
}

impl Tab {
    pub async fn eval<T: DeserializeOwned>(&self, script: &str) -> T {
        self.page
            .evaluate(script)
            .await
            .unwrap_or_else(|e| panic!("`{script}` failed: {e}"))
            .into_value()
            .unwrap_or_else(|e| panic!("`{script}` gave an unexpected value: {e}"))
    }

    /// Evaluates `script` until `done` holds for its value (the page renders
    /// after it loads), or panics with the last value after `within`.
    pub async fn poll<T: DeserializeOwned + std::fmt::Debug>(
        &self,
        script: &str,
        within: Duration,
        done: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let value: T = self.eval(script).await;
            if done(&value) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{script}` still {value:?} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every URL the tab has requested so far.
    pub async fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}
