//! Store behaviour through the public traits: group commit isolation, uniqueness, sync.

use super::{Guard, TestStore};
use crate::*;
use serde_json::json;
use std::sync::Arc;

/// A store with one organization and its admin A.
pub async fn setup(t: TestStore) -> (Guard, Arc<dyn Store>, UserRow) {
    let (store, dir) = t.into_parts();
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

/// A new organization-wide bot named `name`.
pub fn bot(user: &UserRow, name: &str) -> NewComponent {
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

pub async fn a_failing_job_does_not_sink_its_batch(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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
                assert_eq!(what, ConflictOn::Name);
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

pub async fn unique_names_and_sync(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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
}

pub async fn default_handlers_come_with_their_component(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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

pub async fn visible_count_follows_scope(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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

pub async fn extension_properties_and_installations(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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
    assert!(matches!(dup, Err(StoreError::Conflict(w)) if w == ConflictOn::Name));

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

pub async fn concurrent_handler_creates_respect_the_type_limit(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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
                assert_eq!(what, ConflictOn::Handler);
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

/// Listing pages by ascending id after a cursor; sync pages by change sequence with `more`
/// and a resumable `next_seq`; the watermark only grows.
pub async fn listing_pages_and_sync_pages(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
    let start = store.current_seq().await.unwrap();
    let mut rows = Vec::new();
    for i in 0..5 {
        rows.push(
            store
                .create_component(bot(&user, &format!("Bot {i}")))
                .await
                .unwrap(),
        );
    }
    assert!(
        rows.windows(2)
            .all(|w| w[0].id < w[1].id && w[0].seq < w[1].seq)
    );
    assert!(store.current_seq().await.unwrap() >= rows[4].seq);
    assert!(rows[0].seq > start);
    assert_eq!(rows[0].creator_name, user.name);
    assert_eq!(
        store
            .get_component_by_unique_name(user.org_id, "bot", "bot3")
            .await
            .unwrap(),
        rows[3]
    );
    assert!(matches!(
        store
            .get_component_by_unique_name(user.org_id, "bot", "nobot")
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .get_component(user.org_id, "function", rows[0].id)
            .await,
        Err(StoreError::NotFound)
    ));
    let q = |after_id: i64, limit: u32| ListQuery {
        org_id: user.org_id,
        kind: "bot".into(),
        viewer_id: user.id,
        after_id,
        limit,
    };
    let page1 = store.list_components(q(0, 2)).await.unwrap();
    assert_eq!(page1, rows[0..2].to_vec());
    let page2 = store.list_components(q(page1[1].id, 2)).await.unwrap();
    assert_eq!(page2, rows[2..4].to_vec());
    let page3 = store.list_components(q(page2[1].id, 2)).await.unwrap();
    assert_eq!(page3, rows[4..].to_vec());
    assert!(
        store
            .list_components(q(rows[4].id, 2))
            .await
            .unwrap()
            .is_empty()
    );

    let first = store.changes_since(q(0, 3), start).await.unwrap();
    assert_eq!(first.changed, rows[0..3].to_vec());
    assert!(first.more);
    assert!(first.deleted.is_empty());
    let rest = store.changes_since(q(0, 3), first.next_seq).await.unwrap();
    assert_eq!(rest.changed, rows[3..].to_vec());
    assert!(!rest.more);
    let idle = store.changes_since(q(0, 3), rest.next_seq).await.unwrap();
    assert!(idle.changed.is_empty() && idle.deleted.is_empty() && !idle.more);
    assert_eq!(idle.next_seq, rest.next_seq);
    // Deleting is a change too: a tombstone after the cursor.
    store
        .delete_component(user.org_id, "bot", rows[1].id)
        .await
        .unwrap();
    assert!(matches!(
        store.delete_component(user.org_id, "bot", rows[1].id).await,
        Err(StoreError::NotFound)
    ));
    let gone = store.changes_since(q(0, 3), rest.next_seq).await.unwrap();
    assert!(gone.changed.is_empty());
    assert_eq!(gone.deleted, vec![rows[1].id]);
    assert!(gone.next_seq > rest.next_seq);
    assert_eq!(store.count_components(user.org_id, "bot").await.unwrap(), 4);
}

/// Handlers: ordered by type and position, updated, configured only once, deleted; each
/// write counts as a change of its component.
pub async fn handlers_update_configure_and_delete(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
    let row = store.create_component(bot(&user, "Hooks")).await.unwrap();
    let new = |ty: &str, script: Option<&str>| NewHandler {
        component_id: row.id,
        handler_type: ty.into(),
        script: script.map(str::to_string),
        attrs: json!({}),
    };
    let b1 = store.create_handler(new("b", None), 5).await.unwrap();
    let a1 = store.create_handler(new("a", None), 5).await.unwrap();
    let b2 = store.create_handler(new("b", Some("x")), 5).await.unwrap();
    assert_eq!((b1.position, b2.position, a1.position), (1, 2, 1));
    assert_eq!(
        store.handlers_of(row.id).await.unwrap(),
        vec![a1.clone(), b1.clone(), b2.clone()]
    );
    let after_create = store
        .get_component(user.org_id, "bot", row.id)
        .await
        .unwrap();
    assert!(
        after_create.seq > row.seq,
        "a handler write is a change of its component"
    );

    let mut edited = b2.clone();
    edited.script = Some("y".into());
    edited.attrs = json!({"k": 1});
    let saved = store.update_handler(edited.clone()).await.unwrap();
    assert_eq!(saved.script.as_deref(), Some("y"));
    assert_eq!(saved.attrs, json!({"k": 1}));
    let stored = store.handlers_of(row.id).await.unwrap();
    assert_eq!(stored[2].script.as_deref(), Some("y"));
    assert_eq!(stored[2].attrs, json!({"k": 1}));

    // Configuring succeeds once, while the handler has no script and no permissions.
    let mut conf = a1.clone();
    conf.script = Some("return {};".into());
    store.configure_handler(conf.clone()).await.unwrap();
    assert!(matches!(
        store.configure_handler(conf.clone()).await,
        Err(StoreError::Conflict(ConflictOn::Handler))
    ));
    let mut perms = b1.clone();
    perms.attrs = json!({"permissions": []});
    store.configure_handler(perms.clone()).await.unwrap();
    assert!(matches!(
        store.configure_handler(perms).await,
        Err(StoreError::Conflict(ConflictOn::Handler))
    ));
    let mut missing = a1.clone();
    missing.id = -1;
    assert!(matches!(
        store.configure_handler(missing.clone()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_handler(missing).await,
        Err(StoreError::NotFound)
    ));

    store.delete_handler(row.id, b1.id).await.unwrap();
    assert!(matches!(
        store.delete_handler(row.id, b1.id).await,
        Err(StoreError::NotFound)
    ));
    let left: Vec<i64> = store
        .handlers_of(row.id)
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(left, vec![a1.id, b2.id]);
    // Deleting the component takes its handlers.
    store
        .delete_component(user.org_id, "bot", row.id)
        .await
        .unwrap();
    assert!(store.handlers_of(row.id).await.unwrap().is_empty());
}

/// An update that narrows who may see a component reads, on sync, as a deletion to those who
/// lost sight of it and as a change to those who still see it.
pub async fn narrowing_visibility_is_a_deletion_for_who_lost_sight(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
    let other = store
        .create_user(NewUser {
            org_id: user.org_id,
            email: "b@o".into(),
            name: "B".into(),
            is_admin: false,
        })
        .await
        .unwrap();
    let row = store.create_component(bot(&user, "Shared")).await.unwrap();
    let since = store.current_seq().await.unwrap();
    store
        .update_component(
            row.id,
            ComponentPatch {
                scope: Some("personal".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let q = |viewer_id: i64| ListQuery {
        org_id: user.org_id,
        kind: "bot".into(),
        viewer_id,
        after_id: 0,
        limit: 10,
    };
    let lost = store.changes_since(q(other.id), since).await.unwrap();
    assert!(lost.changed.is_empty());
    assert_eq!(lost.deleted, vec![row.id]);
    let kept = store.changes_since(q(user.id), since).await.unwrap();
    assert!(kept.deleted.is_empty());
    assert_eq!(kept.changed.len(), 1);
    assert_eq!(kept.changed[0].scope, "personal");
    assert!(store.list_components(q(other.id)).await.unwrap().is_empty());
    // A taken name is refused on update as on create.
    let second = store.create_component(bot(&user, "Second")).await.unwrap();
    assert!(matches!(
        store
            .update_component(
                second.id,
                ComponentPatch {
                    name: Some("SHARED".into()),
                    ..Default::default()
                },
            )
            .await,
        Err(StoreError::Conflict(ConflictOn::Name))
    ));
}

pub async fn handlers_of_many_reads_a_page_at_once(t: TestStore) {
    let (_dir, store, user) = setup(t).await;
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
