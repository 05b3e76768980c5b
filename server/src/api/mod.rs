//! The REST API: warp filters by resource, handlers that return
//! `Result<Response, ApiError>`, and one `recover` for every rejection.
//! No SQL here: handlers call the store.

mod auth;
mod body;
mod changes;
pub mod cors;
mod csv;
mod error;
mod export;
mod export_format;
mod extract;
mod flows;
mod keys;
pub mod list_cache;
mod merge_patch;
mod nodes;
mod openapi;
mod query;
pub mod rate_limit;
mod reply;
mod run_data;
mod runs;
mod screenshots;
mod webhooks;

pub use body::MAX_BODY_BYTES;
pub use error::ApiError;

use crate::AppState;
use error::respond;
use scraper_common::Scope;
use std::convert::Infallible;
use warp::Filter;
use warp::Reply;
use warp::filters::BoxedFilter;
use warp::reply::Response;

fn state(state: AppState) -> impl Filter<Extract = (AppState,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// `GET /metrics`, Prometheus' text format; no key, like the health of a
/// node (move it to a private address with `--metrics-listen`).
#[utoipa::path(get, path = "/metrics", tag = "server", operation_id = "metrics", security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)),
)]
pub fn metrics_route(app: &AppState) -> BoxedFilter<(Response,)> {
    warp::path!("metrics")
        .and(warp::get())
        .and(state(app.clone()))
        .then(|state: AppState| async move {
            state.metrics.browser(state.browsers.figures().await);
            respond(match state.metrics.render(&state.store).await {
                Ok(text) => Ok(warp::reply::with_header(
                    text,
                    "content-type",
                    "text/plain; version=0.0.4",
                )),
                Err(e) => Err(ApiError::from(e)),
            })
        })
        .boxed()
}

/// `GET /api/openapi.json` and `GET /docs` (Swagger UI, its files compiled
/// in): no key, so that a browser or a client generator can read them.
#[utoipa::path(get, path = "/api/openapi.json", tag = "server", operation_id = "openapi", security(()),
    responses((status = 200, description = "This document", content_type = "application/json", body = Object)),
)]
fn docs_routes() -> BoxedFilter<(Response,)> {
    let document = warp::path!("api" / "openapi.json")
        .and(warp::get())
        .map(|| warp::reply::json(openapi::document()).into_response());
    // `/docs` redirects to `/docs/` so that the page's relative asset links
    // resolve under it (warp's path matching does not tell the two apart).
    let docs = warp::path("docs")
        .and(warp::get())
        .and(warp::path::full())
        .and(warp::path::tail())
        .map(|full: warp::path::FullPath, tail: warp::path::Tail| {
            if full.as_str() == "/docs" {
                warp::redirect::see_other(warp::http::Uri::from_static("/docs/")).into_response()
            } else {
                openapi::swagger_file(tail.as_str())
            }
        });
    document.or(docs).unify().boxed()
}

