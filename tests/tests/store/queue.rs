use crate::backend::{backends, flow, queued_run};
use scraper_common::{FailureReason, FlowInput, FlowStatus, LogLevel, RunStatus};
use scraper_server::store::Progress;
use sqlx::Connection;
use std::collections::HashSet;
use std::time::Duration;

const LONG_LEASE: i64 = 60_000;

#[tokio::test]
async fn runs_are_claimed_oldest_first_and_once() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let first = queued_run(&store, &f.id).await;
        let second = queued_run(&store, &f.id).await;
        assert_eq!(store.queued_count().await.unwrap(), 2);

        let claimed = store
            .claim_run("w1", LONG_LEASE)
            .await
            .unwrap()
            .expect("one queued");
        assert_eq!(
            (claimed.id.as_str(), claimed.flow_id.as_str()),
            (first.id.as_str(), f.id.as_str())
        );
        let running = store.run(&first.id).await.unwrap().unwrap();
        assert_eq!(running.status, RunStatus::Running);
        assert!(running.started_at >= first.started_at);
        assert_eq!(store.queued_count().await.unwrap(), 1);

        let next = store
            .claim_run("w2", LONG_LEASE)
            .await
            .unwrap()
            .expect("one left");
        assert_eq!(next.id, second.id, "{}", store.backend);
        assert_eq!(
            store
                .claim_run("w3", LONG_LEASE)
                .await
                .unwrap()
                .map(|c| c.id),
            None
        );
        assert_eq!(store.queued_count().await.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_never_take_one_run_twice() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let mut queued = HashSet::new();
        for _ in 0..12 {
            queued.insert(queued_run(&store, &f.id).await.id);
        }
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let store = store.handle();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Some(c) = store.claim_run(&format!("w{w}"), LONG_LEASE).await.unwrap()
                    {
                        mine.push(c.id);
                    }
                    mine
                })
            })
            .collect();
        let mut claimed = Vec::new();
        for worker in workers {
            claimed.extend(worker.await.unwrap());
        }
        assert_eq!(claimed.len(), 12, "{}: {claimed:?}", store.backend);
        assert_eq!(claimed.into_iter().collect::<HashSet<_>>(), queued);
    }
}

#[tokio::test]
async fn only_the_holder_renews_a_lease() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        assert!(
            !store.renew_lease(&run.id, "w1", LONG_LEASE).await.unwrap(),
            "not claimed yet"
        );
        store.claim_run("w1", LONG_LEASE).await.unwrap().unwrap();
        assert!(store.renew_lease(&run.id, "w1", LONG_LEASE).await.unwrap());
        assert!(!store.renew_lease(&run.id, "w2", LONG_LEASE).await.unwrap());

        // A cancelled run tells its worker to stop at the next renewal.
        assert!(
            store
                .finish_run(&run.id, RunStatus::Cancelled, None, None)
                .await
                .unwrap()
        );
        assert!(
            !store.renew_lease(&run.id, "w1", LONG_LEASE).await.unwrap(),
            "{}",
            store.backend
        );
    }
}

