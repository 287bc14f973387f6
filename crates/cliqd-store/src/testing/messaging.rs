//! Messaging store behaviour: membership refusals, threads, reading shapes, and the change
//! feed (only committed writes, in commit order).

use super::{Guard, TestStore};
use crate::*;
use serde_json::json;
use std::sync::Arc;

/// A store with one organization, users A and B, and the organization channel `general`.
pub async fn setup(t: TestStore) -> (Guard, Arc<dyn Store>, UserRow, UserRow, ChannelRow) {
    let (store, dir) = t.into_parts();
    let org = store.create_org("o").await.unwrap();
    let mut users = Vec::new();
    for (i, name) in ["A", "B"].iter().enumerate() {
        users.push(
            store
                .create_user(NewUser {
                    org_id: org.id,
                    email: format!("{i}@o"),
                    name: name.to_string(),
                    is_admin: false,
                })
                .await
                .unwrap(),
        );
    }
    let channel = store
        .create_channel(NewChannel {
            org_id: org.id,
            kind: "organization".into(),
            name: "General".into(),
            unique_name: "general".into(),
            description: String::new(),
            creator_id: users[0].id,
            team_ids: vec![],
            members: vec![],
        })
        .await
        .unwrap();
    let b = users.pop().unwrap();
    let a = users.pop().unwrap();
    (dir, store, a, b, channel)
}

pub fn post(user: &UserRow, target: PostTarget, text: &str) -> NewPost {
    NewPost {
        org_id: user.org_id,
        target,
        sender_id: user.id,
        bot_id: None,
        kind: "text".into(),
        body: json!({"text": text}),
        reply_to: None,
        thread_message_id: None,
        thread_title: None,
        mentions: Vec::new(),
    }
}

/// What [`MessagingStore::member_page_into`] hands its sink, collected as owned rows.
#[derive(Default)]
struct Collect(Vec<MessageRow>);

impl PageSink for Collect {
    fn message(&mut self, m: &MessageRef<'_>) -> StoreResult<()> {
        let row = m.to_row();
        self.0
            .push(row.map_err(|e| crate::StoreError::Other(format!("a stored body: {e}")))?);
        Ok(())
    }
}

/// [`MessagingStore::member_page_into`] with a sink that collects the rows, checked to be
/// exactly what [`MessagingStore::member_page`] returns (the same refusals, the same rows).
async fn page_into(
    store: &dyn Store,
    org_id: i64,
    chat_id: &str,
    user_id: i64,
    page: Option<MessageQuery>,
) -> StoreResult<(bool, Vec<MessageRow>)> {
    let rows = store
        .member_page(org_id, chat_id, user_id, page.clone())
        .await;
    let visited = store
        .member_page_into(
            org_id,
            chat_id,
            user_id,
            page.clone(),
            Box::new(Collect::default()),
        )
        .await
        .map(|(member, sink)| {
            let sink: Box<dyn std::any::Any> = sink;
            let mut rows = sink.downcast::<Collect>().unwrap().0;
            rows.sort_by_key(|m| m.seq);
            (member, rows)
        });
    match (&rows, &visited) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{page:?}"),
        (Err(StoreError::NotFound), Err(StoreError::NotFound)) => {}
        _ => panic!("member_page {rows:?} but member_page_into {visited:?} for {page:?}"),
    }
    visited
}

/// The seq of the newest message of `chat_id`, read by its member `user_id`.
async fn rows_seq_max(store: &dyn Store, org_id: i64, chat_id: &str, user_id: i64) -> i64 {
    let q = MessageQuery {
        chat_id: chat_id.to_string(),
        from_time: None,
        to_time: None,
        after_seq: None,
        limit: 1,
    };
    let (_, rows) = store
        .member_page(org_id, chat_id, user_id, Some(q))
        .await
        .unwrap();
    rows.last().map_or(0, |m| m.seq)
}

