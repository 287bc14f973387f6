//! Mentions stored with their message: read back as posted by every read (single, list,
//! search, events, the copy in a thread's parent, bot messages), replaced by an edit, and
//! searchable by mentioned user and by having any.

use super::TestStore;
use super::messaging::{post, setup};
use super::search::{ids, query};
use crate::*;
use serde_json::json;

fn user_mention(u: &UserRow, silent: bool) -> MentionRow {
    MentionRow {
        kind: MentionKind::User,
        id: u.id.to_string(),
        name: u.name.clone(),
        dname: Some(format!("@{}", u.name)),
        first_name: Some(u.name.clone()),
        last_name: Some(String::new()),
        email: Some(u.email.clone()),
        silent,
    }
}

fn all_mention() -> MentionRow {
    MentionRow {
        kind: MentionKind::All,
        id: "all".into(),
        name: "all".into(),
        dname: Some("@all".into()),
        first_name: None,
        last_name: None,
        email: None,
        silent: false,
    }
}

pub async fn mentions_are_stored_and_read_back(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let mentions = vec![
        user_mention(&b, false),
        all_mention(),
        MentionRow {
            kind: MentionKind::Channel,
            id: general.id.clone(),
            name: general.name.clone(),
            dname: Some(format!("#{}", general.name)),
            first_name: None,
            last_name: None,
            email: None,
            silent: false,
        },
        MentionRow {
            kind: MentionKind::Bot,
            id: "b-42".into(),
            name: "Helper".into(),
            dname: None,
            first_name: None,
            last_name: None,
            email: None,
            silent: false,
        },
        MentionRow {
            silent: true,
            ..user_mention(&a, true)
        },
    ];
    assert_eq!(mentions[0].user_id(), Some(b.id));
    assert_eq!(mentions[3].bot_id(), Some(42));
    assert_eq!(mentions[1].user_id(), None);
    let mut events = store.chat_events();
    let mut p = post(&a, PostTarget::Chat(general.chat_id.clone()), "hi all");
    p.mentions = mentions.clone();
    let row = store.post_message(p).await.unwrap().unwrap();
    assert_eq!(row.mentions, mentions);
    match events.recv().await.unwrap().kind {
        ChatEventKind::MessageCreated(m) => assert_eq!(m.mentions, mentions),
        other => panic!("unexpected event {other:?}"),
    }
    let read = store.get_message(&row.chat_id, &row.id).await.unwrap();
    assert_eq!(read, row);
    let plain = store
        .post_message(post(&a, PostTarget::Chat(general.chat_id.clone()), "plain"))
        .await
        .unwrap()
        .unwrap();
    assert!(plain.mentions.is_empty());
    let listed = store
        .list_messages(MessageQuery {
            chat_id: general.chat_id.clone(),
            from_time: None,
            to_time: None,
            after_seq: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].mentions, mentions);
    assert!(listed[1].mentions.is_empty());
    // An edit replaces the body and the mentions with those of the new text.
    let mut events = store.chat_events();
    let edited = store
        .edit_message(
            &row.chat_id,
            &row.id,
            json!({"text": "edited"}),
            vec![all_mention()],
        )
        .await
        .unwrap();
    assert_eq!(edited.mentions, vec![all_mention()]);
    match events.recv().await.unwrap().kind {
        ChatEventKind::MessageEdited(m) => assert_eq!(m.mentions, vec![all_mention()]),
        other => panic!("unexpected event {other:?}"),
    }
    let read = store.get_message(&row.chat_id, &row.id).await.unwrap();
    assert_eq!(read.mentions, vec![all_mention()]);
    // A thread reply's copy in the parent chat carries them too.
    let mut reply = post(&a, PostTarget::Chat(general.chat_id.clone()), "in thread");
    reply.thread_message_id = Some(plain.id.clone());
    reply.mentions = vec![user_mention(&a, false)];
    let reply = store
        .post_message_with(
            reply,
            PostOptions {
                post_in_parent: true,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.mentions, vec![user_mention(&a, false)]);
    let parent_list = store
        .list_messages(MessageQuery {
            chat_id: general.chat_id.clone(),
            from_time: None,
            to_time: None,
            after_seq: None,
            limit: 10,
        })
        .await
        .unwrap();
    let copy = parent_list.last().unwrap();
    assert_eq!(copy.origin_message_id.as_deref(), Some(reply.id.as_str()));
    assert_eq!(copy.mentions, vec![user_mention(&a, false)]);
    // Bot messages: every recipient's copy.
    let bot = store
        .create_component(super::components::bot(&a, "Notifier"))
        .await
        .unwrap();
    let sent = store
        .post_bot_messages(
            a.org_id,
            bot.id,
            a.id,
            vec![a.id, b.id],
            "text".into(),
            json!({"text": "{@all}"}),
            None,
            vec![all_mention()],
        )
        .await
        .unwrap();
    for (_, m) in &sent {
        assert_eq!(m.mentions, vec![all_mention()]);
        let read = store.get_message(&m.chat_id, &m.id).await.unwrap();
        assert_eq!(read.mentions, vec![all_mention()]);
    }
}

pub async fn search_by_mentioned_user_and_has_mentions(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let chat = PostTarget::Chat(general.chat_id.clone());
    let posted = |text: &str, mentions: Vec<MentionRow>| {
        let mut p = post(&a, chat.clone(), text);
        p.mentions = mentions;
        let store = store.clone();
        async move { store.post_message(p).await.unwrap().unwrap() }
    };
    let to_b = posted("first", vec![user_mention(&b, false)]).await;
    let to_all = posted("second", vec![all_mention()]).await;
    let none = posted("third", vec![]).await;
    let to_b_silently = posted("fourth", vec![all_mention(), user_mention(&b, true)]).await;
    let to_a = posted("fifth", vec![user_mention(&a, false)]).await;
    let search = |mentioned: Vec<i64>, has: Option<bool>| MessageSearch {
        mentioned_user_ids: mentioned,
        has_mentions: has,
        ..query(&a, &[])
    };
    let hits = store
        .search_messages(search(vec![b.id], None))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![to_b_silently.id.clone(), to_b.id.clone()]);
    assert_eq!(hits[1].message.mentions, vec![user_mention(&b, false)]);
    let hits = store
        .search_messages(search(vec![a.id, b.id], None))
        .await
        .unwrap();
    assert_eq!(
        ids(&hits),
        vec![to_a.id.clone(), to_b_silently.id.clone(), to_b.id.clone()]
    );
    let hits = store
        .search_messages(search(vec![], Some(true)))
        .await
        .unwrap();
    assert_eq!(
        ids(&hits),
        vec![
            to_a.id.clone(),
            to_b_silently.id.clone(),
            to_all.id.clone(),
            to_b.id.clone()
        ]
    );
    let hits = store
        .search_messages(search(vec![], Some(false)))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![none.id.clone()]);
    // With a phrase too.
    let hits = store
        .search_messages(MessageSearch {
            mentioned_user_ids: vec![b.id],
            ..query(&a, &["first"])
        })
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![to_b.id.clone()]);
    // An edit that drops the mention drops it from the index; one that adds it, adds it.
    store
        .edit_message(&to_a.chat_id, &to_a.id, json!({"text": "fifth"}), vec![])
        .await
        .unwrap();
    store
        .edit_message(
            &none.chat_id,
            &none.id,
            json!({"text": "third"}),
            vec![user_mention(&a, false)],
        )
        .await
        .unwrap();
    let hits = store
        .search_messages(search(vec![a.id], None))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![none.id.clone()]);
    let hits = store
        .search_messages(search(vec![], Some(false)))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![to_a.id.clone()]);
    // A deleted message leaves the mention index.
    store.delete_message(&to_b.chat_id, &to_b.id).await.unwrap();
    let hits = store
        .search_messages(search(vec![b.id], None))
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![to_b_silently.id.clone()]);
    // Only chats of the caller: B finds the mention once B is in the channel.
    let by_b = || MessageSearch {
        mentioned_user_ids: vec![b.id],
        ..query(&b, &[])
    };
    assert_eq!(
        ids(&store.search_messages(by_b()).await.unwrap()),
        Vec::<String>::new()
    );
    store
        .add_chat_members(&general.chat_id, vec![b.id])
        .await
        .unwrap();
    assert_eq!(
        ids(&store.search_messages(by_b()).await.unwrap()),
        vec![to_b_silently.id.clone()]
    );
}
