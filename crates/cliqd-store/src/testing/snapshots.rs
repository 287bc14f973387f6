//! Snapshots: save, restore and wipe the whole store, with writes before and after.

use super::TestStore;
use crate::*;

fn user(org_id: i64, email: &str) -> NewUser {
    NewUser {
        org_id,
        email: email.into(),
        name: email.into(),
        is_admin: false,
    }
}

pub async fn snapshots_save_restore_and_wipe(t: TestStore) {
    let (store, _guard) = t.into_parts();
    assert!(store.list_snapshots().await.unwrap().is_empty());
    let org = store.create_org("Before").await.unwrap();
    let kept = store.create_user(user(org.id, "kept@o")).await.unwrap();
    let saved = store.save_snapshot("base").await.unwrap();
    assert_eq!(saved.name, "base");
    assert!(saved.bytes > 0);

    // Written after the snapshot: gone once it is restored, ids included.
    let later = store.create_user(user(org.id, "later@o")).await.unwrap();
    store.restore_snapshot("base").await.unwrap();
    assert_eq!(store.user_by_id(kept.id).await.unwrap(), kept);
    assert!(matches!(
        store.user_by_email("later@o").await,
        Err(StoreError::NotFound)
    ));
    // The store goes on writing after a restore, from the restored counters.
    let again = store.create_user(user(org.id, "again@o")).await.unwrap();
    assert_eq!(again.id, later.id, "ids continue from the snapshot's");

    // Saving under a name replaces it; listing names each once.
    store.save_snapshot("base").await.unwrap();
    store.save_snapshot("other").await.unwrap();
    let names: Vec<String> = store
        .list_snapshots()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["base", "other"]);

    store.wipe().await.unwrap();
    assert!(store.is_empty().await.unwrap());
    assert!(matches!(
        store.user_by_id(kept.id).await,
        Err(StoreError::NotFound)
    ));
    let fresh = store.create_org("After").await.unwrap();
    assert_eq!(fresh.id, org.id, "a wiped store numbers from the start");
    store.restore_snapshot("base").await.unwrap();
    assert_eq!(store.user_by_email("again@o").await.unwrap(), again);

    assert!(matches!(
        store.restore_snapshot("missing").await,
        Err(StoreError::NotFound)
    ));
    for bad in ["../escape", ".hidden", ""] {
        assert!(
            matches!(store.save_snapshot(bad).await, Err(StoreError::Other(_))),
            "{bad:?}"
        );
    }
}
