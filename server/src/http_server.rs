//! The HTTP server around the routes: what every request gets whatever its
//! route. Each answer carries an `x-request-id` (the caller's, when it sent
//! a sensible one; `request_id()` tells it to the code the request runs, so
//! a 500 and its log line can name it), and one access log line per request
//! tells method, route, status, duration, key id (never the key) and the id.

use crate::prometheus::{Metrics, route};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use rand::Rng;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::net::TcpListener;
use tower_service::Service;
use warp::Filter;
use warp::http::{HeaderValue, Request};

/// What one request learns on its way through the routes.
struct RequestCtx {
    id: String,
    key_id: OnceLock<String>,
}

tokio::task_local! {
    static REQUEST: Arc<RequestCtx>;
}

/// The id of the request being answered, if any.
pub(crate) fn request_id() -> Option<String> {
    REQUEST.try_with(|ctx| ctx.id.clone()).ok()
}

/// Records which key made the request, for its access log line.
pub(crate) fn note_key(id: &str) {
    let _ = REQUEST.try_with(|ctx| ctx.key_id.set(id.to_string()));
}

/// Serves `filter` on `listener` until `shutdown`, then lets open
/// connections finish.
pub(crate) async fn run<F>(
    filter: F,
    listener: TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::debug!(error = %e, "accepting a connection");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let routes = warp::service(filter.clone());
        let metrics = metrics.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            answer(routes.clone(), metrics.clone(), request)
        });
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let builder = Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

async fn answer<S>(
    mut routes: S,
    metrics: Arc<Metrics>,
    request: Request<Incoming>,
) -> Result<warp::reply::Response, Infallible>
where
    S: Service<Request<Incoming>, Response = warp::reply::Response, Error = Infallible>,
{
    let started = Instant::now();
    let id = chosen_id(request.headers().get("x-request-id"));
    let method = request.method().clone();
    let route = route(request.uri().path());
    let ctx = Arc::new(RequestCtx {
        id: id.clone(),
        key_id: OnceLock::new(),
    });
    let Ok(mut response) = REQUEST.scope(ctx.clone(), routes.call(request)).await;
    let status = response.status();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let elapsed = started.elapsed();
    metrics.http(route, status.as_u16(), elapsed);
    tracing::info!(
        target: "scraper::access",
        %method,
        route,
        status = status.as_u16(),
        ms = format!("{:.1}", elapsed.as_secs_f64() * 1000.0),
        key = ctx.key_id.get().map_or("-", String::as_str),
        request_id = %id,
        "request"
    );
    Ok(response)
}

/// The caller's id when it is short and plain; else a new one.
fn chosen_id(given: Option<&HeaderValue>) -> String {
    let plain = |s: &str| {
        (1..=128).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    match given.and_then(|v| v.to_str().ok()) {
        Some(id) if plain(id) => id.to_string(),
        _ => format!("req-{:016x}", rand::rng().random::<u64>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_id_is_kept_and_anything_else_replaced() {
        let given = HeaderValue::from_static("trace-42.a_b");
        assert_eq!(chosen_id(Some(&given)), "trace-42.a_b");
        let odd = HeaderValue::from_static("has spaces");
        assert!(chosen_id(Some(&odd)).starts_with("req-"));
        assert!(chosen_id(None).starts_with("req-"));
        assert_ne!(chosen_id(None), chosen_id(None));
    }
}
