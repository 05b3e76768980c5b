//! scraper-server: the REST API of Scraper over SQLite.
//!
//! `serve` takes a bound listener and a shutdown signal, so the binary and the
//! tests start the very same server (tests on port 0).

pub mod api;
pub mod crawl;
pub mod keys;
pub mod store;

use scraper_common::Scope;
use std::future::Future;
use store::Store;
use tokio::net::TcpListener;

/// What every request handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
}

/// Serves the API on `listener` until `shutdown` resolves, then lets open
/// requests finish.
pub async fn serve(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let state = AppState { store };
    let routes = api::routes(&state);
    warp::serve(routes)
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
}

/// On the very first start (no key was ever made) makes an admin key with
/// every scope and returns it, to be shown once.
pub async fn bootstrap_admin_key(store: &Store) -> store::Result<Option<String>> {
    if store.has_keys().await? {
        return Ok(None);
    }
    let (key, _) = keys::issue(store, "admin", Scope::ALL).await?;
    Ok(Some(key))
}
