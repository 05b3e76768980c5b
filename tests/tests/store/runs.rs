use crate::backend::{backends, flow, queued_run};
use scraper_common::{FailureReason, LogLevel, Run, RunStatus, Trigger};
use scraper_server::store::{PREVIEW_ITEMS, RunQuery};
use serde_json::{Map, json};

#[tokio::test]
async fn a_run_is_queued_with_its_first_log_line() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = store
            .create_run(&f.id, Trigger::Schedule)
            .await
            .unwrap()
            .expect("the flow exists");
        assert!(run.id.starts_with("run-"), "{}", run.id);
        assert_eq!(run.flow_id, f.id);
        assert_eq!(run.flow_name, "f");
        assert_eq!(run.status, RunStatus::Queued);
        assert_eq!(run.trigger, Trigger::Schedule);
        assert_eq!(run.started_at, Some(run.created_at));
        assert_eq!((run.finished_at, run.duration), (None, None));
        assert_eq!(run.pages_fetched + run.items_extracted, 0);

        let logs = store.logs_after(&run.id, 0).await.unwrap();
        assert_eq!(logs.len(), 1, "{}", store.backend);
        assert_eq!(logs[0].seq, 1);
        assert_eq!(logs[0].level, LogLevel::Info);
        assert_eq!(logs[0].message, "Run queued (trigger: schedule)");

        assert_eq!(store.run(&run.id).await.unwrap(), Some(run));
    }
}

#[tokio::test]
async fn a_run_of_a_missing_flow_is_not_made() {
    for store in backends().await {
        assert_eq!(
            store.create_run("flow-0", Trigger::Api).await.unwrap(),
            None
        );
        let (runs, total) = store.runs(&query(None, None, 10, 0)).await.unwrap();
        assert!(runs.is_empty(), "{}", store.backend);
        assert_eq!(total, 0);
    }
}

#[tokio::test]
async fn finishing_a_run_happens_once() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let finished = store
            .finish_run(
                &run.id,
                RunStatus::Failed,
                Some(FailureReason::Timeout),
                Some("too slow"),
            )
            .await
            .unwrap();
        assert!(finished);
        let read = store.run(&run.id).await.unwrap().unwrap();
        assert_eq!(read.status, RunStatus::Failed);
        assert_eq!(read.failure_reason, Some(FailureReason::Timeout));
        assert_eq!(read.error.as_deref(), Some("too slow"));
        assert!(read.finished_at.is_some());
        assert!(read.duration.is_some());

        let last = store.logs_after(&run.id, 1).await.unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!((last[0].seq, last[0].level), (2, LogLevel::Error));
        assert_eq!(last[0].message, "Run failed: too slow");

        // A late second ending (a worker that missed a cancel) changes nothing.
        let again = store
            .finish_run(&run.id, RunStatus::Completed, None, None)
            .await
            .unwrap();
        assert!(!again, "{}", store.backend);
        assert_eq!(store.run(&run.id).await.unwrap().unwrap(), read);
        assert_eq!(store.logs_after(&run.id, 0).await.unwrap().len(), 2);

        assert!(
            !store
                .finish_run("run-0", RunStatus::Cancelled, None, None)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_detail_has_all_logs_and_the_first_items() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        let items: Vec<Map<String, serde_json::Value>> = (1..=25)
            .map(|n| Map::from_iter([("n".to_string(), json!(n))]))
            .collect();
        store.insert_items(&run.id, 1, &items).await.unwrap();
        store
            .append_log(&run.id, LogLevel::Warn, "careful")
            .await
            .unwrap();

        let detail = store.run_detail(&run.id).await.unwrap().expect("exists");
        assert_eq!(detail.run, run);
        let messages: Vec<&str> = detail.logs.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(messages, ["Run queued (trigger: api)", "careful"]);
        assert_eq!(detail.output_preview.len() as i64, PREVIEW_ITEMS);
        assert_eq!(
            detail.output_preview,
            items[..PREVIEW_ITEMS as usize],
            "{}",
            store.backend
        );

        assert_eq!(store.run_detail("run-0").await.unwrap(), None);
    }
}

fn query(flow_id: Option<&str>, status: Option<RunStatus>, limit: i64, offset: i64) -> RunQuery {
    RunQuery {
        flow_id: flow_id.map(str::to_string),
        status,
        limit,
        offset,
    }
}

fn ids(runs: &[Run]) -> Vec<&str> {
    runs.iter().map(|r| r.id.as_str()).collect()
}

#[tokio::test]
async fn the_run_list_filters_pages_and_counts() {
    for store in backends().await {
        let a = flow(&store, "a").await;
        let b = flow(&store, "b").await;
        let mut made = Vec::new();
        for f in [&a, &b, &a, &a, &b, &a] {
            made.push(queued_run(&store, &f.id).await.id);
        }
        for done in [&made[0], &made[3], &made[4]] {
            store
                .finish_run(done, RunStatus::Completed, None, None)
                .await
                .unwrap();
        }

        let (all, total) = store.runs(&query(None, None, 100, 0)).await.unwrap();
        let newest_first: Vec<&str> = made.iter().rev().map(String::as_str).collect();
        assert_eq!(ids(&all), newest_first, "{}", store.backend);
        assert_eq!(total, 6);
        assert_eq!(all[1].flow_name, "b");

        let (of_a, total) = store.runs(&query(Some(&a.id), None, 100, 0)).await.unwrap();
        assert_eq!(ids(&of_a), [&made[5], &made[3], &made[2], &made[0]]);
        assert_eq!(total, 4);

        let completed = Some(RunStatus::Completed);
        let (page, total) = store
            .runs(&query(Some(&a.id), completed, 1, 0))
            .await
            .unwrap();
        assert_eq!(ids(&page), [&made[3]]);
        assert_eq!(total, 2, "the total is of all matching runs, not the page");
        let (page, _) = store
            .runs(&query(Some(&a.id), completed, 1, 1))
            .await
            .unwrap();
        assert_eq!(ids(&page), [&made[0]]);

        let (queued, total) = store
            .runs(&query(None, Some(RunStatus::Queued), 2, 1))
            .await
            .unwrap();
        assert_eq!(ids(&queued), [&made[2], &made[1]]);
        assert_eq!(total, 3);

        let (none, total) = store
            .runs(&query(Some("flow-0"), None, 10, 0))
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(total, 0);
    }
}
