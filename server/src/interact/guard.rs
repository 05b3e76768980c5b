//! What a run's page may ask for. Every request it makes stops here first
//! (the DevTools `Fetch` domain): http(s) URLs are judged by the URL policy
//! (literal addresses and localhost names; the proxy judges what names
//! resolve to), `data:` and `blob:` only for what is not a navigation, and
//! every other scheme (`file:`, `chrome:`...) never. What is refused is
//! counted and its first URLs kept, for the run's log; so are requests the
//! proxy refused.

use crate::net::UrlPolicy;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
};
use chromiumoxide::cdp::browser_protocol::network::{
    ErrorReason, EventLoadingFailed, ResourceType,
};
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// How many refused URLs a run's log names (the rest are counted).
const KEPT: usize = 5;
/// Requests remembered by id, to name one the proxy refused.
const REMEMBERED: usize = 4096;

/// Requests refused so far, and the first few of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refused {
    pub count: u64,
    /// `url: why`, the first ones.
    pub first: Vec<String>,
}

impl Refused {
    fn add(&mut self, url: &str, why: &str) {
        self.count += 1;
        if self.first.len() < KEPT {
            let short: String = url.chars().take(200).collect();
            self.first.push(format!("{short} ({why})"));
        }
    }
}

/// Watches one page until dropped.
pub struct Guard {
    refused: Arc<Mutex<Refused>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Guard {
    /// Starts judging `page`'s requests; call it before the page goes
    /// anywhere.
    pub async fn attach(
        page: &Page,
        policy: Arc<UrlPolicy>,
    ) -> Result<Guard, chromiumoxide::error::CdpError> {
        let mut paused = page.event_listener::<EventRequestPaused>().await?;
        let mut failed = page.event_listener::<EventLoadingFailed>().await?;
        page.execute(
            EnableParams::builder()
                .pattern(RequestPattern::builder().url_pattern("*").build())
                .build(),
        )
        .await?;
        let refused = Arc::new(Mutex::new(Refused::default()));
        // Network ids -> URLs of recent requests, to name a failed one.
        let urls = Arc::new(Mutex::new(HashMap::<String, String>::new()));

        let judge = {
            let (page, refused, urls) = (page.clone(), refused.clone(), urls.clone());
            tokio::spawn(async move {
                while let Some(event) = paused.next().await {
                    let url = &event.request.url;
                    if let Some(id) = &event.network_id {
                        let mut urls = urls.lock().expect("lock");
                        if urls.len() >= REMEMBERED {
                            urls.clear();
                        }
                        urls.insert(id.inner().clone(), url.clone());
                    }
                    let verdict = judge(&policy, url, &event.resource_type);
                    let page = page.clone();
                    let id = event.request_id.clone();
                    match verdict {
                        Ok(()) => {
                            tokio::spawn(async move {
                                let _ = page.execute(ContinueRequestParams::new(id)).await;
                            });
                        }
                        Err(why) => {
                            tracing::debug!(%url, %why, "browser request refused");
                            refused.lock().expect("lock").add(url, &why);
                            tokio::spawn(async move {
                                let _ = page
                                    .execute(FailRequestParams::new(
                                        id,
                                        ErrorReason::BlockedByClient,
                                    ))
                                    .await;
                            });
                        }
                    }
                }
            })
        };
        // The proxy's refusals: a tunnel it would not open.
        let watch = {
            let refused = refused.clone();
            tokio::spawn(async move {
                while let Some(event) = failed.next().await {
                    if event.error_text.contains("ERR_TUNNEL_CONNECTION_FAILED") {
                        let url = urls
                            .lock()
                            .expect("lock")
                            .get(event.request_id.inner())
                            .cloned()
                            .unwrap_or_else(|| "a request".to_string());
                        refused
                            .lock()
                            .expect("lock")
                            .add(&url, "its address is refused by the URL policy");
                    }
                }
            })
        };
        Ok(Guard {
            refused,
            tasks: vec![judge, watch],
        })
    }

    pub fn refused(&self) -> Refused {
        self.refused.lock().expect("lock").clone()
    }
}

/// Whether a page may make this request; `Err` says why not.
fn judge(policy: &UrlPolicy, url: &str, kind: &ResourceType) -> Result<(), String> {
    let scheme = url
        .split_once(':')
        .map_or("", |(s, _)| s)
        .to_ascii_lowercase();
    match scheme.as_str() {
        "http" | "https" => policy.check_url(url).map(drop).map_err(|e| e.to_string()),
        "about" => Ok(()),
        "data" | "blob" if *kind != ResourceType::Document => Ok(()),
        "data" | "blob" => Err(format!("a page may not navigate to a {scheme}: URL")),
        other => Err(format!("`{other}:` URLs are never opened")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_addresses() {
        let refuse = UrlPolicy::default();
        let allow: UrlPolicy = UrlPolicy::new("127.0.0.1/32".parse().unwrap());
        let doc = ResourceType::Document;
        let img = ResourceType::Image;
        assert!(judge(&refuse, "https://example.com/", &doc).is_ok());
        assert!(judge(&refuse, "http://127.0.0.1:8080/", &doc).is_err());
        assert!(judge(&allow, "http://127.0.0.1:8080/", &doc).is_ok());
        assert!(judge(&allow, "http://127.0.0.2:8080/x.png", &img).is_err());
        assert!(judge(&refuse, "http://localhost/", &img).is_err());
        assert!(judge(&refuse, "data:image/png;base64,AAAA", &img).is_ok());
        assert!(judge(&refuse, "data:text/html,<b>hi</b>", &doc).is_err());
        assert!(judge(&refuse, "file:///etc/passwd", &doc).is_err());
        assert!(judge(&refuse, "chrome://settings", &doc).is_err());
        assert!(judge(&refuse, "about:blank", &doc).is_ok());
    }
}
