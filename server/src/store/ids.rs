//! Ids in the reference's form, `flow-1710000000000`: a prefix and a
//! millisecond timestamp, made unique within this process by counting up when
//! two are made in one millisecond. Another process on the same database can
//! still pick the same number, so inserts go through `insert_with_fresh_id`.

use super::Result;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};

static LAST: AtomicI64 = AtomicI64::new(0);

fn next(prefix: &str) -> String {
    let now = super::now_ms();
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = now.max(last + 1);
        match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("{prefix}-{candidate}"),
            Err(seen) => last = seen,
        }
    }
}

/// How often an insert tries a fresh id after a unique violation.
const ATTEMPTS: usize = 8;

/// Runs `insert` with a new `prefix-...` id, and again with another one while
/// it fails on a unique violation (the id was taken by another process).
/// Whatever `insert` does in a transaction must be rolled back by then, which
/// dropping an uncommitted transaction does.
pub async fn insert_with_fresh_id<T, F, Fut>(prefix: &str, mut insert: F) -> Result<T>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = sqlx::Result<T>>,
{
    let mut attempt = 1;
    loop {
        match insert(next(prefix)).await {
            Err(e) if is_unique_violation(&e) && attempt < ATTEMPTS => attempt += 1,
            done => return Ok(done?),
        }
    }
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::{ATTEMPTS, insert_with_fresh_id};
    use sqlx::SqlitePool;
    use std::cell::Cell;

    #[test]
    fn ids_are_unique_and_increase() {
        let a = super::next("flow");
        let b = super::next("flow");
        let n = |id: &str| id.trim_start_matches("flow-").parse::<i64>().unwrap();
        assert!(n(&b) > n(&a), "{a} then {b}");
    }

    /// A table where `taken` is already used, to provoke real unique violations.
    async fn table() -> SqlitePool {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('taken')")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    async fn insert(pool: &SqlitePool, id: &str) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO t (id) VALUES (?)")
            .bind(id)
            .execute(pool)
            .await
            .map(drop)
    }

    #[tokio::test]
    async fn a_taken_id_is_retried_with_a_fresh_one() {
        let pool = table().await;
        let calls = Cell::new(0);
        let pool = &pool;
        let calls = &calls;
        let id = insert_with_fresh_id("x", |id| async move {
            calls.set(calls.get() + 1);
            // The first id offered is pretended to be taken by another process.
            let id = if calls.get() == 1 {
                "taken".to_string()
            } else {
                id
            };
            insert(pool, &id).await.map(|()| id)
        })
        .await
        .unwrap();
        assert_eq!(calls.get(), 2);
        assert!(id.starts_with("x-"), "{id}");
    }

    #[tokio::test]
    async fn it_gives_up_after_its_attempts_and_never_retries_other_errors() {
        let pool = table().await;
        let pool = &pool;
        let calls = Cell::new(0);
        let calls = &calls;
        let always_taken = insert_with_fresh_id("x", |_| async move {
            calls.set(calls.get() + 1);
            insert(pool, "taken").await
        })
        .await;
        assert!(always_taken.is_err());
        assert_eq!(calls.get(), ATTEMPTS);

        calls.set(0);
        let broken = insert_with_fresh_id("x", |_| async move {
            calls.set(calls.get() + 1);
            sqlx::query("INSERT INTO nowhere VALUES (1)")
                .execute(pool)
                .await
                .map(drop)
        })
        .await;
        assert!(broken.is_err());
        assert_eq!(calls.get(), 1);
    }
}
