//! The HTTP server around the routes: what every request gets whatever its
//! route. Each answer carries an `x-request-id` (the caller's, when it sent
//! a sensible one), a 500 names it, and one access log line per request
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
use warp::http::{HeaderValue, Request, StatusCode};

/// What one request learns on its way through the routes.
struct RequestCtx {
    key_id: OnceLock<String>,
}

tokio::task_local! {
    static REQUEST: Arc<RequestCtx>;
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
    let id = request_id(request.headers().get("x-request-id"));
    let method = request.method().clone();
    let route = route(request.uri().path());
    let ctx = Arc::new(RequestCtx {
        key_id: OnceLock::new(),
    });
    let Ok(mut response) = REQUEST.scope(ctx.clone(), routes.call(request)).await;
    let status = response.status();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        // Every 500 of ours is the same `internal` envelope; this one names
        // the request, so a user can quote it and the log line be found.
        let body = serde_json::json!({"error": {
            "code": "internal",
            "message": format!("internal error (request id {id}); the server log has the details"),
        }});
        *response.body_mut() = body.to_string().into();
    }
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
fn request_id(given: Option<&HeaderValue>) -> String {
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
        assert_eq!(request_id(Some(&given)), "trace-42.a_b");
        let odd = HeaderValue::from_static("has spaces");
        assert!(request_id(Some(&odd)).starts_with("req-"));
        assert!(request_id(None).starts_with("req-"));
        assert_ne!(request_id(None), request_id(None));
    }
}
