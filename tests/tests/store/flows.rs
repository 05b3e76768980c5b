use crate::backend::{backends, flow, queued_run};
use indexmap::IndexMap;
use scraper_common::{
    Condition, FieldType, Flow, FlowInput, FlowMode, FlowStatus, MonitorKey, MonitorSettings,
    NotifyOn, RunStatus, Step, StepType,
};
use scraper_server::store::{FlowQuery, SecretEdit};
use serde_json::{Map, json};

fn full_input() -> FlowInput {
    let mut settings = Map::new();
    settings.insert("maxPages".into(), json!(50));
    FlowInput {
        name: "Shop".into(),
        description: Some("all products".into()),
        url: "https://shop.example/".into(),
        mode: FlowMode::Monitor,
        status: Some(FlowStatus::Active),
        steps: vec![Step {
            kind: StepType::Crawl,
            label: Some("Follow links".into()),
            settings,
        }],
        output_schema: Some(IndexMap::from([
            ("title".to_string(), FieldType::String),
            ("price".to_string(), FieldType::Number),
        ])),
        schedule: Some("0 9 * * *".into()),
        timezone: Some("Europe/Paris".into()),
        monitor: Some(MonitorSettings {
            key: Some(MonitorKey(vec!["title".into()])),
            ignore: vec![r"\d+ people viewing".into()],
            notify_on: Some(NotifyOn(vec![Condition::DropPercent {
                field: "price".into(),
                percent: 10.0,
            }])),
            keep_runs: Some(5),
            ..MonitorSettings::default()
        }),
        webhook_url: Some("https://hooks.example/scraper".into()),
    }
}

#[tokio::test]
async fn a_created_flow_reads_back_whole() {
    for store in backends().await {
        let input = full_input();
        let created = store
            .create_flow(
                &input,
                Some("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0MTI="),
            )
            .await
            .unwrap();
        assert!(created.id.starts_with("flow-"), "{}", created.id);
        let read = store.flow(&created.id).await.unwrap().expect("stored");
        assert_eq!(read, created, "{}", store.backend);
        assert_eq!(read.name, "Shop");
        assert_eq!(read.description.as_deref(), Some("all products"));
        assert_eq!(read.mode, FlowMode::Monitor);
        assert_eq!(read.status, FlowStatus::Active);
        assert_eq!(read.steps, input.steps);
        assert_eq!(read.output_schema, input.output_schema);
        assert_eq!(read.total_runs, 0);
        assert_eq!(read.success_rate, 0.0);
        assert_eq!(read.last_run_at, None);
        assert_eq!(read.created_at, read.updated_at);
        assert_eq!(read.schedule.as_deref(), Some("0 9 * * *"));
        assert_eq!(read.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(read.monitor, input.monitor);
        assert_eq!(read.webhook_url, input.webhook_url);
        // The secret is never read back whole.
        assert_eq!(read.webhook_secret.as_deref(), Some("whsec_****MTI="));
        assert_eq!(read.webhook_disabled, None);
        // The next 09:00 in Paris, within a day of now.
        let next = read.next_run_at.expect("active and scheduled");
        assert!(next > read.created_at && next - read.created_at <= chrono::TimeDelta::days(1));
        assert_eq!(
            next.with_timezone(&chrono_tz::Europe::Paris)
                .format("%H:%M")
                .to_string(),
            "09:00"
        );

        assert_eq!(store.flow("flow-0").await.unwrap(), None);
    }
}

#[tokio::test]
async fn flows_default_to_draft_and_get_distinct_ids() {
    for store in backends().await {
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(flow(&store, &format!("f{i}")).await.id);
        }
        let first = store.flow(&ids[0]).await.unwrap().unwrap();
        assert_eq!(first.status, FlowStatus::Draft);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 20, "{}", store.backend);
    }
}

