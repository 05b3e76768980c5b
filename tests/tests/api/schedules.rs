//! Schedules: flows that run on their own (`every 1s` here: the tests' servers
//! allow it with `min_schedule_interval` 1 s), pause, resume, skip a tick
//! while busy, and fire each tick once across restarts and processes.

use reqwest::Method;
use scraper_common::{Flow, FlowInput, FlowStatus, Run, RunFilter, RunStatus, Trigger};
use scraper_server::Config;
use scraper_server::engine::EngineConfig;
use scraper_tests::site::{Reply, TestSite, cards};
use scraper_tests::{TestApp, assert_error, loopback_config, spawn_app, spawn_app_with};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// Generous: under load runs take longer, and ticks that find one going
/// are skipped, so runs come more slowly than ticks.
const WAIT: Duration = Duration::from_secs(30);

async fn site() -> TestSite {
    TestSite::pages(vec![("/list", Reply::html(cards(&[("A", "$1")], None)))]).await
}

async fn scheduled(app: &TestApp, url: String, schedule: &str) -> Flow {
    let mut input = FlowInput::new("every second", url);
    input.status = Some(FlowStatus::Active);
    input.schedule = Some(schedule.into());
    app.client.create_flow(&input).await.unwrap()
}

async fn runs_of(app: &TestApp, flow: &str) -> Vec<Run> {
    app.client
        .list_runs(&RunFilter {
            flow_id: Some(flow.into()),
            limit: Some(1000),
            ..RunFilter::default()
        })
        .await
        .unwrap()
        .data
}

/// Polls until `flow` has at least `n` runs.
async fn wait_runs(app: &TestApp, flow: &str, n: usize, within: Duration) -> Vec<Run> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let runs = runs_of(app, flow).await;
        if runs.len() >= n {
            return runs;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} runs of {flow} after {within:?}, not {n}",
            runs.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The tick each scheduled run was queued for, from its first log line.
async fn ticks(app: &TestApp, runs: &[Run]) -> Vec<String> {
    let mut ticks = Vec::new();
    for run in runs.iter().filter(|r| r.trigger == Trigger::Schedule) {
        let detail = app.client.get_run(&run.id).await.unwrap();
        let first = &detail.logs[0].message;
        let tick = first
            .split("tick ")
            .nth(1)
            .unwrap_or_else(|| panic!("no tick in `{first}`"))
            .trim_end_matches(')');
        ticks.push(tick.to_string());
    }
    ticks
}

#[tokio::test]
async fn schedules_are_checked_when_saved() {
    let app = spawn_app().await;
    for (schedule, timezone, words) in [
        ("every 5x", None, vec!["schedule", "every 5x", "unit"]),
        ("61 * * * *", None, vec!["schedule", "61 * * * *", "cron"]),
        ("0 0 * * * *", None, vec!["schedule", "5-field"]),
        (
            "@daily",
            Some("Mars/Olympus"),
            vec!["timezone", "Mars/Olympus"],
        ),
    ] {
        let got = app
            .send(app.raw(Method::POST, "/flows").json(&json!({
                "name": "bad", "url": "https://example.com/", "schedule": schedule,
                "timezone": timezone,
            })))
            .await;
        assert_error(&got, 422, "validation_failed", &words);
    }
    // Below the server's --min-schedule-interval (60 s unless lowered).
    let strict = spawn_app_with(Config {
        engine: EngineConfig {
            workers: 0,
            ..EngineConfig::default()
        },
        ..Config::default()
    })
    .await;
    let got = strict
        .send(strict.raw(Method::POST, "/flows").json(&json!({
            "name": "eager", "url": "https://example.com/", "schedule": "every 30s",
        })))
        .await;
    assert_error(
        &got,
        422,
        "validation_failed",
        &["every 30s", "--min-schedule-interval", "1m"],
    );
    let (status, _) = strict
        .send(strict.raw(Method::POST, "/flows").json(&json!({
            "name": "hourly in Paris", "url": "https://example.com/",
            "schedule": "@hourly", "timezone": "Europe/Paris",
        })))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn an_active_flow_fires_on_its_own_and_pausing_stops_it() {
    let site = site().await;
    let app = spawn_app_with(loopback_config()).await;
    let flow = scheduled(&app, site.url("/list"), "every 1s").await;
    let next = flow
        .next_run_at
        .expect("an active scheduled flow shows its next run");
    assert!(next > flow.created_at, "{next} after {}", flow.created_at);

    let runs = wait_runs(&app, &flow.id, 2, WAIT).await;
    for run in &runs {
        assert_eq!(run.trigger, Trigger::Schedule);
    }
    let done = app
        .wait_finished(&runs[0].id, Duration::from_secs(10))
        .await;
    assert_eq!(done.run.status, RunStatus::Completed, "{:#?}", done.logs);
    // Ticks stay on the grid of the first: whole seconds apart, however long
    // each run took.
    let seen = app.client.get_flow(&flow.id).await.unwrap();
    let gap = (seen.next_run_at.unwrap() - next).num_milliseconds();
    assert!(gap > 0 && gap % 1000 == 0, "next ticks {gap} ms apart");
    assert!(seen.last_run_at.is_some());

    let paused = app
        .client
        .update_flow(&flow.id, &json!({"status": "paused"}))
        .await
        .unwrap();
    assert_eq!(paused.next_run_at, None, "a paused flow has no next run");
    // A tick already taken may still be finishing its run; then nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = runs_of(&app, &flow.id).await.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        runs_of(&app, &flow.id).await.len(),
        before,
        "paused flows do not fire"
    );

    let resumed = app
        .client
        .update_flow(&flow.id, &json!({"status": "active"}))
        .await
        .unwrap();
    let next = resumed.next_run_at.expect("resumed");
    assert!(
        next > resumed.updated_at,
        "from now, not from the missed ticks"
    );
    wait_runs(&app, &flow.id, before + 1, WAIT).await;

    // `null` removes the schedule; manual runs stay `api`.
    let unscheduled = app
        .client
        .update_flow(&flow.id, &json!({"schedule": null}))
        .await
        .unwrap();
    assert_eq!(
        (unscheduled.schedule, unscheduled.next_run_at),
        (None, None)
    );
    let manual = app.client.create_run(&flow.id).await.unwrap();
    assert_eq!(manual.trigger, Trigger::Api);
}

