//! Webhook execution's rows: an organization's signing key and a component's secret are kept
//! once (the first writer wins, so concurrent first uses agree) unless a secret is rotated;
//! a `response_url` token is used at most its number of times and never after its expiry.

use super::TestStore;
use crate::*;
use serde_json::json;

pub async fn keys_and_secrets_are_kept_once_unless_rotated(t: TestStore) {
    let store = t.store.as_ref();
    assert_eq!(store.signing_key(1).await.unwrap(), None);
    assert_eq!(store.keep_signing_key(1, "a".into()).await.unwrap(), "a");
    assert_eq!(store.keep_signing_key(1, "b".into()).await.unwrap(), "a");
    assert_eq!(store.signing_key(1).await.unwrap().as_deref(), Some("a"));
    assert_eq!(store.signing_key(2).await.unwrap(), None);
    assert_eq!(store.webhook_secret(7).await.unwrap(), None);
    let kept = |s: &str, replace| store.keep_webhook_secret(7, s.to_string(), replace);
    assert_eq!(kept("s1", false).await.unwrap(), "s1");
    assert_eq!(kept("s2", false).await.unwrap(), "s1");
    assert_eq!(kept("s3", true).await.unwrap(), "s3");
    assert_eq!(
        store.webhook_secret(7).await.unwrap().as_deref(),
        Some("s3")
    );
}

pub async fn response_tokens_expire_and_run_out(t: TestStore) {
    let store = t.store.as_ref();
    let now = 1_000_000;
    let token = |hash: &str, expires_at| NewResponseToken {
        token_hash: hash.into(),
        org_id: 1,
        component_id: 7,
        handler_id: 3,
        user_id: 2,
        deliver: json!({"kind": "chat", "chat_id": "CT_1"}),
        expires_at,
        uses: 2,
    };
    store
        .create_response_token(token("h", now + 1000))
        .await
        .unwrap();
    let first = store.use_response_token("h", now).await.unwrap().unwrap();
    assert_eq!(first.uses_left, 1);
    assert_eq!(first.token, token("h", now + 1000));
    assert_eq!(
        store
            .use_response_token("h", now)
            .await
            .unwrap()
            .unwrap()
            .uses_left,
        0
    );
    assert_eq!(store.use_response_token("h", now).await.unwrap(), None);
    assert_eq!(store.use_response_token("x", now).await.unwrap(), None);
    store
        .create_response_token(token("late", now + 1000))
        .await
        .unwrap();
    assert_eq!(
        store.use_response_token("late", now + 1001).await.unwrap(),
        None
    );
    assert!(
        store
            .use_response_token("late", now + 1000)
            .await
            .unwrap()
            .is_some()
    );
}