#[tokio::test]
async fn flow_named_is_the_oldest_of_that_name() {
    for store in backends().await {
        let older = flow(&store, "same").await;
        flow(&store, "same").await;
        flow(&store, "other").await;
        let found = store.flow_named("same").await.unwrap().expect("found");
        assert_eq!(found.id, older.id, "{}", store.backend);
        assert_eq!(store.flow_named("missing").await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_replace_needs_the_updated_at_it_read() {
    for store in backends().await {
        let created = flow(&store, "before").await;
        let seen = created.updated_at.timestamp_millis();
        let mut input = full_input();
        input.name = "after".into();

        let replaced = store
            .replace_flow(
                &created.id,
                &input,
                FlowStatus::Paused,
                seen,
                &SecretEdit::Keep,
                false,
            )
            .await
            .unwrap()
            .expect("nobody changed it in between");
        assert_eq!(replaced.name, "after");
        assert_eq!(replaced.status, FlowStatus::Paused);
        assert_eq!(replaced.mode, FlowMode::Monitor);
        assert_eq!(replaced.created_at, created.created_at);
        assert!(replaced.updated_at > created.updated_at);

        // A second writer that read the old version is refused and changes nothing.
        input.name = "lost update".into();
        let stale = store
            .replace_flow(
                &created.id,
                &input,
                FlowStatus::Active,
                seen,
                &SecretEdit::Keep,
                false,
            )
            .await
            .unwrap();
        assert_eq!(stale, None, "{}", store.backend);
        let now = store.flow(&created.id).await.unwrap().unwrap();
        assert_eq!(now, replaced);

        let gone = store
            .replace_flow(
                "flow-0",
                &input,
                FlowStatus::Active,
                seen,
                &SecretEdit::Keep,
                false,
            )
            .await
            .unwrap();
        assert_eq!(gone, None);
    }
}

#[tokio::test]
async fn deleting_a_flow_takes_its_runs_logs_and_items() {
    for store in backends().await {
        let doomed = flow(&store, "doomed").await;
        let kept = flow(&store, "kept").await;
        let run = queued_run(&store, &doomed.id).await;
        let other = queued_run(&store, &kept.id).await;
        store
            .insert_items(&run.id, 1, &[Map::from_iter([("a".into(), json!(1))])])
            .await
            .unwrap();

        assert!(store.delete_flow(&doomed.id).await.unwrap());
        assert_eq!(store.flow(&doomed.id).await.unwrap(), None);
        assert_eq!(store.run(&run.id).await.unwrap(), None);
        assert!(store.logs_after(&run.id, 0).await.unwrap().is_empty());
        assert_eq!(store.item_count(&run.id).await.unwrap(), 0);

        assert!(
            !store.delete_flow(&doomed.id).await.unwrap(),
            "{}",
            store.backend
        );
        assert!(store.run(&other.id).await.unwrap().is_some());
        assert_eq!(store.logs_after(&other.id, 0).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_flow_counts_its_runs_and_their_success() {
    for store in backends().await {
        let f = flow(&store, "counted").await;
        let mut runs = Vec::new();
        for _ in 0..4 {
            runs.push(queued_run(&store, &f.id).await);
        }
        let finish = |id: String, status| {
            let store = store.handle();
            async move { assert!(store.finish_run(&id, status, None, None).await.unwrap()) }
        };
        finish(runs[0].id.clone(), RunStatus::Completed).await;
        finish(runs[1].id.clone(), RunStatus::Completed).await;
        finish(runs[2].id.clone(), RunStatus::Failed).await;
        // runs[3] is still queued: it counts as a run, not towards the rate.

        let read = store.flow(&f.id).await.unwrap().unwrap();
        assert_eq!(read.total_runs, 4, "{}", store.backend);
        assert_eq!(read.success_rate, 66.7);
        assert_eq!(read.last_run_at, Some(runs[3].created_at));
    }
}

fn ids(flows: &[Flow]) -> Vec<&str> {
    flows.iter().map(|f| f.id.as_str()).collect()
}

#[tokio::test]
async fn the_flow_list_filters_pages_and_counts() {
    for store in backends().await {
        let mut made = Vec::new();
        for (i, (status, mode)) in [
            (FlowStatus::Active, FlowMode::Extract),
            (FlowStatus::Active, FlowMode::Monitor),
            (FlowStatus::Paused, FlowMode::Extract),
            (FlowStatus::Active, FlowMode::Extract),
            (FlowStatus::Draft, FlowMode::Extract),
            (FlowStatus::Active, FlowMode::Extract),
        ]
        .into_iter()
        .enumerate()
        {
            let mut input = FlowInput::new(format!("f{i}"), "https://example.com/");
            input.status = Some(status);
            input.mode = mode;
            made.push(store.create_flow(&input, None).await.unwrap().id);
        }
        let query = |status, mode, limit, offset| FlowQuery {
            status,
            mode,
            limit,
            offset,
        };

        let (all, total) = store.flows(&query(None, None, 100, 0)).await.unwrap();
        let newest_first: Vec<String> = made.iter().rev().cloned().collect();
        assert_eq!(ids(&all), newest_first, "{}", store.backend);
        assert_eq!(total, 6);

        let active = Some(FlowStatus::Active);
        let (page, total) = store.flows(&query(active, None, 100, 0)).await.unwrap();
        assert_eq!(ids(&page), [&made[5], &made[3], &made[1], &made[0]]);
        assert_eq!(total, 4);

        let extract = Some(FlowMode::Extract);
        let (page, total) = store.flows(&query(active, extract, 2, 0)).await.unwrap();
        assert_eq!(ids(&page), [&made[5], &made[3]]);
        assert_eq!(total, 3, "the total is of all matching flows, not the page");

        let (page, total) = store.flows(&query(active, extract, 2, 2)).await.unwrap();
        assert_eq!(ids(&page), [&made[0]]);
        assert_eq!(total, 3);

        let (page, total) = store.flows(&query(active, extract, 2, 10)).await.unwrap();
        assert!(page.is_empty());
        assert_eq!(total, 3);

        let monitor = Some(FlowMode::Monitor);
        let paused = Some(FlowStatus::Paused);
        let (page, total) = store.flows(&query(paused, monitor, 10, 0)).await.unwrap();
        assert!(page.is_empty());
        assert_eq!(total, 0);
    }
}