#[tokio::test]
async fn a_tick_that_finds_the_last_run_going_is_skipped_not_stacked() {
    let site = TestSite::slow_shop(3, Duration::from_millis(1500)).await;
    let app = spawn_app_with(loopback_config()).await;
    let mut input = FlowInput::new("slow", site.url("/p1"));
    input.status = Some(FlowStatus::Active);
    input.schedule = Some("every 1s".into());
    input.steps =
        serde_json::from_value(json!([{"type": "paginate", "nextSelector": "a.next"}])).unwrap();
    let flow = app.client.create_flow(&input).await.unwrap();
    let first = wait_runs(&app, &flow.id, 1, WAIT).await[0].clone();
    app.wait_running(&first.id).await;
    // Ticks come every second while the first run takes several.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let runs = runs_of(&app, &flow.id).await;
        let going = runs.iter().filter(|r| !r.status.is_finished()).count();
        assert!(going <= 1, "runs stacked: {runs:#?}");
        let logs = app.client.get_run(&first.id).await.unwrap().logs;
        if logs
            .iter()
            .any(|l| l.message.contains("skipped: this run is still running"))
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no skip logged: {logs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_servers_on_one_file_fire_each_tick_once() {
    let site = site().await;
    let app = spawn_app_with(loopback_config()).await;
    let other = app.second_node(loopback_config()).await;
    let flow = scheduled(&app, site.url("/list"), "every 1s").await;
    let runs = wait_runs(&app, &flow.id, 4, WAIT).await;
    let ticks = ticks(&app, &runs).await;
    let distinct: BTreeSet<&String> = ticks.iter().collect();
    assert_eq!(distinct.len(), ticks.len(), "a tick fired twice: {ticks:?}");
    drop(other);
}

#[tokio::test]
async fn a_restart_neither_loses_nor_doubles_a_tick() {
    let site = site().await;
    let mut app = spawn_app_with(loopback_config()).await;
    let flow = scheduled(&app, site.url("/list"), "every 1s").await;
    wait_runs(&app, &flow.id, 2, WAIT).await;
    app.stop().await;
    let pending = app
        .store
        .flow(&flow.id)
        .await
        .unwrap()
        .unwrap()
        .next_run_at
        .expect("a next tick is stored");
    let before = runs_of_store(&app, &flow.id).await.len();
    // Down for several ticks.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    app.start_again(loopback_config()).await;
    let restarted = scraper_common::time::format(&chrono::Utc::now());
    let runs = wait_runs(&app, &flow.id, before + 2, WAIT).await;
    let all = ticks(&app, &runs).await;
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a tick fired twice: {all:?}");
    let pending = scraper_common::time::format(&pending);
    assert!(
        all.contains(&pending),
        "the pending tick {pending} was lost: {all:?}"
    );
    // One catch-up for the missed ticks: none between it and the restart.
    let missed: Vec<&String> = all
        .iter()
        .filter(|t| **t > pending && **t < restarted)
        .collect();
    assert!(
        missed.is_empty(),
        "missed ticks fired in a burst: {missed:?}"
    );
}

/// The runs of `flow` read from the database (the server is stopped).
async fn runs_of_store(app: &TestApp, flow: &str) -> Vec<Run> {
    app.store
        .runs(&scraper_server::store::RunQuery {
            flow_id: Some(flow.into()),
            status: None,
            limit: 1000,
            offset: 0,
        })
        .await
        .unwrap()
        .0
}

/// A failed run puts a flow in `error`; its schedule goes on (a broken
/// monitor must not stop in silence), and a run that completes again makes
/// it `active`.
#[tokio::test]
async fn a_flow_in_error_keeps_its_schedule() {
    let site = TestSite::pages(vec![("/list", Reply::status(500))]).await;
    let app = spawn_app_with(loopback_config()).await;
    let flow = scheduled(&app, site.url("/list"), "every 1s").await;
    let runs = wait_runs(&app, &flow.id, 3, WAIT).await;
    let failed = app.wait_finished(&runs[runs.len() - 1].id, WAIT).await;
    assert_eq!(failed.run.status, RunStatus::Failed);
    let now = app.client.get_flow(&flow.id).await.unwrap();
    assert_eq!(now.status, FlowStatus::Error);
    assert!(now.next_run_at.is_some(), "{now:?}");
    let before = runs_of(&app, &flow.id).await.len();
    wait_runs(&app, &flow.id, before + 1, WAIT).await;
}
