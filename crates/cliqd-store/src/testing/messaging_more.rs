//! More messaging rules: channels and chats and their members, bots (association, bot chats,
//! subscriptions), edits, deletes and reactions on the feed, replies and thread follows,
//! per-chat event order, webhook tokens.

use super::TestStore;
use super::messaging::{post, setup};
use crate::*;
use serde_json::json;
use std::sync::Arc;

pub(super) async fn user(store: &dyn Store, org_id: i64, email: &str, name: &str) -> UserRow {
    store
        .create_user(NewUser {
            org_id,
            email: email.into(),
            name: name.into(),
            is_admin: false,
        })
        .await
        .unwrap()
}

async fn bot_component(store: &dyn Store, owner: &UserRow, name: &str) -> ComponentRow {
    store
        .create_component(super::components::bot(owner, name))
        .await
        .unwrap()
}

fn ids(users: &[UserRow]) -> Vec<i64> {
    let mut v: Vec<i64> = users.iter().map(|u| u.id).collect();
    v.sort();
    v
}

pub async fn channels_and_chats(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let other_org = store.create_org("other").await.unwrap();
    let stranger = user(store.as_ref(), other_org.id, "s@x", "S").await;
    assert_eq!(
        store.channel_by_id(a.org_id, &general.id).await.unwrap(),
        general
    );
    assert_eq!(
        store
            .channel_by_unique_name(a.org_id, "general")
            .await
            .unwrap(),
        general
    );
    assert!(matches!(
        store.channel_by_id(other_org.id, &general.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(general.id.starts_with('O'));
    assert_eq!(general.member_count, 1);
    let taken = store
        .create_channel(NewChannel {
            org_id: a.org_id,
            kind: "team".into(),
            name: "Other".into(),
            unique_name: "general".into(),
            description: String::new(),
            creator_id: b.id,
            team_ids: vec![],
            members: vec![],
        })
        .await;
    assert!(matches!(
        taken,
        Err(StoreError::Conflict(ConflictOn::UniqueName))
    ));
    let team = store
        .create_channel(NewChannel {
            org_id: a.org_id,
            kind: "team".into(),
            name: "Team".into(),
            unique_name: "team".into(),
            description: "d".into(),
            creator_id: b.id,
            team_ids: vec![],
            members: vec![a.id],
        })
        .await
        .unwrap();
    assert!(team.id.starts_with('T'));
    assert_eq!(team.member_count, 2);
    let of_a: Vec<String> = store
        .channels_of_user(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(of_a, vec![general.id.clone(), team.id.clone()]);
    assert_eq!(ids(&store.chat_members(&team.chat_id).await.unwrap()), {
        let mut v = vec![a.id, b.id];
        v.sort();
        v
    });

    // Members: only users of the chat's org; adding and removing say what changed.
    let mut events = store.chat_events();
    assert!(matches!(
        store
            .add_chat_members(&general.chat_id, vec![stranger.id])
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .add_chat_members(&general.chat_id, vec![a.id, b.id])
            .await
            .unwrap(),
        vec![b.id]
    );
    let joined = events.recv().await.unwrap();
    assert_eq!(joined.acl_chat_id, general.chat_id);
    assert_eq!(joined.seq, 0, "no message in the chat yet");
    assert_eq!(
        joined.kind,
        ChatEventKind::MemberJoined {
            chat_id: general.chat_id.clone(),
            user_id: b.id
        }
    );
    assert!(store.is_member(&general.chat_id, b.id).await.unwrap());
    assert!(
        store
            .remove_chat_member(&general.chat_id, b.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_chat_member(&general.chat_id, b.id)
            .await
            .unwrap()
    );
    assert_eq!(
        events.recv().await.unwrap().kind,
        ChatEventKind::MemberLeft {
            chat_id: general.chat_id.clone(),
            user_id: b.id
        }
    );
    assert!(!store.is_member(&general.chat_id, b.id).await.unwrap());

    // Direct chats are opened once per pair, either way round.
    let dm = store.open_direct_chat(a.org_id, a.id, b.id).await.unwrap();
    assert_eq!(dm.kind, "direct_message");
    assert_eq!(
        store
            .open_direct_chat(a.org_id, b.id, a.id)
            .await
            .unwrap()
            .id,
        dm.id
    );
    assert!(matches!(
        store.open_direct_chat(a.org_id, a.id, stranger.id).await,
        Err(StoreError::NotFound)
    ));
    let group = store
        .create_group_chat(a.org_id, a.id, "Lunch", vec![b.id])
        .await
        .unwrap();
    assert_eq!(
        (group.kind.as_str(), group.title.as_str()),
        ("group_chat", "Lunch")
    );
    assert_eq!(group.acl_chat_id, group.id);
    assert_eq!(
        store.get_chat(a.org_id, &group.id).await.unwrap().id,
        group.id
    );
    assert!(matches!(
        store.get_chat(other_org.id, &group.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(ids(&store.chat_members(&group.id).await.unwrap()), {
        let mut v = vec![a.id, b.id];
        v.sort();
        v
    });
    let mut chat_ids = store.chat_ids_of_user(b.id).await.unwrap();
    chat_ids.sort();
    let mut expected = vec![team.chat_id.clone(), dm.id.clone(), group.id.clone()];
    expected.sort();
    assert_eq!(chat_ids, expected);
    // Most recently active first.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store
        .post_message(post(&b, PostTarget::Chat(dm.id.clone()), "hi"))
        .await
        .unwrap()
        .unwrap();
    let chats = store.chats_of_user(b.id).await.unwrap();
    assert_eq!(chats.len(), 3);
    assert_eq!(chats[0].id, dm.id);
}

pub async fn bots_post_only_where_associated(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let bot = bot_component(store.as_ref(), &a, "Helper").await;
    let mut as_bot = post(&a, PostTarget::Chat(general.chat_id.clone()), "beep");
    as_bot.bot_id = Some(bot.id);
    assert_eq!(
        store.post_message(as_bot.clone()).await.unwrap(),
        Err(Refusal::BotNotMember)
    );
    assert!(store.associate_bot(&general.id, bot.id).await.unwrap());
    assert!(!store.associate_bot(&general.id, bot.id).await.unwrap());
    assert_eq!(store.channel_bots(&general.id).await.unwrap(), vec![bot.id]);
    let m = store.post_message(as_bot).await.unwrap().unwrap();
    assert_eq!(m.bot_id, Some(bot.id));
    assert_eq!(m.bot_name.as_deref(), Some("Helper"));
    assert_eq!(m.sender_id, a.id);

    assert!(store.subscribe_bot(bot.id, b.id).await.unwrap());
    assert!(store.subscribe_bot(bot.id, a.id).await.unwrap());
    assert!(!store.subscribe_bot(bot.id, b.id).await.unwrap());
    assert_eq!(ids(&store.bot_subscribers(bot.id).await.unwrap()), {
        let mut v = vec![a.id, b.id];
        v.sort();
        v
    });
    assert!(store.unsubscribe_bot(bot.id, b.id).await.unwrap());
    assert!(!store.unsubscribe_bot(bot.id, b.id).await.unwrap());
    assert_eq!(
        ids(&store.bot_subscribers(bot.id).await.unwrap()),
        vec![a.id]
    );
}

/// `post_bot_messages` opens each recipient's bot chat once; a `reply_to` that is not in every
/// recipient's bot chat writes nothing.
pub async fn bot_messages_and_reply_to(t: TestStore) {
    let (_dir, store, a, b, _general) = setup(t).await;
    let bot = bot_component(store.as_ref(), &a, "Notifier").await;
    let sent = store
        .post_bot_messages(
            a.org_id,
            bot.id,
            a.id,
            vec![a.id, b.id],
            "text".into(),
            json!({"text": "one"}),
            None,
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[0].0, sent[1].0), (a.id, b.id));
    let chat_b = store.get_chat(a.org_id, &sent[1].1.chat_id).await.unwrap();
    assert_eq!(chat_b.kind, "bot");
    assert_eq!(chat_b.bot_id, Some(bot.id));
    assert!(chat_b.id.ends_with("-B2"));
    assert!(store.is_member(&chat_b.id, b.id).await.unwrap());
    assert!(!store.is_member(&chat_b.id, a.id).await.unwrap());
    assert_eq!(sent[1].1.bot_id, Some(bot.id));
    let again = store
        .post_bot_messages(
            a.org_id,
            bot.id,
            a.id,
            vec![b.id],
            "text".into(),
            json!({"text": "two"}),
            Some(sent[1].1.id.clone()),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(again[0].1.chat_id, chat_b.id, "one bot chat per user");
    assert_eq!(again[0].1.reply_to.as_deref(), Some(sent[1].1.id.as_str()));
    let refused = store
        .post_bot_messages(
            a.org_id,
            bot.id,
            a.id,
            vec![b.id, a.id],
            "text".into(),
            json!({"text": "three"}),
            Some(sent[1].1.id.clone()),
            Vec::new(),
        )
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Conflict(ConflictOn::ReplyTo))
    ));
    let count = |chat: String| {
        let store = store.clone();
        async move {
            store
                .list_messages(MessageQuery {
                    chat_id: chat,
                    from_time: None,
                    to_time: None,
                    after_seq: None,
                    limit: 50,
                })
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(chat_b.id.clone()).await, 2, "nothing was written");
    assert_eq!(count(sent[0].1.chat_id.clone()).await, 1);
}

pub async fn edits_deletes_and_reactions_are_published(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    store
        .add_chat_members(&general.chat_id, vec![b.id])
        .await
        .unwrap();
    let chat = general.chat_id.clone();
    let m = store
        .post_message(post(&a, PostTarget::Chat(chat.clone()), "first"))
        .await
        .unwrap()
        .unwrap();
    let mut events = store.chat_events();
    let edited = store
        .edit_message(&chat, &m.id, json!({"text": "second"}), Vec::new())
        .await
        .unwrap();
    assert!(edited.edited);
    assert_eq!(edited.body, json!({"text": "second"}));
    assert_eq!(edited.seq, m.seq);
    assert_eq!(store.get_message(&chat, &m.id).await.unwrap(), edited);
    let ev = events.recv().await.unwrap();
    assert_eq!(ev.kind, ChatEventKind::MessageEdited(edited.clone()));
    assert_eq!(ev.seq, m.seq, "the chat's newest message");

    assert!(store.add_reaction(&chat, &m.id, "👍", b.id).await.unwrap());
    assert!(!store.add_reaction(&chat, &m.id, "👍", b.id).await.unwrap());
    assert!(store.add_reaction(&chat, &m.id, "🎉", a.id).await.unwrap());
    let reactions = store.reactions(&chat, &m.id).await.unwrap();
    assert_eq!(reactions.len(), 2);
    let thumbs = reactions.iter().find(|r| r.emoji == "👍").cloned().unwrap();
    assert_eq!((thumbs.user_id, thumbs.user_name.as_str()), (b.id, "B"));
    match events.recv().await.unwrap().kind {
        ChatEventKind::ReactionAdded {
            chat_id,
            message_id,
            reaction,
        } => {
            assert_eq!((chat_id, message_id), (chat.clone(), m.id.clone()));
            assert_eq!(reaction, thumbs);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        events.recv().await.unwrap().kind,
        ChatEventKind::ReactionAdded { .. }
    ));
    assert!(
        store
            .remove_reaction(&chat, &m.id, "👍", b.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_reaction(&chat, &m.id, "👍", b.id)
            .await
            .unwrap()
    );
    assert!(matches!(
        events.recv().await.unwrap().kind,
        ChatEventKind::ReactionRemoved { reaction, .. } if reaction == thumbs
    ));
    assert_eq!(store.reactions(&chat, &m.id).await.unwrap().len(), 1);
    assert!(matches!(
        store.add_reaction(&chat, "1_1", "👍", b.id).await,
        Err(StoreError::NotFound)
    ));

    store.delete_message(&chat, &m.id).await.unwrap();
    let ev = events.recv().await.unwrap();
    assert_eq!(
        ev.kind,
        ChatEventKind::MessageDeleted {
            chat_id: chat.clone(),
            message_id: m.id.clone()
        }
    );
    assert_eq!(
        ev.seq, m.seq,
        "a deletion does not move the chat's seq back"
    );
    assert!(matches!(
        store.get_message(&chat, &m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_message(&chat, &m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(events.try_recv().is_err(), "failed writes publish nothing");
}

pub async fn replies_and_thread_follows(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    store
        .add_chat_members(&general.chat_id, vec![b.id])
        .await
        .unwrap();
    let chat = PostTarget::Chat(general.chat_id.clone());
    let first = store
        .post_message(post(&a, chat.clone(), "question"))
        .await
        .unwrap()
        .unwrap();
    let mut reply = post(&b, chat.clone(), "answer");
    reply.reply_to = Some(first.id.clone());
    let answer = store.post_message(reply).await.unwrap().unwrap();
    assert_eq!(answer.reply_to.as_deref(), Some(first.id.as_str()));
    assert!(answer.seq > first.seq);

    // reply_to must name a message of the chat the post lands in.
    let dm = store.open_direct_chat(a.org_id, a.id, b.id).await.unwrap();
    let mut elsewhere = post(&a, PostTarget::Chat(dm.id.clone()), "x");
    elsewhere.reply_to = Some(first.id.clone());
    assert_eq!(
        store.post_message(elsewhere).await.unwrap(),
        Err(Refusal::ReplyToNotFound)
    );
    let mut no_parent = post(&a, chat.clone(), "x");
    no_parent.thread_message_id = Some("1_1".into());
    assert_eq!(
        store.post_message(no_parent).await.unwrap(),
        Err(Refusal::ThreadParentNotFound)
    );
    assert_eq!(
        store
            .post_message(post(&a, PostTarget::Chat("CT_0_0".into()), "x"))
            .await
            .unwrap(),
        Err(Refusal::ChatNotFound)
    );

    // A thread reply may answer a message of the parent chat; the poster follows the thread.
    let mut in_thread = post(&b, chat.clone(), "in thread");
    in_thread.thread_message_id = Some(first.id.clone());
    in_thread.reply_to = Some(answer.id.clone());
    in_thread.thread_title = Some("Topic".into());
    let threaded = store.post_message(in_thread).await.unwrap().unwrap();
    let thread = store.get_chat(a.org_id, &threaded.chat_id).await.unwrap();
    assert_eq!(thread.kind, "thread");
    assert_eq!(thread.title, "Topic");
    assert_eq!(
        thread.parent_chat_id.as_deref(),
        Some(general.chat_id.as_str())
    );
    assert!(store.is_following(&thread.id, b.id).await.unwrap());
    assert!(store.is_following(&thread.id, a.id).await.unwrap());
    assert_eq!(
        store.unfollow_thread(&thread.id, vec![a.id]).await.unwrap(),
        vec![a.id]
    );
    assert_eq!(
        store
            .follow_thread(&thread.id, vec![a.id, b.id])
            .await
            .unwrap(),
        vec![a.id]
    );
    assert_eq!(ids(&store.thread_followers(&thread.id).await.unwrap()), {
        let mut v = vec![a.id, b.id];
        v.sort();
        v
    });
    // Without post_in_parent no copy lands in the parent chat.
    let parent_msgs = store
        .list_messages(MessageQuery {
            chat_id: general.chat_id.clone(),
            from_time: None,
            to_time: None,
            after_seq: None,
            limit: 50,
        })
        .await
        .unwrap();
    assert_eq!(parent_msgs.len(), 2);
    assert_eq!(
        parent_msgs[0].thread_chat_id.as_deref(),
        Some(thread.id.as_str())
    );
}

/// Posts racing into two chats: each chat's events arrive in commit order, its `seq` running
/// 1, 2, 3, … with no gap.
pub async fn event_seq_increases_per_chat_across_chats(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let dm = store.open_direct_chat(a.org_id, a.id, b.id).await.unwrap();
    let mut events = store.chat_events();
    let store = Arc::new(store);
    let mut tasks = Vec::new();
    for i in 0..100 {
        let chat = if i % 2 == 0 {
            general.chat_id.clone()
        } else {
            dm.id.clone()
        };
        let (store, a) = (store.clone(), a.clone());
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
    let mut per_chat: std::collections::HashMap<String, Vec<i64>> = Default::default();
    for _ in 0..100 {
        let ev = events.recv().await.unwrap();
        match ev.kind {
            ChatEventKind::MessageCreated(m) => {
                assert_eq!(ev.seq, m.seq);
                per_chat.entry(m.chat_id).or_default().push(m.seq)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(per_chat[&general.chat_id], (1..=50).collect::<Vec<_>>());
    assert_eq!(per_chat[&dm.id], (1..=50).collect::<Vec<_>>());
}

pub async fn webhook_tokens(t: TestStore) {
    let (_dir, store, a, b, _general) = setup(t).await;
    assert!(
        store
            .create_webhook_token(a.id, "w1", "one", 2)
            .await
            .unwrap()
    );
    assert!(
        store
            .create_webhook_token(a.id, "w2", "two", 2)
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_webhook_token(a.id, "w3", "three", 2)
            .await
            .unwrap(),
        "at most `max` per user"
    );
    assert!(
        store
            .create_webhook_token(b.id, "w4", "b", 2)
            .await
            .unwrap()
    );
    assert_eq!(store.webhook_token_user("w2").await.unwrap(), a);
    assert_eq!(store.webhook_token_user("w4").await.unwrap(), b);
    assert!(matches!(
        store.webhook_token_user("w3").await,
        Err(StoreError::NotFound)
    ));
}
