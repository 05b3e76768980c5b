//! `--demo`: the shop the server serves itself, and the flows seeded
//! against it, run for real on loopback.

use reqwest::Method;
use scraper_common::{FlowFilter, RunFilter, RunStatus};
use scraper_server::Config;
use scraper_server::demo::{self, shop};
use scraper_tests::{TestApp, loopback_config, spawn_app_with};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn demo_app() -> TestApp {
    spawn_app_with(Config {
        demo: true,
        ..loopback_config()
    })
    .await
}

async fn runs_by_flow(app: &TestApp) -> BTreeMap<String, scraper_common::RunDetail> {
    let runs = app.client.list_runs(&RunFilter::default()).await.unwrap();
    let mut done = BTreeMap::new();
    for run in runs.data {
        let detail = app.wait_finished(&run.id, WAIT).await;
        done.insert(run.flow_name.clone(), detail);
    }
    done
}

async fn items(app: &TestApp, run_id: &str) -> Vec<Value> {
    let (status, body) = app
        .send(app.raw(Method::GET, &format!("/runs/{run_id}/items")))
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_shop_serves_listings_products_and_404s() {
    let app = demo_app().await;
    let get = |path: &str| reqwest::get(format!("http://{}{path}", app.addr));
    let listing = get("/demo/").await.unwrap();
    assert_eq!(listing.status(), 200);
    assert!(
        listing
            .text()
            .await
            .unwrap()
            .contains("href=\"/demo/page/2\"")
    );
    let product = get("/demo/product/24").await.unwrap().text().await.unwrap();
    assert!(product.contains("DEMO-024"), "{product}");
    for missing in ["/demo/product/25", "/demo/page/0", "/demo/nope"] {
        assert_eq!(get(missing).await.unwrap().status(), 404, "{missing}");
    }
    // The API is still there, with its own errors.
    let api = get("/api/flows").await.unwrap();
    assert_eq!(api.status(), 401);
}

#[tokio::test]
async fn without_demo_there_is_no_shop() {
    let app = spawn_app_with(loopback_config()).await;
    let status = reqwest::get(format!("http://{}/demo/", app.addr))
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn seeded_flows_run_and_find_the_whole_catalogue() {
    let app = demo_app().await;
    let base = demo::base_url(app.addr);
    demo::seed(&app.state, &base).await.unwrap();

    let flows = app.client.list_flows(&FlowFilter::default()).await.unwrap();
    assert_eq!(flows.total, 5);
    let done = runs_by_flow(&app).await;
    assert_eq!(done.len(), 5, "one run per seeded flow");

    // The interact flow searches in a real browser and loads more results:
    // every lamp of the catalogue, which a fetch of the page never shows.
    let search = &done["Demo: browser search"];
    assert_eq!(search.run.status, RunStatus::Completed, "{:?}", search.logs);
    let lamps = items(&app, &search.run.id).await;
    let expected = (1..=shop::PRODUCTS)
        .filter_map(shop::product)
        .filter(|p| p.name.contains("Lamp"))
        .count();
    assert!(expected > 4, "more than the first batch of results");
    assert_eq!(lamps.len(), expected, "{:?}", search.logs);
    assert!(
        lamps
            .iter()
            .all(|l| l["name"].as_str().unwrap().ends_with("Desk Lamp"))
    );

    let catalogue = &done["Demo: shop catalogue"];
    assert_eq!(
        catalogue.run.status,
        RunStatus::Completed,
        "{:?}",
        catalogue.logs
    );
    let mut skus: Vec<String> = items(&app, &catalogue.run.id)
        .await
        .iter()
        .map(|item| item["sku"].as_str().unwrap_or_default().to_string())
        .collect();
    skus.sort();
    let expected: Vec<String> = (1..=shop::PRODUCTS)
        .map(|n| shop::product(n).unwrap().sku)
        .collect();
    assert_eq!(skus, expected);

    let prices = &done["Demo: price list"];
    assert_eq!(prices.run.status, RunStatus::Completed, "{:?}", prices.logs);
    assert_eq!(prices.run.pages_fetched as usize, shop::PAGES);
    let cards = items(&app, &prices.run.id).await;
    assert_eq!(cards.len(), shop::PRODUCTS);
    let first = shop::product(1).unwrap();
    assert_eq!(cards[0]["name"], first.name.as_str());
    assert_eq!(
        cards[0]["price"].as_f64(),
        Some(f64::from(first.price_cents) / 100.0)
    );
    assert!(
        cards[0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/demo/product/1")
    );

    // The monitor reads this minute's prices (the last product shows in
    // even minutes only) and fires every minute from now on.
    let watch = &done["Demo: price watch"];
    assert_eq!(watch.run.status, RunStatus::Completed, "{:?}", watch.logs);
    let rows = items(&app, &watch.run.id).await;
    assert!((7..=8).contains(&rows.len()), "{rows:?}");
    let changes = watch.run.changes.as_ref().expect("a monitor's run");
    assert!(
        changes.counts.baseline,
        "the first run is what later ones are compared with"
    );
    assert!(
        rows.iter()
            .all(|r| r["price"].as_f64().is_some_and(|p| p > 0.0))
    );
    let monitor = flows
        .data
        .iter()
        .find(|f| f.name == "Demo: price watch")
        .unwrap();
    assert_eq!(monitor.schedule.as_deref(), Some("every 1m"));
    assert!(monitor.next_run_at.is_some());

    let broken = &done["Demo: broken layout"];
    assert_eq!(broken.run.status, RunStatus::Failed);
    assert_eq!(
        broken
            .run
            .failure_reason
            .map(scraper_common::FailureReason::as_str),
        Some("empty_extraction")
    );
}

#[tokio::test]
async fn seeding_again_moves_the_flows_to_the_new_address_and_keeps_edits() {
    let app = demo_app().await;
    demo::seed(&app.state, "http://127.0.0.1:1").await.unwrap();
    let flows = app.client.list_flows(&FlowFilter::default()).await.unwrap();
    let price_list = flows
        .data
        .iter()
        .find(|f| f.name == "Demo: price list")
        .unwrap();
    let patch = serde_json::json!({"description": "mine now"});
    app.client
        .update_flow(&price_list.id, &patch)
        .await
        .unwrap();
    let runs_before = app
        .client
        .list_runs(&RunFilter::default())
        .await
        .unwrap()
        .total;

    let base = demo::base_url(app.addr);
    demo::seed(&app.state, &base).await.unwrap();
    let flows = app.client.list_flows(&FlowFilter::default()).await.unwrap();
    assert_eq!(flows.total, 5, "no duplicates");
    for flow in &flows.data {
        assert!(
            flow.url.starts_with(&format!("{base}/demo/")),
            "{}",
            flow.name
        );
    }
    let moved = app.client.get_flow(&price_list.id).await.unwrap();
    assert_eq!(moved.description.as_deref(), Some("mine now"));
    let runs_after = app
        .client
        .list_runs(&RunFilter::default())
        .await
        .unwrap()
        .total;
    assert_eq!(runs_before, runs_after, "known flows get no new run");
}

#[test]
fn a_demo_server_allows_its_own_address_and_no_more() {
    let addr = "127.0.0.1:4000".parse().unwrap();
    let policy = demo::allow_shop(Default::default(), addr);
    assert_eq!(policy.to_string(), "127.0.0.1/32");
    let wider = demo::allow_shop("10.0.0.0/8".parse().unwrap(), addr);
    assert_eq!(wider.to_string(), "10.0.0.0/8,127.0.0.1/32");
    let covered = demo::allow_shop("127.0.0.0/8".parse().unwrap(), addr);
    assert_eq!(covered.to_string(), "127.0.0.0/8");
    assert_eq!(
        demo::base_url("0.0.0.0:4000".parse().unwrap()),
        "http://127.0.0.1:4000"
    );
    assert_eq!(
        demo::base_url("[::]:4000".parse().unwrap()),
        "http://[::1]:4000"
    );
}