pub async fn refusals_write_nothing_and_publish_nothing(t: TestStore) {
    let (_dir, store, a, b, channel) = setup(t).await;
    let mut events = store.chat_events();
    let by_name = PostTarget::ChannelUniqueName("general".into());
    assert_eq!(
        store
            .post_message(post(&b, by_name.clone(), "x"))
            .await
            .unwrap(),
        Err(Refusal::NotMember)
    );
    assert_eq!(
        store
            .post_message(post(&a, PostTarget::ChannelUniqueName("nope".into()), "x"))
            .await
            .unwrap(),
        Err(Refusal::ChannelNotFound)
    );
    let mut bot_post = post(&a, by_name.clone(), "x");
    bot_post.bot_id = Some(1);
    assert_eq!(
        store.post_message(bot_post).await.unwrap(),
        Err(Refusal::BotNotMember)
    );
    assert!(matches!(
        store
            .edit_message(&channel.chat_id, "1_1", json!({}), Vec::new())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        events.try_recv().is_err(),
        "no event for refused or failed writes"
    );
    let m = store
        .post_message(post(&a, by_name, "ok"))
        .await
        .unwrap()
        .unwrap();
    let ev = events.recv().await.unwrap();
    assert_eq!(ev.acl_chat_id, channel.chat_id);
    assert_eq!(ev.kind, ChatEventKind::MessageCreated(m));
}

pub async fn events_follow_commit_order(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let store = Arc::new(store);
    let mut events = store.chat_events();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (store, a, chat) = (store.clone(), a.clone(), channel.chat_id.clone());
        tasks.push(tokio::spawn(async move {
            store
                .post_message(post(&a, PostTarget::Chat(chat), &format!("m{i}")))
                .await
                .unwrap()
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut seqs = Vec::new();
    for _ in 0..200 {
        match events.recv().await.unwrap().kind {
            ChatEventKind::MessageCreated(m) => seqs.push(m.seq),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let rows = store
        .list_messages(MessageQuery {
            chat_id: channel.chat_id.clone(),
            from_time: None,
            to_time: None,
            after_seq: Some(0),
            limit: 500,
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 200);
    assert!(
        rows.windows(2)
            .all(|w| w[0].time <= w[1].time && w[0].seq < w[1].seq)
    );
}

pub async fn threads_and_reading_shapes(t: TestStore) {
    let (_dir, store, a, b, channel) = setup(t).await;
    let chat = channel.chat_id.clone();
    let mut ids = Vec::new();
    for i in 0..5 {
        let m = store
            .post_message(post(&a, PostTarget::Chat(chat.clone()), &format!("m{i}")))
            .await
            .unwrap()
            .unwrap();
        ids.push(m);
    }
    let q = |from_time, to_time, after_seq, limit| MessageQuery {
        chat_id: chat.clone(),
        from_time,
        to_time,
        after_seq,
        limit,
    };
    let texts = |rows: Vec<MessageRow>| -> Vec<String> {
        rows.iter()
            .map(|r| r.body["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        texts(store.list_messages(q(None, None, None, 2)).await.unwrap()),
        ["m3", "m4"]
    );
    assert_eq!(
        texts(
            store
                .list_messages(q(Some(0), None, None, 2))
                .await
                .unwrap()
        ),
        ["m0", "m1"]
    );
    assert_eq!(
        texts(
            store
                .list_messages(q(None, None, Some(ids[2].seq), 10))
                .await
                .unwrap()
        ),
        ["m3", "m4"]
    );
    assert!(
        store
            .list_messages(q(None, Some(ids[0].time - 1), None, 10))
            .await
            .unwrap()
            .is_empty()
    );

    // A thread under m1: its own chat, membership from the channel.
    let mut t = post(&a, PostTarget::Chat(chat.clone()), "reply");
    t.thread_message_id = Some(ids[1].id.clone());
    let reply = store.post_message(t.clone()).await.unwrap().unwrap();
    assert!(reply.chat_id.contains("-T-"));
    let again = store.post_message(t).await.unwrap().unwrap();
    assert_eq!(again.chat_id, reply.chat_id, "one thread per parent");
    let thread = store.get_chat(a.org_id, &reply.chat_id).await.unwrap();
    assert_eq!(thread.acl_chat_id, chat);
    assert_eq!(
        thread.thread_message_id.as_deref(),
        Some(ids[1].id.as_str())
    );
    assert!(!store.is_member(&thread.id, b.id).await.unwrap());
    store
        .add_chat_members(&thread.id, vec![b.id])
        .await
        .unwrap();
    assert!(
        store.is_member(&thread.id, b.id).await.unwrap(),
        "joining the parent"
    );
    // A user's chats list the threads they follow, not the others of their chats.
    let listed = |rows: Vec<ChatRow>| rows.iter().any(|c| c.id == thread.id);
    assert!(
        listed(store.chats_of_user(a.id).await.unwrap()),
        "poster follows"
    );
    assert!(!listed(store.chats_of_user(b.id).await.unwrap()));
    store.follow_thread(&thread.id, vec![b.id]).await.unwrap();
    assert!(listed(store.chats_of_user(b.id).await.unwrap()));
    let parent = store.get_message(&chat, &ids[1].id).await.unwrap();
    assert_eq!(parent.thread_chat_id.as_deref(), Some(thread.id.as_str()));
    let mut nested = post(&a, PostTarget::Chat(thread.id.clone()), "x");
    nested.thread_message_id = Some(reply.id.clone());
    assert_eq!(
        store.post_message(nested).await.unwrap(),
        Err(Refusal::NestedThread)
    );
}

pub async fn refused_thread_posts_open_no_thread_even_in_a_shared_batch(t: TestStore) {
    let (_dir, store, a, b, channel) = setup(t).await;
    store
        .add_chat_members(&channel.chat_id, vec![b.id])
        .await
        .unwrap();
    let chat = PostTarget::Chat(channel.chat_id.clone());
    let parent = store
        .post_message(post(&a, chat.clone(), "parent"))
        .await
        .unwrap()
        .unwrap();
    let mut events = store.chat_events();
    let store = Arc::new(store);
    // Refused posts (bad reply_to) race good ones into the writer's batches.
    let mut jobs = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        let mut p = post(&b, chat.clone(), &format!("m{i}"));
        if i % 2 == 0 {
            p.thread_message_id = Some(parent.id.clone());
            p.reply_to = Some("1_1".into());
        }
        jobs.push(tokio::spawn(async move { store.post_message(p).await }));
    }
    let mut refused = 0;
    for j in jobs {
        match j.await.unwrap().unwrap() {
            Err(r) => {
                assert_eq!(r, Refusal::ReplyToNotFound);
                refused += 1;
            }
            Ok(m) => assert_eq!(m.chat_id, channel.chat_id),
        }
    }
    assert_eq!(refused, 10);
    let parent_now = store
        .get_message(&channel.chat_id, &parent.id)
        .await
        .unwrap();
    assert_eq!(parent_now.thread_chat_id, None, "no thread was opened");
    for _ in 0..10 {
        let ev = events.recv().await.unwrap();
        assert!(
            matches!(ev.kind, ChatEventKind::MessageCreated(_)),
            "{ev:?}"
        );
    }
    assert!(events.try_recv().is_err());
}

pub async fn following_closing_and_muting(t: TestStore) {
    let (_dir, store, a, b, channel) = setup(t).await;
    store
        .add_chat_members(&channel.chat_id, vec![b.id])
        .await
        .unwrap();
    let chat = PostTarget::Chat(channel.chat_id.clone());
    let parent = store
        .post_message(post(&a, chat.clone(), "parent"))
        .await
        .unwrap()
        .unwrap();
    let mut start = post(&b, chat.clone(), "reply");
    start.thread_message_id = Some(parent.id.clone());
    let reply = store
        .post_message_with(
            start,
            PostOptions {
                post_in_parent: true,
            },
        )
        .await
        .unwrap()
        .unwrap();
    let thread = reply.chat_id.clone();
    let ids = |v: Vec<UserRow>| v.iter().map(|u| u.id).collect::<Vec<_>>();
    // The parent's sender and the poster follow.
    let mut followers = ids(store.thread_followers(&thread).await.unwrap());
    followers.sort();
    assert_eq!(followers, vec![a.id, b.id]);
    assert!(store.thread_nonfollowers(&thread).await.unwrap().is_empty());
    assert_eq!(
        store
            .unfollow_thread(&thread, vec![a.id, a.id])
            .await
            .unwrap(),
        vec![a.id]
    );
    assert!(!store.is_following(&thread, a.id).await.unwrap());
    assert_eq!(
        ids(store.thread_nonfollowers(&thread).await.unwrap()),
        vec![a.id]
    );
    // The copy in the parent chat names the thread and the reply.
    let page = store
        .list_messages(MessageQuery {
            chat_id: channel.chat_id.clone(),
            from_time: None,
            to_time: None,
            after_seq: None,
            limit: 10,
        })
        .await
        .unwrap();
    let copy = page.last().unwrap();
    assert_eq!(copy.origin_chat_id.as_deref(), Some(thread.as_str()));
    assert_eq!(copy.origin_message_id.as_deref(), Some(reply.id.as_str()));
    // A member who leaves the parent chat drops out of the followers.
    store
        .remove_chat_member(&channel.chat_id, b.id)
        .await
        .unwrap();
    assert!(store.thread_followers(&thread).await.unwrap().is_empty());
    // Closing refuses posts; reopening allows them again.
    assert!(store.set_thread_closed(&thread, true).await.unwrap());
    assert!(!store.set_thread_closed(&thread, true).await.unwrap());
    assert!(store.get_chat(a.org_id, &thread).await.unwrap().closed);
    let target = PostTarget::Chat(thread.clone());
    assert_eq!(
        store
            .post_message(post(&a, target.clone(), "late"))
            .await
            .unwrap(),
        Err(Refusal::ThreadClosed)
    );
    assert!(store.set_thread_closed(&thread, false).await.unwrap());
    assert!(
        store
            .post_message(post(&a, target, "ok"))
            .await
            .unwrap()
            .is_ok()
    );
    // Closing applies to threads only.
    assert!(
        !store
            .set_thread_closed(&channel.chat_id, true)
            .await
            .unwrap()
    );
    // Muting is per user and idempotent.
    assert!(store.set_chat_muted(&thread, a.id, true).await.unwrap());
    assert!(!store.set_chat_muted(&thread, a.id, true).await.unwrap());
    assert!(store.is_muted(&thread, a.id).await.unwrap());
    assert!(!store.is_muted(&thread, b.id).await.unwrap());
    assert!(store.set_chat_muted(&thread, a.id, false).await.unwrap());
    assert!(!store.is_muted(&thread, a.id).await.unwrap());
}

/// The reads every get-messages and chats list starts with: a chat with the caller's
/// membership in one read, and what a listing shows of each chat; and message bodies read
/// back as their stored JSON text.
pub async fn member_reads_listings_and_stored_bodies(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let (chat, member) = store
        .chat_for_member(a.org_id, &general.chat_id, a.id)
        .await
        .unwrap();
    assert_eq!((chat.id.as_str(), member), (general.chat_id.as_str(), true));
    let (_, member) = store
        .chat_for_member(b.org_id, &general.chat_id, b.id)
        .await
        .unwrap();
    assert!(!member, "B never joined #general");
    let other = store.create_org("other").await.unwrap();
    for (org, id) in [(other.id, general.chat_id.as_str()), (a.org_id, "CT_0_0")] {
        assert!(matches!(
            store.chat_for_member(org, id, a.id).await,
            Err(StoreError::NotFound)
        ));
    }

    // The chat, the membership and a page in one read; a non-member gets no page.
    store
        .post_message(post(&a, PostTarget::Chat(general.chat_id.clone()), "hello"))
        .await
        .unwrap()
        .unwrap();
    let page = |chat_id: &str| MessageQuery {
        chat_id: chat_id.to_string(),
        from_time: None,
        to_time: None,
        after_seq: None,
        limit: 10,
    };
    let (member, rows) = page_into(
        store.as_ref(),
        a.org_id,
        &general.chat_id,
        a.id,
        Some(page("ignored")),
    )
    .await
    .unwrap();
    assert_eq!((member, rows.len()), (true, 1));
    assert_eq!(rows[0].body["text"], "hello");
    let (member, rows) = page_into(
        store.as_ref(),
        b.org_id,
        &general.chat_id,
        b.id,
        Some(page("")),
    )
    .await
    .unwrap();
    assert_eq!((member, rows.len()), (false, 0));
    let (member, rows) = page_into(store.as_ref(), a.org_id, &general.chat_id, a.id, None)
        .await
        .unwrap();
    assert_eq!((member, rows.len()), (true, 0), "no page asked for");
    assert!(matches!(
        page_into(store.as_ref(), other.id, &general.chat_id, a.id, None).await,
        Err(StoreError::NotFound)
    ));
    // A member asking from another organization reads nothing, whatever the chat holds.
    assert!(matches!(
        page_into(
            store.as_ref(),
            other.id,
            &general.chat_id,
            a.id,
            Some(page(""))
        )
        .await,
        Err(StoreError::NotFound)
    ));
    // A page after the last message: a member's empty page.
    let after_last = MessageQuery {
        after_seq: Some(rows_seq_max(store.as_ref(), a.org_id, &general.chat_id, a.id).await),
        ..page("")
    };
    let (member, rows) = page_into(
        store.as_ref(),
        a.org_id,
        &general.chat_id,
        a.id,
        Some(after_last.clone()),
    )
    .await
    .unwrap();
    assert_eq!((member, rows.len()), (true, 0), "nothing after the last");
    let (member, rows) = page_into(
        store.as_ref(),
        b.org_id,
        &general.chat_id,
        b.id,
        Some(after_last),
    )
    .await
    .unwrap();
    assert_eq!(
        (member, rows.len()),
        (false, 0),
        "not a member, nothing after the last"
    );

    let dm = store.open_direct_chat(a.org_id, a.id, b.id).await.unwrap();
    store.set_chat_muted(&dm.id, a.id, true).await.unwrap();
    let chats = [chat, dm];
    let listings = store.chat_listings(&chats, a.id).await.unwrap();
    let seen: Vec<(bool, i64, Option<&str>)> = listings
        .iter()
        .map(|l| (l.muted, l.participant_count, l.creator_name.as_deref()))
        .collect();
    assert_eq!(seen, [(false, 1, Some("A")), (true, 2, Some("A"))]);
    assert!(store.chat_listings(&[], a.id).await.unwrap().is_empty());

    let body = json!({"text": "é \"q\"", "card": {"title": "t"}, "n": 1.50});
    let mut p = post(&a, PostTarget::Chat(general.chat_id.clone()), "");
    p.body = body.clone();
    let posted = store.post_message(p).await.unwrap().unwrap();
    assert_eq!(posted.body, body);
    let read = store
        .get_message(&general.chat_id, &posted.id)
        .await
        .unwrap();
    assert_eq!(read.body.text(), body.to_string());
    assert_eq!(read.body, posted.body);
    assert_eq!(*read.body, body);

    // A reply that mentions someone, read back whole by a page (the page reads its columns
    // one by one, borrowed: every field must come back).
    let mut p = post(&a, PostTarget::Chat(general.chat_id.clone()), "@B hi");
    p.reply_to = Some(posted.id.clone());
    p.mentions = vec![MentionRow {
        kind: MentionKind::User,
        id: b.id.to_string(),
        name: "B".into(),
        dname: Some("@B".into()),
        first_name: None,
        last_name: None,
        email: Some("1@o".into()),
        silent: false,
    }];
    let reply = store.post_message(p).await.unwrap().unwrap();
    let (_, rows) = page_into(
        store.as_ref(),
        a.org_id,
        &general.chat_id,
        a.id,
        Some(page(&general.chat_id)),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2], reply);
    assert_eq!(rows[2].mentions.len(), 1);
}

/// Time bounds and cursors agree with a model of the chat: every combination of `fromtime`,
/// `totime`, cursor and limit over messages that share milliseconds, with gaps left by
/// deleted messages, returns what filtering the whole chat would.
pub async fn time_bounds_and_cursors_match_a_model(t: TestStore) {
    let (_dir, store, a, _b, channel) = setup(t).await;
    let chat = channel.chat_id.clone();
    // Bursts posted together share a millisecond or a few; the pauses separate them.
    for burst in 0..12 {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..(1 + burst % 4) {
            let (store, p) = (
                store.clone(),
                post(&a, PostTarget::Chat(chat.clone()), &format!("b{burst}.{i}")),
            );
            set.spawn(async move { store.post_message(p).await });
        }
        while let Some(m) = set.join_next().await {
            m.unwrap().unwrap().unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let all_query = MessageQuery {
        chat_id: chat.clone(),
        from_time: None,
        to_time: None,
        after_seq: None,
        limit: 1000,
    };
    let all = store.list_messages(all_query.clone()).await.unwrap();
    // Delete every third message, and the first and the last: gaps at both ends.
    for (i, m) in all.iter().enumerate() {
        if i % 3 == 1 || i == 0 || i + 1 == all.len() {
            store.delete_message(&chat, &m.id).await.unwrap();
        }
    }
    let kept = store.list_messages(all_query).await.unwrap();
    assert!(
        kept.windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].time <= w[1].time)
    );
    let (first, last) = (all[0].time, all[all.len() - 1].time);
    let mut times: Vec<Option<i64>> = vec![None, Some(i64::MIN), Some(i64::MAX)];
    times.extend((first - 2..=last + 2).map(Some));
    let mut cursors: Vec<Option<i64>> = vec![None, Some(0)];
    cursors.extend(all.iter().map(|m| Some(m.seq)));
    for from_time in &times {
        for to_time in times.iter().step_by(3) {
            for after_seq in cursors.iter().step_by(3) {
                for limit in [1u32, 2, 100] {
                    let q = MessageQuery {
                        chat_id: chat.clone(),
                        from_time: *from_time,
                        to_time: *to_time,
                        after_seq: *after_seq,
                        limit,
                    };
                    let matching: Vec<&MessageRow> = kept
                        .iter()
                        .filter(|m| from_time.is_none_or(|t| m.time >= t))
                        .filter(|m| to_time.is_none_or(|t| m.time <= t))
                        .filter(|m| after_seq.is_none_or(|s| m.seq > s))
                        .collect();
                    // Oldest first from a lower bound; otherwise the newest `limit`.
                    let expected: Vec<&str> = if from_time.is_some() || after_seq.is_some() {
                        matching
                            .iter()
                            .take(limit as usize)
                            .map(|m| m.id.as_str())
                            .collect()
                    } else {
                        let skip = matching.len().saturating_sub(limit as usize);
                        matching.iter().skip(skip).map(|m| m.id.as_str()).collect()
                    };
                    let got = store.list_messages(q.clone()).await.unwrap();
                    let ids: Vec<&str> = got.iter().map(|m| m.id.as_str()).collect();
                    assert_eq!(ids, expected, "{q:?}");
                    // The page read as the store visits it is the same page.
                    let (_, visited) =
                        page_into(store.as_ref(), a.org_id, &chat, a.id, Some(q.clone()))
                            .await
                            .unwrap();
                    assert_eq!(visited, got, "{q:?}");
                }
            }
        }
    }
}
