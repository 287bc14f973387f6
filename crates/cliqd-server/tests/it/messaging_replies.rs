//! Replies, thread replies shown in the parent chat, and `mark_as_read`, on every post
//! endpoint: `reply_to` must name a message of the chat the post lands in (in a thread: of the
//! thread or its parent chat), in either id spelling.

use crate::helpers::{TestApp, spawn};
use crate::messaging::{general_chat, outsider, post_sync};
use crate::messaging_realtime::{connect, next, quiet};
use serde_json::{Value, json};

/// Starts a thread under a new message of `general`; returns (parent id, thread chat id).
async fn thread(app: &TestApp, token: &str) -> (String, String) {
    let parent = post_sync(
        app,
        "/api/v3/channelsbyname/general/messages",
        token,
        "topic",
    )
    .await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            token,
            json!({"text": "first", "thread_message_id": parent, "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (
        parent,
        r.body["thread_chat_id"].as_str().unwrap().to_string(),
    )
}

async fn messages(app: &TestApp, chat: &str, token: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].as_array().unwrap().clone()
}

fn spaced(id: &str) -> String {
    id.replacen('_', " ", 1)
}

#[tokio::test]
async fn reply_to_must_name_a_message_of_the_target_chat() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let general = general_chat(&app, &scott).await;
    let channel_id = app.get("/api/v3/channels/general", &scott).await.body["data"]["channel_id"]
        .as_str()
        .unwrap()
        .to_string();
    let target = post_sync(&app, "/api/v3/channelsbyname/general/messages", &scott, "q").await;
    // A message of another chat (the direct chat of scott and olivia).
    let r = app
        .post(
            "/api/v3/chats",
            &scott,
            json!({"chat_type": "direct_message", "user_id": app.users[1].id.to_string()}),
        )
        .await;
    let dm = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    let elsewhere = post_sync(&app, &format!("/api/v3/chats/{dm}/messages"), &scott, "dm").await;

    let endpoints = [
        "/api/v2/channelsbyname/general/message".to_string(),
        "/api/v3/channelsbyname/general/messages".to_string(),
        format!("/api/v3/channels/{channel_id}/messages"),
        format!("/api/v2/chats/{general}/message"),
        format!("/api/v3/chats/{general}/messages"),
    ];
    for path in &endpoints {
        // Both spellings of the id, and its URL-encoded form, name the message.
        for id in [
            target.clone(),
            spaced(&target),
            target.replacen('_', "%20", 1),
        ] {
            let r = app
                .post(path, &olivia, json!({"text": "a", "reply_to": id}))
                .await;
            assert_eq!(r.status, 204, "{path} {id}: {}", r.body);
        }
        for bad in [elsewhere.as_str(), "1_1", "nonsense"] {
            let r = app
                .post(path, &olivia, json!({"text": "b", "reply_to": bad}))
                .await;
            assert_eq!(r.status, 404, "{path} {bad}: {}", r.body);
            assert_eq!(r.code(), "message_not_found");
            assert!(r.body["message"].as_str().unwrap().contains("reply_to"));
        }
    }
    // Replies read back with the normalized id; refused posts left nothing behind.
    let list = messages(&app, &general, &scott).await;
    let replies: Vec<&Value> = list.iter().filter(|m| m["reply_to"].is_string()).collect();
    assert_eq!(replies.len(), endpoints.len() * 3);
    assert!(replies.iter().all(|m| m["reply_to"] == target.as_str()));
    assert!(!list.iter().any(|m| m["content"]["text"] == "b"));

    // Buddy posts: reply_to must be a message of the direct chat.
    let buddy = format!("/api/v2/buddies/{}/message", app.users[1].email);
    let r = app
        .post(&buddy, &scott, json!({"text": "c", "reply_to": target}))
        .await;
    assert_eq!(r.code(), "message_not_found", "{}", r.body);
    let r = app
        .post(
            &buddy,
            &scott,
            json!({"text": "c", "reply_to": spaced(&elsewhere)}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);

    // Another organization's message id is unknown here too.
    let (_, eve) = outsider(&app).await;
    let r = app
        .post("/api/v3/channels", &eve, json!({"name": "Elsewhere"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let foreign = post_sync(&app, "/api/v3/channelsbyname/elsewhere/messages", &eve, "x").await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &scott,
            json!({"text": "d", "reply_to": foreign}),
        )
        .await;
    assert_eq!(r.code(), "message_not_found");
}

#[tokio::test]
async fn reply_to_in_threads_and_bot_messages() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let general = general_chat(&app, &scott).await;
    let (parent, thread) = thread(&app, &scott).await;
    let in_thread = post_sync(
        &app,
        &format!("/api/v3/chats/{thread}/messages"),
        &scott,
        "t",
    )
    .await;
    let in_parent = post_sync(
        &app,
        &format!("/api/v3/chats/{general}/messages"),
        &scott,
        "p",
    )
    .await;
    // In a thread: a message of the thread or of its parent chat.
    for id in [&in_thread, &in_parent, &parent] {
        let r = app
            .post(
                &format!("/api/v3/chats/{thread}/messages"),
                &scott,
                json!({"text": "r", "reply_to": spaced(id)}),
            )
            .await;
        assert_eq!(r.status, 204, "{id}: {}", r.body);
    }
    // Starting or continuing a thread with thread_message_id: the same rule.
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/messages"),
            &scott,
            json!({"text": "r", "thread_message_id": parent, "reply_to": in_thread}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    // A thread message is not a message of the parent chat.
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/messages"),
            &scott,
            json!({"text": "r", "reply_to": in_thread}),
        )
        .await;
    assert_eq!(r.code(), "message_not_found");
    // A refused thread-starting post opens no thread.
    let fresh = post_sync(&app, "/api/v3/channelsbyname/general/messages", &scott, "f").await;
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/messages"),
            &scott,
            json!({"text": "r", "thread_message_id": fresh, "reply_to": "1_2"}),
        )
        .await;
    assert_eq!(r.code(), "message_not_found");
    let list = messages(&app, &general, &scott).await;
    let f = list.iter().find(|m| m["id"] == fresh.as_str()).unwrap();
    assert!(f.get("thread_chat_id").is_none(), "{f}");

    // Bot messages into the caller's bot chat: reply_to names a message of that chat.
    app.create_bot("Reply Bot").await;
    let admin = app.admin_token.clone();
    let r = app
        .post(
            "/api/v3/bots/replybot/messages",
            &admin,
            json!({"text": "hi", "user_ids": app.admin.id.to_string(), "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let detail = &r.body["message_details"][app.admin.id.to_string()];
    let bot_msg = detail["message_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v3/bots/replybot/messages",
            &admin,
            json!({"text": "re", "user_ids": app.admin.id.to_string(), "reply_to": spaced(&bot_msg)}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .post(
            "/api/v3/bots/replybot/messages",
            &admin,
            json!({"text": "re", "user_ids": app.admin.id.to_string(), "reply_to": parent}),
        )
        .await;
    assert_eq!(r.code(), "message_not_found", "{}", r.body);
}

#[tokio::test]
async fn post_in_parent_copies_the_reply_into_the_parent_chat() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let general = general_chat(&app, &scott).await;
    let (parent, thread) = thread(&app, &scott).await;
    let mut ws = connect(&app, &olivia).await;

    let r = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &scott,
            json!({"text": "also in the channel", "post_in_parent": true, "sync_message": true,
                   "reply_to": parent}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let reply = r.body["message_id"].as_str().unwrap().to_string();

    // Both events arrive, the thread's first, after the commit.
    let first = next(&mut ws).await;
    assert_eq!(first["event"], "message_created");
    assert_eq!(first["chat_id"], thread.as_str());
    assert_eq!(first["data"]["id"], reply.as_str());
    let second = next(&mut ws).await;
    assert_eq!(second["event"], "message_created");
    assert_eq!(second["chat_id"], general.as_str());
    let copy_id = second["data"]["id"].as_str().unwrap().to_string();
    assert_ne!(copy_id, reply);
    assert_eq!(
        second["data"]["posted_from_thread"],
        json!({"chat_id": thread, "message_id": reply})
    );
    quiet(&mut ws).await;

    // The copy reads back in the parent chat, with the reply it answers (a parent-chat message).
    let list = messages(&app, &general, &olivia).await;
    let copy = list.iter().find(|m| m["id"] == copy_id.as_str()).unwrap();
    assert_eq!(copy["content"]["text"], "also in the channel");
    assert_eq!(copy["posted_from_thread"]["chat_id"], thread.as_str());
    assert_eq!(copy["reply_to"], parent.as_str());
    // The thread holds the reply once; the original carries no origin.
    let in_thread = messages(&app, &thread, &olivia).await;
    let original = in_thread
        .iter()
        .find(|m| m["id"] == reply.as_str())
        .unwrap();
    assert!(original.get("posted_from_thread").is_none());
    assert_eq!(
        in_thread
            .iter()
            .filter(|m| m["content"]["text"] == "also in the channel")
            .count(),
        1
    );

    // Creating a thread with post_in_parent copies its first reply too (v2 thread post also).
    let p2 = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &scott,
        "p2",
    )
    .await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &scott,
            json!({"text": "starter", "thread_message_id": p2, "post_in_parent": true,
                   "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t2 = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v2/chats/{t2}/message"),
            &scott,
            json!({"text": "v2 reply", "post_in_parent": true}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let list = messages(&app, &general, &scott).await;
    for text in ["starter", "v2 reply"] {
        let copy = list.iter().find(|m| m["content"]["text"] == text).unwrap();
        assert_eq!(copy["posted_from_thread"]["chat_id"], t2.as_str(), "{copy}");
    }
    // Outside threads post_in_parent changes nothing; false copies nothing.
    let before = messages(&app, &general, &scott).await.len();
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/messages"),
            &scott,
            json!({"text": "plain", "post_in_parent": true}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &scott,
            json!({"text": "only here", "post_in_parent": false}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(messages(&app, &general, &scott).await.len(), before + 1);
    // A non-boolean is refused with the field named.
    let r = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &scott,
            json!({"text": "x", "post_in_parent": "yes"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs", "{}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("post_in_parent")
    );
}

#[tokio::test]
async fn mark_as_read_is_accepted_on_every_post_endpoint() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let general = general_chat(&app, &scott).await;
    let channel_id = app.get("/api/v3/channels/general", &scott).await.body["data"]["channel_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, thread) = thread(&app, &scott).await;
    app.create_bot("Read Bot").await;
    let endpoints = [
        "/api/v2/channelsbyname/general/message".to_string(),
        "/api/v3/channelsbyname/general/messages".to_string(),
        format!("/api/v3/channels/{channel_id}/messages"),
        format!("/api/v2/chats/{general}/message"),
        format!("/api/v3/chats/{general}/messages"),
        format!("/api/v3/chats/{thread}/messages"),
        format!("/api/v2/buddies/{}/message", app.users[1].id),
        "/api/v3/bots/readbot/messages".to_string(),
        "/api/v2/bots/readbot/message".to_string(),
    ];
    let admin = app.admin_token.clone();
    for path in &endpoints {
        for (query, body) in [
            ("", json!({"text": "a", "mark_as_read": true})),
            ("?mark_as_read=true", json!({"text": "b"})),
            (
                "?mark_as_read=false",
                json!({"text": "c", "mark_as_read": false}),
            ),
        ] {
            let r = app.post(&format!("{path}{query}"), &admin, body).await;
            assert_eq!(r.status, 204, "{path}{query}: {}", r.body);
        }
        let r = app
            .post(path, &admin, json!({"text": "d", "mark_as_read": "yes"}))
            .await;
        assert_eq!(r.code(), "invalid_inputs", "{path}: {}", r.body);
        let r = app
            .post(
                &format!("{path}?mark_as_read=maybe"),
                &admin,
                json!({"text": "e"}),
            )
            .await;
        assert_eq!(r.code(), "invalid_inputs", "{path}: {}", r.body);
    }
    // The flag is not part of the stored message.
    let list = messages(&app, &general, &scott).await;
    assert!(
        list.iter()
            .all(|m| m["content"].get("mark_as_read").is_none())
    );
}
