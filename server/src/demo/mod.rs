//! `--demo`: a small shop served by the server itself under `/demo/`, and a
//! few flows against it, so every part of the product can be tried with no
//! network. The flows target the server's own loopback address, so a demo
//! server allows 127.0.0.1 as a fetch target (see `lib.rs`).

pub mod search;
pub mod shop;
pub mod watch;

use crate::AppState;
use crate::net::PrivateNetworks;
use crate::store::{self, SecretEdit};
use ipnet::IpNet;
use scraper_common::{FieldType, FlowInput, FlowStatus, OutputSchema, Step, StepType, Trigger};
use serde_json::{Map, Value, json};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};

/// `GET /demo/`, `/demo/page/N`, `/demo/product/N`, `/demo/watch` (prices
/// that move every minute) and `/demo/search` (a page only a browser can
/// read); anything else under
/// `/demo/` is a 404 page. Other paths are left to the API.
pub fn routes() -> BoxedFilter<(Response,)> {
    warp::path("demo")
        .and(warp::get())
        .and(warp::path::tail())
        .map(|tail: warp::path::Tail| page(tail.as_str()))
        .boxed()
}

fn page(tail: &str) -> Response {
    let segments: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let number = |s: &str| s.parse::<usize>().ok();
    let html = match segments.as_slice() {
        [] => shop::listing(1),
        ["page", n] => number(n).and_then(shop::listing),
        ["product", n] => number(n).and_then(shop::product_page),
        ["watch"] => Some(watch::page(watch::now_minute())),
        ["search"] => Some(search::page()),
        _ => None,
    };
    match html {
        Some(html) => warp::reply::html(html).into_response(),
        None => {
            warp::reply::with_status(warp::reply::html(shop::not_found()), StatusCode::NOT_FOUND)
                .into_response()
        }
    }
}

/// The demo flows, against the shop at `base` (`http://127.0.0.1:PORT`).
pub fn flows(base: &str) -> Vec<FlowInput> {
    let shop = format!("{}/demo/", base.trim_end_matches('/'));
    let schema = |fields: &[(&str, FieldType)]| -> OutputSchema {
        fields.iter().map(|(k, t)| (k.to_string(), *t)).collect()
    };
    vec![
        FlowInput {
            name: "Demo: shop catalogue".into(),
            description: Some(
                "Crawls the demo shop and reads every product page's structured data.".into(),
            ),
            url: shop.clone(),
            mode: scraper_common::FlowMode::Extract,
            status: Some(FlowStatus::Active),
            steps: vec![
                step(
                    StepType::Crawl,
                    "Follow shop links",
                    json!({"maxPages": 40, "include": ["/demo/"]}),
                ),
                step(
                    StepType::Extract,
                    "Read products",
                    json!({"pages": "/demo/product/"}),
                ),
            ],
            output_schema: Some(schema(&[
                ("name", FieldType::String),
                ("sku", FieldType::String),
                ("price", FieldType::Number),
            ])),
            schedule: None,
            timezone: None,
            monitor: None,
            webhook_url: None,
        },
        FlowInput {
            name: "Demo: price list".into(),
            description: Some("Pages through the shop's listing and reads each card.".into()),
            url: shop.clone(),
            mode: scraper_common::FlowMode::Extract,
            status: Some(FlowStatus::Active),
            steps: vec![
                step(StepType::Navigate, "Open the shop", json!({})),
                step(
                    StepType::Paginate,
                    "Next pages",
                    json!({"nextSelector": "a.next", "maxPages": 5}),
                ),
                step(
                    StepType::Extract,
                    "Read cards",
                    json!({"selector": ".product-card", "fields": {
                        "name": ".name", "price": ".price", "url": "a::attr(href)"}}),
                ),
            ],
            output_schema: Some(schema(&[
                ("name", FieldType::String),
                ("price", FieldType::Number),
                ("url", FieldType::Url),
            ])),
            schedule: None,
            timezone: None,
            monitor: None,
            webhook_url: None,
        },
        FlowInput {
            name: "Demo: price watch".into(),
            description: Some(
                "A monitor of a page whose prices and stock move every minute: each run is \
                 compared with the last one."
                    .into(),
            ),
            url: format!("{shop}watch"),
            mode: scraper_common::FlowMode::Monitor,
            status: Some(FlowStatus::Active),
            steps: vec![step(
                StepType::Extract,
                "Read prices",
                json!({"selector": ".product-card", "fields": {
                    "name": ".name", "price": ".price", "stock": ".stock", "url": "a::attr(href)"}}),
            )],
            output_schema: Some(schema(&[
                ("name", FieldType::String),
                ("price", FieldType::Number),
                ("stock", FieldType::String),
                ("url", FieldType::Url),
            ])),
            schedule: Some("every 1m".into()),
            timezone: None,
            monitor: None,
            webhook_url: None,
        },
        FlowInput {
            name: "Demo: browser search".into(),
            description: Some(
                "Drives a real headless Chromium: types a search, clicks \"Load more\" and \
                 reads the results, which a plain fetch of the page never sees."
                    .into(),
            ),
            url: format!("{shop}search"),
            mode: scraper_common::FlowMode::Interact,
            status: Some(FlowStatus::Active),
            steps: vec![
                step(
                    StepType::Type,
                    "Search for lamps",
                    json!({"selector": "#q", "text": "lamp", "submit": true}),
                ),
                step(
                    StepType::Wait,
                    "Results",
                    json!({"selector": ".product-card"}),
                ),
                step(
                    StepType::Click,
                    "Load more",
                    json!({"selector": "button.more", "optional": true, "timeoutMs": 2000}),
                ),
                step(StepType::Wait, "More results", json!({"ms": 500})),
                step(
                    StepType::Extract,
                    "Read results",
                    json!({"selector": ".product-card", "fields": {
                        "name": ".name", "price": ".price", "url": "a::attr(href)"}}),
                ),
            ],
            output_schema: Some(schema(&[
                ("name", FieldType::String),
                ("price", FieldType::Number),
                ("url", FieldType::Url),
            ])),
            schedule: None,
            timezone: None,
            monitor: None,
            webhook_url: None,
        },
        FlowInput {
            name: "Demo: broken layout".into(),
            description: Some(
                "Looks for cards the shop does not have: its runs fail with empty_extraction, \
                 as a run does when a site changes its layout."
                    .into(),
            ),
            url: shop,
            mode: scraper_common::FlowMode::Extract,
            status: Some(FlowStatus::Active),
            steps: vec![
                step(StepType::Navigate, "Open the shop", json!({})),
                step(
                    StepType::Extract,
                    "Read old cards",
                    json!({"selector": ".card-v1", "fields": {"name": ".title", "price": ".cost"}}),
                ),
            ],
            output_schema: Some(schema(&[
                ("name", FieldType::String),
                ("price", FieldType::Number),
            ])),
            schedule: None,
            timezone: None,
            monitor: None,
            webhook_url: None,
        },
    ]
}

