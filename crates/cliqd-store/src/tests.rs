//! Store behaviour through the public traits: group commit isolation, uniqueness, sync.

use crate::*;
use serde_json::json;
use std::sync::Arc;

async fn setup() -> (tempfile::TempDir, SqliteStore, UserRow) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let org = store.create_org("o").await.unwrap();
    let user = store
        .create_user(NewUser {
            org_id: org.id,
            email: "a@o".into(),
            name: "A".into(),
            is_admin: true,
        })
        .await
        .unwrap();
    (dir, store, user)
}

fn bot(user: &UserRow, name: &str) -> NewComponent {
    NewComponent {
        org_id: user.org_id,
        kind: "bot".into(),
        name: name.into(),
        unique_name_base: Some(name.to_lowercase().replace(' ', "")),
        creator_id: user.id,
        scope: "organization".into(),
        team_ids: vec![],
        attrs: json!({}),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_job_does_not_sink_its_batch() {
    let (_dir, store, user) = setup().await;
    let store = Arc::new(store);
    // Many concurrent writes land in shared batches; the duplicates fail alone.
    let mut tasks = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        let user = user.clone();
        let name = if i % 10 == 0 {
            "dup".to_string()
        } else {
            format!("n{i}")
        };
        tasks.push(tokio::spawn(async move {
            store.create_component(bot(&user, &name)).await
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(what)) => {
                assert_eq!(what, "name");
                conflicts += 1
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, conflicts), (181, 19));
    assert_eq!(
        store.count_components(user.org_id, "bot").await.unwrap(),
        181
    );
}

#[tokio::test]
async fn unique_names_and_sync() {
    let (dir, store, user) = setup().await;
    let a = store
        .create_component(bot(&user, "Support Bot"))
        .await
        .unwrap();
    let mut b = bot(&user, "SupportBot");
    b.unique_name_base = Some("supportbot".into());
    let b = store.create_component(b).await.unwrap();
    assert_eq!(a.unique_name.as_deref(), Some("supportbot"));
    assert_eq!(b.unique_name.as_deref(), Some("supportbot2"));
    let seq = store.current_seq().await.unwrap();
    store
        .delete_component(user.org_id, "bot", a.id)
        .await
        .unwrap();
    store
        .update_component(
            b.id,
            ComponentPatch {
                name: Some("Renamed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let q = ListQuery {
        org_id: user.org_id,
        kind: "bot".into(),
        viewer_id: user.id,
        after_id: 0,
        limit: 10,
    };
    let ch = store.changes_since(q, seq).await.unwrap();
    assert_eq!(ch.deleted, vec![a.id]);
    assert_eq!(ch.changed.len(), 1);
    assert_eq!(ch.changed[0].name, "Renamed");
    assert!(!ch.more);
    assert!(matches!(
        store.get_component(user.org_id, "bot", a.id).await,
        Err(StoreError::NotFound)
    ));
    // Reopening applies no migration twice and keeps the data.
    store.close();
    let again = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(again.count_components(user.org_id, "bot").await.unwrap(), 1);
}

#[tokio::test]
async fn default_handlers_come_with_their_component() {
    let (_dir, store, user) = setup().await;
    let h = NewHandler {
        component_id: 0,
        handler_type: "execution_handler".into(),
        script: Some("return {};".into()),
        attrs: json!({}),
    };
    let (row, handlers) = store
        .create_component_with_handlers(bot(&user, "fn"), vec![h.clone()])
        .await
        .unwrap();
    assert_eq!(handlers[0].component_id, row.id);
    assert_eq!(store.handlers_of(row.id).await.unwrap(), handlers);
    // A name clash inserts neither the component nor its handlers.
    let clash = store
        .create_component_with_handlers(bot(&user, "FN"), vec![h])
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))));
    assert_eq!(store.count_components(user.org_id, "bot").await.unwrap(), 1);
}

#[tokio::test]
async fn visible_count_follows_scope() {
    let (_dir, store, user) = setup().await;
    let other = store
        .create_user(NewUser {
            org_id: user.org_id,
            email: "b@o".into(),
            name: "B".into(),
            is_admin: false,
        })
        .await
        .unwrap();
    let mut mine = bot(&user, "mine");
    mine.scope = "personal".into();
    store.create_component(mine).await.unwrap();
    store.create_component(bot(&user, "shared")).await.unwrap();
    let count = |viewer_id: i64| ListQuery {
        org_id: user.org_id,
        kind: "bot".into(),
        viewer_id,
        after_id: 0,
        limit: 0,
    };
    assert_eq!(
        store
            .count_visible_components(count(user.id))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .count_visible_components(count(other.id))
            .await
            .unwrap(),
        1
    );
}

/// Throughput of durable writes through group commit. Run on demand:
/// `cargo test -p cliqd-store --release -- --ignored --nocapture write_throughput`
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

#[tokio::test]
async fn extension_properties_and_installations() {
    let (_dir, store, user) = setup().await;
    let ext = store
        .create_extension(NewExtension {
            org_id: user.org_id,
            name: "Weather".into(),
            creator_id: Some(user.id),
            key_hash: "h1".into(),
        })
        .await
        .unwrap();
    assert_eq!(store.get_extension(ext.id).await.unwrap(), ext);
    let dup = store
        .create_extension(NewExtension {
            org_id: user.org_id,
            name: "weather".into(),
            creator_id: None,
            key_hash: "h2".into(),
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(w)) if w == "name"));

    // Upserts are atomic: going over the limit writes nothing.
    let props = |n: usize| (0..n).map(|i| (format!("k{i}"), "v".to_string())).collect();
    store.set_properties(ext.id, props(3), 3).await.unwrap();
    let over = store
        .set_properties(ext.id, vec![("k9".into(), "v".into())], 3)
        .await;
    assert!(matches!(over, Err(StoreError::Conflict(_))));
    store
        .set_properties(ext.id, vec![("k0".into(), "new".into())], 3)
        .await
        .unwrap();
    let got = store
        .get_properties(ext.id, vec!["k9".into(), "k0".into(), "k1".into()])
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![("k0".into(), "new".into()), ("k1".into(), "v".into())]
    );
    assert!(store.delete_property(ext.id, "k0").await.unwrap());
    assert!(!store.delete_property(ext.id, "k0").await.unwrap());

    assert_eq!(store.installation(ext.id, user.org_id).await.unwrap(), None);
    let inst = InstallationRow {
        extension_id: ext.id,
        org_id: user.org_id,
        scope: "organization".into(),
        team_ids: vec![],
        installed_by: user.id,
        installed_at: 1,
        updated_at: 1,
    };
    store.insert_installation(inst.clone()).await.unwrap();
    assert!(matches!(
        store.insert_installation(inst.clone()).await,
        Err(StoreError::Conflict(_))
    ));
    let team = InstallationRow {
        scope: "team".into(),
        team_ids: vec![7, 8],
        updated_at: 2,
        ..inst
    };
    store.update_installation(team.clone()).await.unwrap();
    assert_eq!(
        store.installation(ext.id, user.org_id).await.unwrap(),
        Some(team)
    );
    assert_eq!(store.count_installations(user.org_id).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_handler_creates_respect_the_type_limit() {
    let (_dir, store, user) = setup().await;
    let store = Arc::new(store);
    let row = store.create_component(bot(&user, "Limits")).await.unwrap();
    let handler = |ty: &str| NewHandler {
        component_id: row.id,
        handler_type: ty.into(),
        script: None,
        attrs: json!({}),
    };
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (store, h) = (store.clone(), handler(if i % 2 == 0 { "a" } else { "b" }));
        let max = if i % 2 == 0 { 1 } else { 3 };
        tasks.push(tokio::spawn(
            async move { store.create_handler(h, max).await },
        ));
    }
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => {}
            Err(StoreError::Conflict(what)) => {
                assert_eq!(what, "handler");
                conflicts += 1;
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(conflicts, 4 + 2);
    let all = store.handlers_of(row.id).await.unwrap();
    assert_eq!(all.iter().filter(|h| h.handler_type == "a").count(), 1);
    assert_eq!(all.iter().filter(|h| h.handler_type == "b").count(), 3);
}

/// A job without a savepoint that fails rolls back its whole batch: every job in it gets an
/// error and none of their writes is committed; the next batch is unaffected.
#[tokio::test]
async fn failed_batch_contained_job_rolls_back_its_batch() {
    use crate::sqlite::Containment;
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
                .map_err(crate::sqlite::map_err)
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
            .map_err(crate::sqlite::map_err)
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

#[tokio::test]
async fn handlers_of_many_reads_a_page_at_once() {
    let (_dir, store, user) = setup().await;
    let h = |t: &str| NewHandler {
        component_id: 0,
        handler_type: t.into(),
        script: None,
        attrs: json!({}),
    };
    let (a, _) = store
        .create_component_with_handlers(bot(&user, "a"), vec![h("x_handler"), h("b_handler")])
        .await
        .unwrap();
    let (b, _) = store
        .create_component_with_handlers(bot(&user, "b"), vec![h("m_handler")])
        .await
        .unwrap();
    let c = store.create_component(bot(&user, "c")).await.unwrap();
    let many = store
        .handlers_of_many(vec![b.id, a.id, c.id, 999_999])
        .await
        .unwrap();
    let mut each = store.handlers_of(a.id).await.unwrap();
    each.extend(store.handlers_of(b.id).await.unwrap());
    assert_eq!(many, each);
    assert!(store.handlers_of_many(vec![]).await.unwrap().is_empty());
}