/// Every route of the API, with errors already turned into JSON.
pub fn routes(app: &AppState) -> BoxedFilter<(Response,)> {
    let with = |scope: Scope| state(app.clone()).and(auth::require(app.clone(), scope));

    let flows_list = warp::path!("api" / "flows")
        .and(warp::get())
        .and(with(Scope::FlowsRead))
        .and(query::pairs())
        .then(flows::list);
    let flows_create = warp::path!("api" / "flows")
        .and(warp::post())
        .and(with(Scope::FlowsWrite))
        .and(body::json_object())
        .then(flows::create);
    let flows_get = warp::path!("api" / "flows" / String)
        .and(warp::get())
        .and(with(Scope::FlowsRead))
        .then(flows::get);
    let flows_update = warp::path!("api" / "flows" / String)
        .and(warp::put())
        .and(with(Scope::FlowsWrite))
        .and(body::json_object())
        .then(flows::update);
    let flows_delete = warp::path!("api" / "flows" / String)
        .and(warp::delete())
        .and(with(Scope::FlowsWrite))
        .then(flows::delete);

    let runs_list = warp::path!("api" / "runs")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(query::pairs())
        .then(runs::list);
    let runs_create = warp::path!("api" / "runs")
        .and(warp::post())
        .and(with(Scope::RunsWrite))
        .and(body::json_object())
        .then(runs::create);
    let runs_get = warp::path!("api" / "runs" / String)
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .then(runs::get);

    let extract = warp::path!("api" / "extract")
        .and(warp::post())
        .and(with(Scope::RunsWrite))
        .and(body::json_object())
        .then(extract::extract);

    let keys_list = warp::path!("api" / "keys")
        .and(warp::get())
        .and(with(Scope::KeysRead))
        .then(keys::list);
    let keys_create = warp::path!("api" / "keys")
        .and(warp::post())
        .and(with(Scope::KeysWrite))
        .and(body::json_object())
        .then(keys::create);
    let keys_revoke = warp::path!("api" / "keys" / String)
        .and(warp::delete())
        .and(with(Scope::KeysWrite))
        .then(keys::revoke);

    let flows_changes = warp::path!("api" / "flows" / String / "changes")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(query::pairs())
        .then(changes::of_flow);
    let flows_deliveries = warp::path!("api" / "flows" / String / "deliveries")
        .and(warp::get())
        .and(with(Scope::FlowsRead))
        .and(query::pairs())
        .then(webhooks::deliveries);
    let flows_rotate = warp::path!("api" / "flows" / String / "webhook" / "rotate")
        .and(warp::post())
        .and(with(Scope::FlowsWrite))
        .then(webhooks::rotate);
    let redeliver = warp::path!("api" / "deliveries" / String / "redeliver")
        .and(warp::post())
        .and(with(Scope::FlowsWrite))
        .then(webhooks::redeliver);
    let nodes = warp::path!("api" / "nodes")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .then(nodes::list);
    let monitors = flows_changes
        .or(flows_deliveries)
        .unify()
        .or(flows_rotate)
        .unify()
        .or(redeliver)
        .unify()
        .or(nodes)
        .unify()
        .boxed();

    let flows = flows_list
        .or(flows_create)
        .unify()
        .or(flows_get)
        .unify()
        .or(flows_update)
        .unify()
        .or(flows_delete)
        .unify()
        .boxed();
    let runs_cancel = warp::path!("api" / "runs" / String / "cancel")
        .and(warp::post())
        .and(with(Scope::RunsWrite))
        .then(runs::cancel);
    let runs_logs = warp::path!("api" / "runs" / String / "logs")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(query::pairs())
        .then(run_data::logs);
    let runs_stream = warp::path!("api" / "runs" / String / "logs" / "stream")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(warp::header::optional::<String>("last-event-id"))
        .and(query::pairs())
        .then(run_data::stream);
    let runs_items = warp::path!("api" / "runs" / String / "items")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(query::pairs())
        .then(export::items);
    let runs_screenshots = warp::path!("api" / "runs" / String / "screenshots")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .then(screenshots::list);
    let runs_screenshot = warp::path!("api" / "runs" / String / "screenshots" / u32)
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .then(screenshots::png);
    let runs_changes = warp::path!("api" / "runs" / String / "changes")
        .and(warp::get())
        .and(with(Scope::RunsRead))
        .and(query::pairs())
        .then(changes::of_run);
    let runs = runs_list
        .or(runs_create)
        .unify()
        .or(runs_get)
        .unify()
        .or(runs_cancel)
        .unify()
        .or(runs_logs)
        .unify()
        .or(runs_stream)
        .unify()
        .or(runs_items)
        .unify()
        .or(runs_changes)
        .unify()
        .or(runs_screenshots)
        .unify()
        .or(runs_screenshot)
        .unify()
        .boxed();
    let keys = keys_list
        .or(keys_create)
        .unify()
        .or(keys_revoke)
        .unify()
        .boxed();

    let api = flows
        .or(runs)
        .unify()
        .or(extract)
        .unify()
        .or(keys)
        .unify()
        .or(monitors)
        .unify()
        .map(respond)
        .or(docs_routes())
        .unify()
        .boxed();
    let api = match cors::layer(&app.cors_origins) {
        Some(cors) => api.with(cors).map(warp::Reply::into_response).boxed(),
        None => api,
    };
    api.recover(error::recover).unify().boxed()
}
