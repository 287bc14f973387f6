//! The SQLite backend's tests: the whole store conformance suite on a fresh database per case,
//! and what needs SQLite's internals (its batches, its statements, its migrations, its files).

use crate::*;
use cliqd_store::testing::components::bot;
use cliqd_store::testing::search::{ids, post, query};
use cliqd_store::testing::{self, TestStore};
use cliqd_store::*;
use std::sync::Arc;

/// A fresh SQLite store in a temporary directory (removed when the case ends).
fn test_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    TestStore::new(Arc::new(store), dir)
}

mod conformance {
    cliqd_store::store_conformance_tests!(super::test_store);
}

/// The suite's component fixture on a store this test keeps its own handle to.
async fn setup() -> (tempfile::TempDir, SqliteStore, UserRow) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let (_, _, user) =
        testing::components::setup(TestStore::new(Arc::new(store.clone()), ())).await;
    (dir, store, user)
}

/// The suite's messaging fixture on a store this test keeps its own handle to.
async fn setup_messaging() -> (tempfile::TempDir, SqliteStore, UserRow, ChannelRow) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let (_, _, a, _b, channel) =
        testing::messaging::setup(TestStore::new(Arc::new(store.clone()), ())).await;
    (dir, store, a, channel)
}

/// Reopening applies no migration twice and keeps the data.
#[tokio::test]
async fn reopening_keeps_the_data() {
    let (dir, store, user) = setup().await;
    store.create_component(bot(&user, "Kept")).await.unwrap();
    store.close();
    let again = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(again.count_components(user.org_id, "bot").await.unwrap(), 1);
}

/// One serving process per directory: a second exclusive open is refused until the first
/// closes; plain opens (the admin commands) are not.
#[tokio::test]
async fn exclusive_open_locks_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteStore::open_exclusive(dir.path()).unwrap();
    let second = SqliteStore::open_exclusive(dir.path());
    let err = second
        .err()
        .expect("a second server is refused")
        .to_string();
    assert!(err.contains("in use by another cliqd server"), "{err}");
    let admin = SqliteStore::open(dir.path()).unwrap();
    admin.close();
    first.close();
    let again = SqliteStore::open_exclusive(dir.path()).unwrap();
    again.close();
}

/// Messages are indexed once per write batch: once the suite's concurrent posts are all
/// searchable, nothing is left in the queue.
#[tokio::test]
async fn concurrent_posts_leave_no_index_queue() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    testing::search::concurrent_posts_are_indexed_by_their_batch(TestStore::new(
        Arc::new(store.clone()),
        (),
    ))
    .await;
    let queued: i64 = store
        .read(|c| {
            c.query_row("SELECT count(*) FROM messages_fts_pending", [], |r| {
                r.get(0)
            })
            .map_err(crate::map_err)
        })
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

/// Throughput of durable writes through group commit. Run on demand:
/// `cargo test -p cliqd-store-sqlite --release -- --ignored --nocapture write_throughput`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn write_throughput() {
    let (_dir, store, user) = setup().await;
    let store = Arc::new(store);
    let n = 20_000;
    let start = std::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let store = store.clone();
        let user = user.clone();
        tasks.push(tokio::spawn(async move {
            store.create_component(bot(&user, &format!("b{i}"))).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} durable writes in {secs:.2} s = {:.0}/s",
        n as f64 / secs
    );
}

/// A job without a savepoint that fails rolls back its whole batch: every job in it gets an
/// error and none of their writes is committed; the next batch is unaffected.
#[tokio::test]
async fn failed_batch_contained_job_rolls_back_its_batch() {
    let (_dir, store, _user) = setup().await;
    let count = |s: &SqliteStore| {
        let s = s.clone();
        async move {
            s.read(|c| {
                c.query_row(
                    "SELECT count(*) FROM orgs WHERE name LIKE 'batch-%'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(crate::map_err)
            })
            .await
            .unwrap()
        }
    };
    // Hold the writer busy so the next three jobs queue up and run as one batch.
    let busy = store.clone();
    let blocker = tokio::spawn(async move {
        busy.write(|_| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok(())
        })
        .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let insert = |name: &'static str| {
        store.write(move |c| {
            c.execute(
                "INSERT INTO orgs (id, name) VALUES (?1, ?2)",
                rusqlite::params![name.len() as i64 + 90_000_000, name],
            )
            .map(|_| ())
            .map_err(crate::map_err)
        })
    };
    let failing = store.write_events_with(Containment::Batch, |_, _| {
        Err::<(), _>(StoreError::Other("boom".into()))
    });
    let (b, a1, f, a2) = tokio::join!(blocker, insert("batch-a"), failing, insert("batch-bb"));
    assert!(matches!(b, Ok(Ok(()))));
    assert!(f.is_err());
    assert!(
        a1.is_err() && a2.is_err(),
        "jobs of a spoiled batch are not acknowledged"
    );
    assert_eq!(
        count(&store).await,
        0,
        "nothing of the spoiled batch is committed"
    );
    insert("batch-ccc").await.unwrap();
    assert_eq!(count(&store).await, 1);
}

/// Migration 6 indexes the messages that existed before it (and 7 then queues new ones).
#[tokio::test]
async fn migration_backfills_existing_messages() {
    let (dir, store, a, channel) = setup_messaging().await;
    let m = post(&store, &a, &channel.chat_id, "written before the index").await;
    drop(store);
    // Take the database back to version 5: no index, no triggers (and nothing of the later
    // migrations: 8's mentions, 14's page versions).
    {
        let c = rusqlite::Connection::open(dir.path().join("cliqd.db")).unwrap();
        c.execute_batch(
            "DROP TABLE triggers; DROP TABLE executions; DROP TABLE execution_counts;
             DROP TABLE bot_welcomed;
             DROP TABLE bot_calls;
             DROP TRIGGER message_mentions_delete; DROP TABLE message_mentions;
             ALTER TABLE messages DROP COLUMN mentions;
             DROP TRIGGER messages_fts_queue; DROP TRIGGER messages_fts_update;
             DROP TRIGGER messages_fts_delete; DROP TABLE messages_fts;
             DROP TABLE messages_fts_pending;
             DROP TRIGGER messages_page_update; DROP TRIGGER messages_page_delete;
             DROP TRIGGER users_names_update; DROP TRIGGER users_names_delete;
             DROP TRIGGER components_names_update; DROP TRIGGER components_names_delete;
             ALTER TABLE chats DROP COLUMN changes; DELETE FROM counters WHERE name = 'names';
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    let hits = store.search_messages(query(&a, &["before"])).await.unwrap();
    assert_eq!(ids(&hits), vec![m.id]);
}

/// The channels list reads the caller's memberships, not every channel of the database.
#[tokio::test]
async fn channels_of_a_user_are_found_from_their_memberships() {
    let (dir, store, a, channel) = setup_messaging().await;
    let listed = store.channels_of_user(a.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [&channel.id]
    );
    let c = rusqlite::Connection::open(dir.path().join("cliqd.db")).unwrap();
    let sql = format!(
        "EXPLAIN QUERY PLAN {}",
        crate::messaging::channels_of_user_sql()
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let plan: Vec<String> = stmt
        .query_map([a.id], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|s| s.contains("chat_members_user"))
            && !plan.iter().any(|s| s.starts_with("SCAN ch")),
        "{plan:?}"
    );
}