#[tokio::test]
async fn a_run_whose_lease_ran_out_fails_as_worker_lost() {
    for store in backends().await {
        let mut input = FlowInput::new("f", "https://example.com/");
        input.status = Some(FlowStatus::Active);
        let f = store.create_flow(&input, None).await.unwrap();
        let lost = queued_run(&store, &f.id).await;
        let alive = queued_run(&store, &f.id).await;
        let waiting = queued_run(&store, &f.id).await;
        store.claim_run("dead", 20).await.unwrap().unwrap();
        store.claim_run("busy", LONG_LEASE).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;

        let failed = store.fail_lost_runs().await.unwrap();
        assert_eq!(failed, std::slice::from_ref(&lost.id), "{}", store.backend);
        let read = store.run(&lost.id).await.unwrap().unwrap();
        assert_eq!(read.status, RunStatus::Failed);
        assert_eq!(read.failure_reason, Some(FailureReason::WorkerLost));
        assert!(read.finished_at.is_some());
        let logs = store.logs_after(&lost.id, 0).await.unwrap();
        let last = logs.last().unwrap();
        assert_eq!((last.seq, last.level), (2, LogLevel::Error));
        assert!(
            last.message.starts_with("Run failed: its worker stopped"),
            "{}",
            last.message
        );
        assert_eq!(
            store.flow(&f.id).await.unwrap().unwrap().status,
            FlowStatus::Error
        );

        // The lost run is not handed out again, and its late worker is told so.
        let next = store.claim_run("w", LONG_LEASE).await.unwrap().unwrap();
        assert_eq!(next.id, waiting.id);
        assert!(
            !store
                .renew_lease(&lost.id, "dead", LONG_LEASE)
                .await
                .unwrap()
        );
        assert!(
            !store
                .finish_run(&lost.id, RunStatus::Completed, None, None)
                .await
                .unwrap()
        );

        assert_eq!(
            store.run(&alive.id).await.unwrap().unwrap().status,
            RunStatus::Running
        );
        assert!(store.fail_lost_runs().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_renewed_lease_keeps_the_run() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        store.claim_run("w", 20).await.unwrap().unwrap();
        assert!(store.renew_lease(&run.id, "w", LONG_LEASE).await.unwrap());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(
            store.fail_lost_runs().await.unwrap().is_empty(),
            "{}",
            store.backend
        );
        assert!(
            store
                .finish_run(&run.id, RunStatus::Completed, None, None)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn progress_is_recorded_even_after_a_cancel() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let run = queued_run(&store, &f.id).await;
        store.claim_run("w", LONG_LEASE).await.unwrap().unwrap();
        store
            .finish_run(&run.id, RunStatus::Cancelled, None, None)
            .await
            .unwrap();
        let progress = Progress {
            pages_fetched: 7,
            pages_failed: 2,
            items_extracted: 40,
            bytes_downloaded: 123_456,
            cost: 0.25,
        };
        store.record_progress(&run.id, &progress).await.unwrap();
        let read = store.run(&run.id).await.unwrap().unwrap();
        assert_eq!(read.status, RunStatus::Cancelled, "{}", store.backend);
        assert_eq!(
            (
                read.pages_fetched,
                read.pages_failed,
                read.items_extracted,
                read.bytes_downloaded
            ),
            (7, 2, 40, 123_456)
        );
        assert_eq!(read.cost, 0.25);
    }
}

#[tokio::test]
async fn a_flow_status_follows_its_runs_unless_paused() {
    for store in backends().await {
        let mut input = FlowInput::new("f", "https://example.com/");
        input.status = Some(FlowStatus::Active);
        let active = store.create_flow(&input, None).await.unwrap();
        input.status = Some(FlowStatus::Paused);
        let paused = store.create_flow(&input, None).await.unwrap();
        let status = |id: String| {
            let store = store.handle();
            async move { store.flow(&id).await.unwrap().unwrap().status }
        };

        let run = queued_run(&store, &active.id).await;
        store
            .mark_flow_after_run(&run.id, RunStatus::Failed)
            .await
            .unwrap();
        assert_eq!(status(active.id.clone()).await, FlowStatus::Error);
        store
            .mark_flow_after_run(&run.id, RunStatus::Cancelled)
            .await
            .unwrap();
        assert_eq!(status(active.id.clone()).await, FlowStatus::Error);
        store
            .mark_flow_after_run(&run.id, RunStatus::Completed)
            .await
            .unwrap();
        assert_eq!(status(active.id.clone()).await, FlowStatus::Active);

        let run = queued_run(&store, &paused.id).await;
        store
            .mark_flow_after_run(&run.id, RunStatus::Failed)
            .await
            .unwrap();
        assert_eq!(
            status(paused.id.clone()).await,
            FlowStatus::Paused,
            "{}",
            store.backend
        );
    }
}

/// On PostgreSQL one node sweeps at a time: while another holds the sweep's
/// advisory lock, a node leaves the lost runs to it.
#[tokio::test]
async fn on_postgres_one_node_sweeps_at_a_time() {
    for store in backends().await {
        if store.backend != "postgres" {
            continue;
        }
        let f = flow(&store, "f").await;
        let lost = queued_run(&store, &f.id).await;
        store.claim_run("dead", 20).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;

        // Another node, mid-sweep: it holds the lock ("scraper" in ASCII,
        // as the store names it).
        let mut other = sqlx::PgConnection::connect(&store.url).await.unwrap();
        sqlx::query("SELECT pg_advisory_lock(32478965233902962)")
            .execute(&mut other)
            .await
            .unwrap();
        assert!(store.fail_lost_runs().await.unwrap().is_empty());
        assert_eq!(
            store.run(&lost.id).await.unwrap().unwrap().status,
            RunStatus::Running
        );

        // Once it is done, whoever sweeps next fails the run, once.
        sqlx::query("SELECT pg_advisory_unlock(32478965233902962)")
            .execute(&mut other)
            .await
            .unwrap();
        assert_eq!(
            store.fail_lost_runs().await.unwrap(),
            std::slice::from_ref(&lost.id)
        );
        assert!(store.fail_lost_runs().await.unwrap().is_empty());
    }
}
