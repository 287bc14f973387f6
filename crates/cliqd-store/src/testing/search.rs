//! Message search: the index follows posts, edits and deletes, only the caller's chats
//! are searched, the cursor pages without repeats, and no input is read as query syntax.

use super::TestStore;
use super::messaging::{post as new_post, setup};
use crate::*;
use serde_json::json;

/// Posts `text` as `user` in `chat`.
pub async fn post(store: &dyn Store, user: &UserRow, chat: &str, text: &str) -> MessageRow {
    store
        .post_message(new_post(user, PostTarget::Chat(chat.to_string()), text))
        .await
        .unwrap()
        .unwrap()
}

/// A search by `user` for messages with all of `phrases`.
pub fn query(user: &UserRow, phrases: &[&str]) -> MessageSearch {
    MessageSearch {
        user_id: user.id,
        phrases: phrases.iter().map(|s| s.to_string()).collect(),
        limit: 50,
        ..MessageSearch::default()
    }
}

/// The ids of the hits, in order.
pub fn ids(hits: &[SearchHit]) -> Vec<String> {
    hits.iter().map(|h| h.message.id.clone()).collect()
}

pub async fn index_follows_posts_edits_and_deletes(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let m1 = post(
        &*store,
        &a,
        &channel.chat_id,
        "Please review the updated proposal",
    )
    .await;
    let m2 = post(&*store, &a, &channel.chat_id, "lunch at noon").await;
    let hits = store
        .search_messages(query(&a, &["proposal"]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![m1.id.clone()]);
    assert_eq!(hits[0].chat_kind, "channel");
    assert_eq!(hits[0].channel_kind.as_deref(), Some("organization"));
    // Phrases must occur in order; words may be anywhere.
    let hits = store
        .search_messages(query(&a, &["updated proposal"]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![m1.id.clone()]);
    let hits = store
        .search_messages(query(&a, &["proposal updated"]))
        .await
        .unwrap();
    assert!(hits.is_empty());
    // Edit: the old words are gone from the index, the new ones found.
    store
        .edit_message(
            &channel.chat_id,
            &m2.id,
            json!({"text": "dinner proposal"}),
            Vec::new(),
        )
        .await
        .unwrap();
    assert!(
        store
            .search_messages(query(&a, &["lunch"]))
            .await
            .unwrap()
            .is_empty()
    );
    let hits = store
        .search_messages(query(&a, &["proposal"]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![m2.id.clone(), m1.id.clone()]);
    // Delete: gone from the index.
    store
        .delete_message(&channel.chat_id, &m1.id)
        .await
        .unwrap();
    let hits = store
        .search_messages(query(&a, &["proposal"]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![m2.id.clone()]);
    // No phrases: every readable message, newest first.
    let hits = store.search_messages(query(&a, &[])).await.unwrap();
    assert_eq!(ids(&hits), vec![m2.id]);
}

pub async fn only_chats_of_the_caller_and_filters(t: TestStore) {
    let (_dir, store, a, b, channel) = setup(t).await;
    post(&*store, &a, &channel.chat_id, "secret plan").await;
    // B is not in the channel: nothing, even with its chat id named.
    let mut q = query(&b, &["secret"]);
    q.chat_ids = vec![channel.chat_id.clone()];
    assert!(store.search_messages(q).await.unwrap().is_empty());
    let dm = store.open_direct_chat(a.org_id, a.id, b.id).await.unwrap();
    let d = post(&*store, &b, &dm.id, "secret handshake").await;
    let hits = store.search_messages(query(&b, &["secret"])).await.unwrap();
    assert_eq!(ids(&hits), vec![d.id.clone()]);
    assert_eq!(
        store
            .search_messages(query(&a, &["secret"]))
            .await
            .unwrap()
            .len(),
        2
    );
    // Filters: chat kind, sender, channel kind, time.
    let mut q = query(&a, &["secret"]);
    q.chat_kinds = vec!["direct_message".into()];
    assert_eq!(
        ids(&store.search_messages(q).await.unwrap()),
        vec![d.id.clone()]
    );
    let mut q = query(&a, &["secret"]);
    q.sender_ids = vec![a.id];
    assert_eq!(store.search_messages(q).await.unwrap().len(), 1);
    let mut q = query(&a, &["secret"]);
    q.channel_kinds = vec!["team".into()];
    assert!(store.search_messages(q).await.unwrap().is_empty());
    let mut q = query(&a, &["secret"]);
    q.from_time = Some(d.time + 1);
    assert!(store.search_messages(q).await.unwrap().is_empty());
    let mut q = query(&a, &["secret"]);
    q.links_only = true;
    assert!(store.search_messages(q).await.unwrap().is_empty());
}

pub async fn cursor_pages_without_repeats_and_input_is_never_syntax(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let mut posted = Vec::new();
    for i in 0..7 {
        posted.push(
            post(&*store, &a, &channel.chat_id, &format!("item {i}"))
                .await
                .id,
        );
    }
    posted.reverse();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let mut q = query(&a, &["item"]);
        q.limit = 3;
        q.before = before;
        let hits = store.search_messages(q).await.unwrap();
        if hits.is_empty() {
            break;
        }
        before = Some(hits.last().unwrap().position);
        seen.extend(ids(&hits));
    }
    assert_eq!(seen, posted);
    for weird in [
        "\"", "a\"b", "NEAR(", "*", "item OR", "-x", "col:item", "(", "AND",
    ] {
        store
            .search_messages(query(&a, &[weird]))
            .await
            .unwrap_or_else(|e| panic!("{weird}: {e}"));
    }
}

pub async fn thread_hits_name_their_parent_and_channel(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let parent = post(&*store, &a, &channel.chat_id, "parent").await;
    let reply = store
        .post_message(NewPost {
            org_id: a.org_id,
            target: PostTarget::Chat(channel.chat_id.clone()),
            sender_id: a.id,
            bot_id: None,
            kind: "text".into(),
            body: json!({"text": "threaded answer"}),
            reply_to: None,
            thread_message_id: Some(parent.id.clone()),
            thread_title: None,
            mentions: Vec::new(),
        })
        .await
        .unwrap()
        .unwrap();
    let hits = store.search_messages(query(&a, &["answer"])).await.unwrap();
    assert_eq!(ids(&hits), vec![reply.id.clone()]);
    let h = &hits[0];
    assert_eq!(h.chat_kind, "thread");
    assert_eq!(h.parent_chat_id.as_deref(), Some(channel.chat_id.as_str()));
    assert_eq!(h.parent_chat_title.as_deref(), Some("General"));
    assert_eq!(h.thread_message_id.as_deref(), Some(parent.id.as_str()));
    assert_eq!(h.channel_kind.as_deref(), Some("organization"));
    let mut q = query(&a, &["answer"]);
    q.parent_chat_id = Some(channel.chat_id.clone());
    assert_eq!(store.search_messages(q).await.unwrap().len(), 1);
}

/// Many posts in flight at once (in shared write batches) are all searchable once acknowledged.
pub async fn concurrent_posts_are_indexed_by_their_batch(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = store.clone();
        let a = a.clone();
        let chat = channel.chat_id.clone();
        set.spawn(async move { post(&*store, &a, &chat, &format!("batched word{i}")).await });
    }
    let mut posted = Vec::new();
    while let Some(m) = set.join_next().await {
        posted.push(m.unwrap().id);
    }
    let mut q = query(&a, &["batched"]);
    q.limit = 100;
    let mut found = ids(&store.search_messages(q).await.unwrap());
    found.sort();
    posted.sort();
    assert_eq!(found, posted);
}
