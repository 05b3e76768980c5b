//! scraper-server: the REST API of Scraper over SQLite.
//!
//! `launch` starts a server (store, key, listener, state, serve) and is what
//! the binary, the dashboard's local mode and the tests call, so they run the
//! very same server (tests on port 0).

pub mod api;
pub mod bench_shop;
pub mod crawl;
pub mod demo;
pub mod engine;
pub mod extract;
pub mod fetch;
mod http_server;
pub mod interact;
pub mod keys;
mod launch;
pub mod monitor;
pub mod net;
pub mod prometheus;
pub mod store;
pub mod telemetry;
pub mod validate;

pub use launch::{AdminKey, LaunchError, LaunchOptions, Running, launch};

use engine::{Engine, EngineConfig};
use fetch::FetchOptions;
use net::{ClientOptions, PrivateNetworks, UrlPolicy};
use std::future::Future;
use std::sync::Arc;
use store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use warp::Filter;

/// How the server behaves, beyond where it listens and what database it uses.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Which non-public networks may be fetched (none by default).
    pub private_networks: PrivateNetworks,
    pub fetch: FetchOptions,
    pub engine: EngineConfig,
    /// Serve the demo shop under `/demo/` (see `demo`).
    pub demo: bool,
    /// Browser origins allowed to call the API (see `api::cors`); none by default.
    pub cors_origins: Vec<String>,
    /// Serve `/metrics` on its own address instead of beside the API.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Requests a second per key (see `api::rate_limit`); none by default.
    pub rate_limit: Option<api::rate_limit::RateLimit>,
    /// The browser of interact runs and `render: true` pages.
    pub browser: interact::BrowserConfig,
}

/// What every request handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub policy: Arc<UrlPolicy>,
    /// Carries the URL policy itself (resolver, connect guard, redirects).
    pub http: reqwest::Client,
    pub fetch: FetchOptions,
    pub engine: Engine,
    pub demo: bool,
    pub cors_origins: Vec<String>,
    pub metrics: Arc<prometheus::Metrics>,
    pub limiter: Option<Arc<api::rate_limit::Limiter>>,
    /// Encoded flow lists, served again while nothing they show changed.
    pub flow_lists: Arc<api::list_cache::ListCache>,
    /// Keys recently checked against the store.
    pub verified_keys: Arc<keys::VerifiedKeys>,
    /// The browser interact runs share.
    pub browsers: Arc<interact::Browsers>,
    /// Fires when the server begins to shut down: workers stop, log streams end.
    pub shutdown: CancellationToken,
}

/// What can keep the server's state from being built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("building the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("making the browsers' folder: {0}")]
    Browsers(#[from] std::io::Error),
}

impl AppState {
    pub fn new(store: Store, config: &Config) -> Result<AppState, StateError> {
        let policy = Arc::new(UrlPolicy::new(config.private_networks.clone()));
        let options = ClientOptions {
            timeout: config.fetch.timeout,
            ..ClientOptions::default()
        };
        let http = net::build_client(policy.clone(), &options)?;
        let webhook_http = net::build_client(
            policy.clone(),
            &ClientOptions {
                timeout: config.engine.webhooks.timeout,
                max_redirects: None,
                ..ClientOptions::default()
            },
        )?;
        let shutdown = CancellationToken::new();
        let metrics = Arc::new(prometheus::Metrics::default());
        let browsers = Arc::new(interact::Browsers::new(
            config.browser.clone(),
            policy.clone(),
        )?);
        let ctx = engine::Ctx {
            browsers: browsers.clone(),
            metrics: metrics.clone(),
            store: store.clone(),
            http: http.clone(),
            webhook_http,
            policy: policy.clone(),
            fetch: config.fetch.clone(),
            prices: config.engine.prices,
            log_cap: config.engine.log_cap,
        };
        let engine = Engine::new(ctx, config.engine.clone(), shutdown.clone());
        Ok(AppState {
            store,
            policy,
            http,
            fetch: config.fetch.clone(),
            engine,
            demo: config.demo,
            cors_origins: config.cors_origins.clone(),
            metrics,
            limiter: config
                .rate_limit
                .map(|limit| Arc::new(api::rate_limit::Limiter::new(limit))),
            flow_lists: Arc::default(),
            verified_keys: Arc::default(),
            browsers,
            shutdown,
        })
    }
}

/// Serves the API (and `/metrics`, on `metrics_listener` when given) and
/// runs the engine's workers on `listener` until `shutdown` resolves; then
/// workers stop (failing the runs they held as `worker_lost`), log streams
/// end, and open requests finish.
pub(crate) async fn serve(
    state: AppState,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let api = if state.demo {
        demo::routes().or(api::routes(&state)).unify().boxed()
    } else {
        api::routes(&state)
    };
    let metrics = api::metrics_route(&state);
    let routes = match metrics_listener {
        Some(_) => api,
        None => metrics.clone().or(api).unify().boxed(),
    };
    let mut workers = state.engine.start();
    let token = state.shutdown.clone();
    if let Some(listener) = metrics_listener {
        let token = token.clone();
        tokio::spawn(
            warp::serve(metrics)
                .incoming(listener)
                .graceful(async move { token.cancelled().await })
                .run(),
        );
    }
    let signal = async move {
        tokio::select! {
            _ = shutdown => token.cancel(),
            _ = token.cancelled() => {}
        }
    };
    http_server::run(routes, listener, state.metrics.clone(), signal).await;
    state.shutdown.cancel();
    while workers.join_next().await.is_some() {}
    // After the workers: their runs have ended and let go of their pages.
    state.browsers.shutdown().await;
}