/// Where a demo server's shop is, seen from the server itself: an unspecified
/// listen address (`0.0.0.0`) is reached on loopback.
pub fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if !ip.is_unspecified() => ip,
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// The fetch policy of a demo server: what was asked, plus the server's own
/// address (the shop), and nothing more.
pub fn allow_shop(networks: PrivateNetworks, addr: SocketAddr) -> PrivateNetworks {
    let own = base_url(addr)
        .parse::<url::Url>()
        .ok()
        .and_then(|url| url.socket_addrs(|| None).ok())
        .and_then(|addrs| addrs.first().map(|a| IpNet::from(a.ip())))
        .expect("a socket address makes a URL");
    match networks {
        PrivateNetworks::AllowAll => PrivateNetworks::AllowAll,
        PrivateNetworks::Refuse => PrivateNetworks::Allow(vec![own]),
        PrivateNetworks::Allow(mut list) => {
            if !list.iter().any(|net| net.contains(&own.addr())) {
                list.push(own);
            }
            PrivateNetworks::Allow(list)
        }
    }
}

fn is_demo_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        let loopback = match u.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            _ => false,
        };
        loopback && u.path().starts_with("/demo/")
    })
}

fn step(kind: StepType, label: &str, settings: Value) -> Step {
    let settings: Map<String, Value> = match settings {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Step {
        kind,
        label: Some(label.into()),
        settings,
    }
}

/// Makes sure the demo flows exist and point at `base`. A flow seen for the
/// first time also gets a run, so the dashboard has something to show. A
/// flow already there (from an earlier start, on another port) gets the new
/// address and keeps its runs and status.
pub async fn seed(state: &AppState, base: &str) -> store::Result<()> {
    let store = &state.store;
    for input in flows(base) {
        match store.flow_named(&input.name).await? {
            Some(flow) if flow.url == input.url || !is_demo_url(&flow.url) => {}
            Some(flow) => {
                // Only the address moves: edits made to the demo flow stay.
                let moved = FlowInput {
                    name: flow.name,
                    description: flow.description,
                    url: input.url,
                    mode: flow.mode,
                    status: None,
                    steps: flow.steps,
                    output_schema: flow.output_schema,
                    schedule: flow.schedule,
                    timezone: flow.timezone,
                    monitor: flow.monitor,
                    webhook_url: flow.webhook_url,
                };
                let seen = flow.updated_at.timestamp_millis();
                // A concurrent edit wins; the next start moves it.
                store
                    .replace_flow(
                        &flow.id,
                        &moved,
                        flow.status,
                        seen,
                        &SecretEdit::Keep,
                        false,
                    )
                    .await?;
            }
            None => {
                let flow = store.create_flow(&input, None).await?;
                store.create_run(&flow.id, Trigger::Api).await?;
                state.engine.wake();
            }
        }
    }
    Ok(())
}
