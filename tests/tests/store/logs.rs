use crate::backend::{backends, flow, queued_run};
use scraper_common::{LogLevel, RunStatus};
use std::collections::HashSet;

#[tokio::test]
async fn lines_are_numbered_per_run_and_read_after_a_seq() {
    for store in backends().await {
        let f = flow(&store, "f").await;
        let a = queued_run(&store, &f.id).await;
        let b = queued_run(&store, &f.id).await;
        store.append_log(&a.id, LogLevel::Info, "a2").await.unwrap();
        store
            .append_log(&b.id, LogLevel::Debug, "b2")
            .await
            .unwrap();
        store.append_log(&a.id, LogLevel::Warn, "a3").await.unwrap();

        let lines = store.logs_after(&a.id, 0).await.unwrap();
        let seqs: Vec<u64> = lines.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [1, 2, 3], "{}", store.backend);
        assert_eq!(
            (lines[2].level, lines[2].message.as_str()),
            (LogLevel::Warn, "a3")
        );
        assert!(lines.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));

        let after = store.logs_after(&a.id, 2).await.unwrap();
        assert_eq!(after.iter().map(|l| l.seq).collect::<Vec<_>>(), [3]);
        assert!(store.logs_after(&a.id, 3).await.unwrap().is_empty());

        let b_lines = store.logs_after(&b.id, 0).await.unwrap();
        assert_eq!(b_lines.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(b_lines[1].level, LogLevel::Debug);
    }
}

#[tokio::test]
async fn a_line_for_a_missing_run_is_refused() {
    for store in backends().await {
        let refused = store.append_log("run-0", LogLevel::Info, "nobody").await;
        assert!(refused.is_err(), "{}", store.backend);
        assert!(store.logs_after("run-0", 0).await.unwrap().is_empty());
    }
}

/// Many writers on one run (workers, the sweep, a cancel) and on a second run
/// at the same time: each run's numbers stay distinct and gapless.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_take_distinct_gapless_numbers() {
    const TASKS: usize = 32;
    const EACH: usize = 8;
    for store in backends().await {
        let f = flow(&store, "f").await;
        let busy = queued_run(&store, &f.id).await;
        let other = queued_run(&store, &f.id).await;
        let writers: Vec<_> = (0..TASKS)
            .map(|t| {
                let (store, busy, other) = (store.handle(), busy.id.clone(), other.id.clone());
                tokio::spawn(async move {
                    for i in 0..EACH {
                        let message = format!("task {t} line {i}");
                        store
                            .append_log(&busy, LogLevel::Info, &message)
                            .await
                            .unwrap();
                        if i % 4 == 0 {
                            store
                                .append_log(&other, LogLevel::Info, &message)
                                .await
                                .unwrap();
                        }
                    }
                })
            })
            .collect();
        // A run ending takes its line from the same counter, in its own transaction.
        let finisher = {
            let (store, id) = (store.handle(), busy.id.clone());
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                assert!(
                    store
                        .finish_run(&id, RunStatus::Cancelled, None, None)
                        .await
                        .unwrap()
                );
            })
        };
        for writer in writers {
            writer.await.unwrap();
        }
        finisher.await.unwrap();

        let lines = store.logs_after(&busy.id, 0).await.unwrap();
        let expected = 1 + TASKS * EACH + 1;
        let seqs: Vec<u64> = lines.iter().map(|l| l.seq).collect();
        assert_eq!(
            seqs,
            (1..=expected as u64).collect::<Vec<_>>(),
            "{}",
            store.backend
        );
        let messages: HashSet<&str> = lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(messages.len(), expected, "no line was lost or doubled");
        assert!(messages.contains("Run cancelled"));
        assert!(messages.contains("task 31 line 7"));

        let other_seqs: Vec<u64> = store
            .logs_after(&other.id, 0)
            .await
            .unwrap()
            .iter()
            .map(|l| l.seq)
            .collect();
        let expected_other = 1 + TASKS * EACH / 4;
        assert_eq!(other_seqs, (1..=expected_other as u64).collect::<Vec<_>>());
    }
}
