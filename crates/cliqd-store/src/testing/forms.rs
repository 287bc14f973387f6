//! Form sessions: created, read back only in their organization, updated while open, closed
//! once, purged when closed or expired.

use super::TestStore;
use crate::*;
use serde_json::json;

fn session(id: &str, expires_at: i64) -> FormSessionRow {
    FormSessionRow {
        id: id.into(),
        org_id: 1,
        user_id: 2,
        component_id: 3,
        chat_id: Some("CT_1".into()),
        message_id: Some("m1".into()),
        form: json!({"type": "form", "name": "a", "inputs": []}),
        created_at: 10,
        expires_at,
        closed: false,
    }
}

pub async fn form_sessions_live_until_closed_or_expired(t: TestStore) {
    let store = t.store.as_ref();
    let a = session("fa", 1_000);
    store.create_form_session(a.clone()).await.unwrap();
    store.create_form_session(session("fb", 50)).await.unwrap();
    store
        .create_form_session(session("fc", 5_000))
        .await
        .unwrap();
    assert_eq!(store.form_session(1, "fa").await.unwrap(), a);
    assert!(matches!(
        store.form_session(2, "fa").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.form_session(1, "nope").await,
        Err(StoreError::NotFound)
    ));

    let next = json!({"type": "form", "name": "b", "inputs": [{"name": "x"}]});
    store
        .update_form_session("fa", next.clone(), 2_000)
        .await
        .unwrap();
    let got = store.form_session(1, "fa").await.unwrap();
    assert_eq!((got.form, got.expires_at, got.closed), (next, 2_000, false));

    assert!(store.close_form_session("fa").await.unwrap());
    assert!(!store.close_form_session("fa").await.unwrap());
    assert!(store.form_session(1, "fa").await.unwrap().closed);
    assert!(matches!(
        store.update_form_session("fa", json!({}), 3_000).await,
        Err(StoreError::NotFound)
    ));

    // At 100: "fa" is closed and "fb" expired; "fc" stays.
    assert_eq!(store.purge_form_sessions(100).await.unwrap(), 2);
    assert!(store.form_session(1, "fc").await.is_ok());
    assert!(matches!(
        store.form_session(1, "fb").await,
        Err(StoreError::NotFound)
    ));
}
