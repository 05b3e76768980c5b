//! The run figures a flow carries and the runs list's totals are kept as
//! runs come, start, finish, get lost and go; they must always match the
//! runs themselves.

use crate::backend::{TestStore, backends, flow, queued_run};
use scraper_common::{FailureReason, RunStatus};
use scraper_server::store::{FlowQuery, RunQuery};
use std::time::Duration;

/// What the runs say, counted one by one through the list.
async fn counted(store: &TestStore, flow_id: &str, status: Option<RunStatus>) -> u64 {
    let query = RunQuery {
        flow_id: Some(flow_id.to_string()),
        status,
        limit: 1000,
        offset: 0,
    };
    let (runs, total) = store.runs(&query).await.unwrap();
    assert_eq!(total, runs.len() as u64, "total of {flow_id} {status:?}");
    total
}

async fn check(store: &TestStore, flow_id: &str) {
    let f = store.flow(flow_id).await.unwrap().unwrap();
    assert_eq!(f.total_runs, counted(store, flow_id, None).await);
    let completed = counted(store, flow_id, Some(RunStatus::Completed)).await;
    let failed = counted(store, flow_id, Some(RunStatus::Failed)).await;
    let rate = if completed + failed == 0 {
        0.0
    } else {
        (completed as f64 * 1000.0 / (completed + failed) as f64).round() / 10.0
    };
    assert_eq!(f.success_rate, rate, "{f:?}");
    let (listed, _) = store
        .flows(&FlowQuery {
            limit: 100,
            ..FlowQuery::default()
        })
        .await
        .unwrap();
    let listed = listed.iter().find(|l| l.id == flow_id).unwrap();
    assert_eq!(
        (listed.total_runs, listed.success_rate, listed.last_run_at),
        (f.total_runs, f.success_rate, f.last_run_at)
    );
}

#[tokio::test]
async fn figures_follow_every_way_a_run_changes() {
    for store in backends().await {
        let f = flow(&store, "counted").await;
        let other = flow(&store, "other").await;
        check(&store, &f.id).await;
        assert_eq!(store.flow(&f.id).await.unwrap().unwrap().last_run_at, None);

        let done = queued_run(&store, &f.id).await;
        let failed = queued_run(&store, &f.id).await;
        let lost = queued_run(&store, &f.id).await;
        let cancelled = queued_run(&store, &f.id).await;
        let newest = queued_run(&store, &f.id).await;
        queued_run(&store, &other.id).await;
        check(&store, &f.id).await;
        let read = store.flow(&f.id).await.unwrap().unwrap();
        assert_eq!(read.total_runs, 5);
        assert_eq!(read.last_run_at, Some(newest.created_at));

        assert!(
            store
                .finish_run(&done.id, RunStatus::Completed, None, None)
                .await
                .unwrap()
        );
        assert!(
            store
                .finish_run(
                    &failed.id,
                    RunStatus::Failed,
                    Some(FailureReason::Unreachable),
                    Some("gone")
                )
                .await
                .unwrap()
        );
        assert!(
            store
                .finish_run(&cancelled.id, RunStatus::Cancelled, None, None)
                .await
                .unwrap()
        );
        // Finishing twice changes nothing.
        assert!(
            !store
                .finish_run(&done.id, RunStatus::Failed, None, None)
                .await
                .unwrap()
        );
        check(&store, &f.id).await;

        // A claimed run (the oldest queued) whose lease runs out fails as lost.
        let claimed = store
            .claim_run("w", 1)
            .await
            .unwrap()
            .expect("a queued run");
        assert_eq!(claimed.id, lost.id);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(store.fail_lost_runs().await.unwrap().contains(&lost.id));
        check(&store, &f.id).await;
        let read = store.flow(&f.id).await.unwrap().unwrap();
        assert_eq!(read.success_rate, 33.3, "{read:?}");
        assert_eq!(counted(&store, &f.id, Some(RunStatus::Failed)).await, 2);
        check(&store, &other.id).await;

        // Deleting the other flow takes its runs and their counts with it.
        assert!(store.delete_flow(&other.id).await.unwrap());
        let (_, all) = store
            .runs(&RunQuery {
                flow_id: None,
                status: None,
                limit: 1,
                offset: 0,
            })
            .await
            .unwrap();
        assert_eq!(all, 5, "only the counted flow's runs are left");
        check(&store, &f.id).await;
    }
}
